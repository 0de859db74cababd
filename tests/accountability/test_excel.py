"""The locked month's Excel workbook for HR/payroll, from the page, the API and the CLI: opened
with openpyxl, its figures are the sheet's — one row per person with yuan, points and the balance
carried over, a total row, and a lines sheet that names each line's complaint and rule."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from kesu.accountability import services
from kesu.accountability.models import SheetLine, SheetTotal
from tests.accountability.conftest import NOVEMBER, approved_loss, confirm_all, forty_base_points
from tests.conftest import local

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.fixture
def drafted(pcb):
    """November: a 12 000 loss on production (40 base points), drafted on 2 December."""
    forty_base_points(pcb)
    approved_loss(pcb, loss="12000.00", at=local(2026, 11, 10))
    with time_machine.travel(local(2026, 12, 2), tick=False):
        services.draft_month(month=NOVEMBER, by=pcb.gm)
    return pcb


@pytest.fixture
def approved(drafted):
    with time_machine.travel(local(2026, 12, 3), tick=False):
        confirm_all(NOVEMBER)
        services.approve_month(month=NOVEMBER, by=drafted.gm)
    return drafted


def rows(workbook, title: str) -> list[dict[str, object]]:
    sheet = workbook[title]
    values = list(sheet.iter_rows(values_only=True))
    header = values[0]
    return [dict(zip(header, row, strict=True)) for row in values[1:]]


def check_figures(content: bytes) -> None:
    """Every person's and every line's figures in the workbook equal the stored sheet's."""
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["People", "Departments", "Lines"]
    people = rows(workbook, "People")
    *persons, total = people
    stored = {
        t.staff.user.username: t for t in SheetTotal.objects.exclude(staff=None).select_related("staff__user")
    }
    assert {p["username"] for p in persons} == set(stored) and len(persons) == len(stored)
    for person in persons:
        t = stored[person["username"]]
        assert money(person["amount (CNY)"]) == t.yuan
        assert money(person["points"]) == t.points
        assert money(person["deducted this month"]) == t.deducted
        assert money(person["carried to next month"]) == t.carried_out
        assert money(person["carried in"]) == t.carried_in
        assert person["line count"] == SheetLine.objects.filter(staff=t.staff).count()
        assert isinstance(person["amount (CNY)"], int | float)  # a number, not text
    assert total["month"] == "Total"
    assert money(total["amount (CNY)"]) == sum(t.yuan for t in stored.values())
    assert money(total["carried to next month"]) == sum(t.carried_out for t in stored.values())

    lines = rows(workbook, "Lines")
    assert len(lines) == SheetLine.objects.count()
    for row in lines:
        line = SheetLine.objects.select_related("rule", "complaint").get(pk=row["line id"])
        assert row["line number"] == line.position
        assert money(row["amount (CNY)"]) == line.yuan and money(row["points"]) == line.points
        assert row["rule code"] == line.rule.code
        assert row["complaint"] == (line.complaint.number if line.complaint else None)
        assert row["arithmetic"] == line.arithmetic
    # the 12 000 loss reaches the sheet: production's head (3 of 40 base points) owes 900
    head = next(p for p in persons if p["username"] == "prodhead")
    assert money(head["amount (CNY)"]) == Decimal("-900.00")
    assert money(head["deducted this month"]) == Decimal("500.00")  # 50 % of a 1 000 bonus
    assert money(head["carried to next month"]) == Decimal("400.00")
    widths = workbook["Lines"].column_dimensions
    assert widths["M"].width >= 40  # the arithmetic column is wide enough to read


def test_the_page_exports_the_approved_month_with_the_sheet_s_figures(approved, client):
    assert client.login(username="gm", password="pass-gm")
    client.cookies["django_language"] = "en"  # English headers with the English UI
    page = client.get("/assessment/2026-11/")
    assert 'id="assessment-export"' in page.content.decode()
    response = client.get("/assessment/2026-11/sheet.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "assessment-2026-11.xlsx" in response["Content-Disposition"]
    check_figures(b"".join(response.streaming_content))


def test_headers_are_chinese_by_default(approved, client):
    assert client.login(username="gm", password="pass-gm")
    with translation.override("zh-hans"):
        response = client.get("/assessment/2026-11/sheet.xlsx", HTTP_ACCEPT_LANGUAGE="zh-hans")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["人员汇总", "部门汇总", "明细"]
    header = next(workbook["人员汇总"].iter_rows(values_only=True))
    assert "金额（元）" in header and "结转下月" in header and "用户名" in header


def test_a_draft_is_not_exported(drafted, client, client_for):
    assert client.login(username="gm", password="pass-gm")
    client.cookies["django_language"] = "en"
    page = client.get("/assessment/2026-11/")
    assert 'id="assessment-export"' not in page.content.decode()
    refused = client.get("/assessment/2026-11/sheet.xlsx", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Only an approved or published month" in refused.content.decode()
    api = client_for(drafted.gm)
    answer = api.get("/api/v1/assessment/months/2026-11/xlsx")
    assert answer.status_code == 422 and "month" in answer.json()["errors"]


def test_the_api_exports_in_the_caller_s_scope(approved, client_for):
    response = client_for(approved.gm).get(
        "/api/v1/assessment/months/2026-11/xlsx", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    check_figures(b"".join(response.streaming_content))
    # a department head gets his department only; an outsider nothing before publication
    head = client_for(approved.quality_head).get(
        "/api/v1/assessment/months/2026-11/xlsx", HTTP_ACCEPT_LANGUAGE="en"
    )
    persons = rows(load_workbook(io.BytesIO(b"".join(head.streaming_content))), "People")[:-1]
    assert "prodhead" not in {p["username"] for p in persons}
    assert client_for(approved.outsider).get("/api/v1/assessment/months/2026-11/xlsx").status_code == 404
    assert client_for(approved.gm).get("/api/v1/assessment/months/2026-13/xlsx").status_code == 422
    assert client_for(None).get("/api/v1/assessment/months/2026-11/xlsx").status_code == 401


def test_the_cli_writes_the_workbook_and_refuses_a_draft(drafted, tmp_path: Path, capsys):
    target = tmp_path / "payroll.xlsx"
    with pytest.raises(CommandError, match="approved or published"):
        call_command("assess", "export", "2026-11", "--output", str(target))
    assert not target.exists()
    with pytest.raises(CommandError, match="no assessment"):
        call_command("assess", "export", "2027-05", "--output", str(target))
    with time_machine.travel(local(2026, 12, 3), tick=False):
        confirm_all(NOVEMBER)
        services.approve_month(month=NOVEMBER, by=drafted.gm)
    call_command("assess", "export", "2026-11", "--output", str(target))
    assert "payroll.xlsx" in capsys.readouterr().out
    check_figures(target.read_bytes())
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("assess", "export", "2026-11", "--output", str(tmp_path / "missing" / "x.xlsx"))
