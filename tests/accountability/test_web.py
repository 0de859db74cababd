"""The assessment pages (Chinese by default, English too): the months, a month's sheet in the
viewer's scope with the GM's steps, one's own published lines with the appeal form, the running
month of a department head. A locked month cannot change through the page's buttons."""

from __future__ import annotations

import pytest
import time_machine
from django.utils import translation

from kesu.accountability import services
from kesu.accountability.models import AssessmentMonth, Rule, SheetLine
from tests.accountability.conftest import NOVEMBER, approved_loss, confirm_all, forty_base_points
from tests.accountability.test_locks_and_appeals import snapshot
from tests.conftest import local


def log_in(client, username: str) -> None:
    assert client.login(username=username, password=f"pass-{username}")


@pytest.fixture
def drafted(pcb):
    forty_base_points(pcb)
    approved_loss(pcb, loss="12000.00", at=local(2026, 11, 10))
    with time_machine.travel(local(2026, 12, 2), tick=False):
        services.draft_month(month=NOVEMBER, by=pcb.gm)
        confirm_all(NOVEMBER)  # the heads' review is tested in test_reviews.py
    return pcb


def test_the_gm_sees_every_line_with_its_complaint_rule_and_arithmetic_in_chinese(drafted, client):
    log_in(client, "gm")
    with translation.override("zh-hans"):
        page = client.get("/assessment/2026-11/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert page.status_code == 200
    assert "考核" in text and "批准并锁定" in text
    line = SheetLine.objects.get(staff=drafted.production_head)
    assert line.complaint.number in text and "÷ 40 × 3 = ¥900.00" in text and "客户投诉损失金额罚扣" in text


def test_english_too(drafted, client):
    log_in(client, "gm")
    client.cookies["django_language"] = "en"
    page = client.get("/assessment/2026-11/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Approve and lock" in page.content.decode()


def test_a_department_head_sees_his_department_and_an_outsider_nothing(drafted, client):
    log_in(client, "qualityhead")
    page = client.get("/assessment/2026-11/")
    assert page.status_code == 200 and "孙经理" not in page.content.decode()  # not his department
    client.logout()
    log_in(client, "prodhead")
    assert "孙经理" in client.get("/assessment/2026-11/").content.decode()
    client.logout()
    log_in(client, "outsider")
    assert client.get("/assessment/2026-11/").status_code == 404  # not published: nothing to see
    assert client.get("/assessment/2026-13/").status_code == 404


def test_the_gm_approves_on_the_page_and_then_the_page_cannot_change_it(drafted, client):
    log_in(client, "gm")
    with time_machine.travel(local(2026, 12, 3), tick=False):
        client.post("/assessment/2026-11/approve")
        assert AssessmentMonth.objects.get(month=NOVEMBER).status == "approved"
        before = snapshot()
        response = client.post("/assessment/2026-11/draft", follow=True)
        refused = response.content.decode()
        assert "cannot change" in refused or "不能再更改" in refused  # the MonthLocked message
        client.post("/assessment/2026-11/approve")
        assert "Draft again" not in client.get("/assessment/2026-11/").content.decode()
    assert snapshot() == before


def test_only_the_gm_approves_on_the_page(drafted, client):
    log_in(client, "director")
    with time_machine.travel(local(2026, 12, 3), tick=False):
        client.post("/assessment/2026-11/approve")
    assert AssessmentMonth.objects.get(month=NOVEMBER).status == "draft"


def test_a_person_sees_and_appeals_his_own_published_line(drafted, client):
    with time_machine.travel(local(2026, 12, 3), tick=False):
        services.approve_month(month=NOVEMBER, by=drafted.gm)
        services.publish_month(month=NOVEMBER, by=drafted.gm)
        log_in(client, "prodhandler")
        mine = client.get("/assessment/mine/").content.decode()
        line = SheetLine.objects.get(staff=drafted.production_handler)
        assert "÷ 40 × 5 = ¥1 500.00" in mine
        client.post(f"/assessment/lines/{line.pk}/appeal", {"reason": "非本人班次"})
    assert line.appeals.get().reason == "非本人班次"


def test_the_running_month_for_a_department_head(pcb, client):
    forty_base_points(pcb)
    with time_machine.travel(local(2026, 11, 20), tick=False):
        services.set_terms(
            staff=pcb.production_handler,
            effective_month=NOVEMBER,
            base_points="2",
            monthly_bonus="1000",
            by=None,
        )
        services.record_finding(
            month=NOVEMBER,
            rule=Rule.objects.get(code="minor_demerit"),
            by=pcb.gm,
            staff=pcb.production_handler,
            reason="交货延迟",
            evidence="签呈 11-18",
        )
        log_in(client, "prodhead")
        page = client.get("/assessment/running/").content.decode()
        assert "1600.00" in page and "周师傅" in page
        client.logout()
        log_in(client, "clerk")
        assert client.get("/assessment/running/").status_code == 404
    assert not SheetLine.objects.exists()  # a preview writes nothing
