"""`kesu decision show`, the admin for the lists, and the preset section decision_lists."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from kesu.approvals.services import decide_approval
from kesu.decisions.models import Cause, RemedyKind
from kesu.rulebook.services import apply_preset, available_presets, read_preset
from tests.decisions.conftest import investigated, propose

pytestmark = pytest.mark.django_db


def test_decision_show_prints_versions_and_the_ledger(furniture, capsys):
    org = furniture
    complaint = investigated(org)
    version = propose(org, complaint)
    decide_approval(approval=version.approval, by=org.gm, approve=True)
    call_command("decision", "show", complaint.number)
    out = capsys.readouterr().out
    assert "v1" in out and "生产部: 70.00%" in out
    assert "¥1000.00: 生产部 ¥700.00, 刘先生 ¥300.00" in out


def test_decision_show_of_an_unknown_number_fails(furniture):
    with pytest.raises(CommandError, match="No complaint numbered"):
        call_command("decision", "show", "NOPE-1")


@pytest.mark.parametrize("name", available_presets())
def test_every_preset_loads_its_lists_each_entry_citing_its_source(org, name):
    apply_preset(name=name)
    section = read_preset(name)["decision_lists"]
    assert section["source"]
    assert set(Cause.objects.filter(is_active=True).values_list("code", flat=True)) == {
        c["code"] for c in section["causes"]
    }
    assert RemedyKind.objects.filter(is_active=True).count() == len(section["remedy_kinds"])
    for entry in section["causes"] + section["remedy_kinds"]:
        assert entry["source"]
    assert Cause.objects.get(code="not_upheld").upheld is False  # 不成立 is not upheld
    assert Cause.objects.get(code="quality_defect").upheld is True


def test_the_admin_edits_a_cause_and_refuses_a_duplicate_code(furniture, client):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("root", password="pw")
    client.login(username="root", password="pw")
    cause = Cause.objects.get(code="misuse")
    response = client.post(
        f"/admin/decisions/cause/{cause.pk}/change/",
        {
            "code": "misuse",
            "name": "客户使用不当",
            "name_en": "Misuse",
            "upheld": "",
            "is_active": "on",
            "sort_order": 2,
            "source": "x",
        },
    )
    assert response.status_code == 302
    cause.refresh_from_db()
    assert cause.name == "客户使用不当"
    duplicate = client.post(
        "/admin/decisions/cause/add/",
        {"code": "misuse", "name": "重复", "sort_order": 1},
    )
    assert duplicate.status_code == 200 and Cause.objects.filter(code="misuse").count() == 1


def test_the_complaint_page_timeline_shows_the_decision_entries(furniture, client):
    org = furniture
    complaint = investigated(org)
    version = propose(org, complaint)
    decide_approval(approval=version.approval, by=org.gm, approve=True)
    client.login(username="prodhead", password="pass-prodhead")
    page = client.get(f"/complaints/{complaint.number}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "提出处理决定" in page  # Decision proposed
    assert "生产部 70.00%" in page  # the shares, as the entry recorded them
