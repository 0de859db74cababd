"""Bad input is a clear error naming the field, never a 500, and nothing is half-saved: negative
base points, a bonus cap over 100 %, an appeal on a month not yet published, a rule with an
unknown fact (admin and preset), a month that is not YYYY-MM, a finding without evidence."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from kesu.accountability import services
from kesu.accountability.models import AssessmentSettings, Finding, Rule, StaffTerms
from kesu.rulebook.services import apply_rule_book, read_preset
from tests.accountability.conftest import NOVEMBER


@pytest.mark.parametrize("base", ["-1", "abc", "1.234", "NaN"])
def test_negative_or_malformed_base_points_are_refused(pcb, base):
    with pytest.raises(ValidationError) as error:
        services.set_terms(
            staff=pcb.production_head,
            effective_month=NOVEMBER,
            base_points=base,
            monthly_bonus="100",
            by=None,
        )
    assert "base_points" in error.value.message_dict
    assert not StaffTerms.objects.exists()


def test_a_bonus_cap_over_100_percent_is_refused_by_the_admin(pcb, client):
    get_user_model().objects.create_superuser("root", password="pw")
    client.login(username="root", password="pw")
    settings = AssessmentSettings.objects.get()
    response = client.post(
        f"/admin/accountability/assessmentsettings/{settings.pk}/change/",
        {
            "draft_day": 10,
            "bonus_cap_percent": "150",
            "appeal_days": 10,
            "appeal_decider": "general_manager",
            "source": "x",
        },
    )
    assert response.status_code == 200 and "bonus_cap_percent" in response.context["adminform"].form.errors
    settings.refresh_from_db()
    assert settings.bonus_cap_percent == 50


def test_a_rule_with_an_unknown_fact_is_refused_in_the_admin(pcb, client):
    get_user_model().objects.create_superuser("root", password="pw")
    client.login(username="root", password="pw")
    response = client.post(
        "/admin/accountability/rule/add/",
        {
            "code": "moon",
            "name": "月相",
            "fact": "full_moon",
            "cost": "yuan",
            "amount": "10",
            "target": "named",
            "order": 1,
        },
    )
    assert response.status_code == 200 and "fact" in response.context["adminform"].form.errors
    assert not Rule.objects.filter(code="moon").exists()


def test_a_preset_rule_with_an_unknown_fact_is_refused_and_nothing_is_saved(pcb):
    preset = copy.deepcopy(read_preset("pcb"))
    preset["assessment"]["rules"].append(
        {
            "code": "moon",
            "name": "月相",
            "fact": "full_moon",
            "cost": "yuan",
            "amount": "10",
            "target": "named",
        }
    )
    preset["assessment"]["settings"]["bonus_cap_percent"] = "40"
    with pytest.raises(ValidationError, match=r"rules #5 \(moon\).*Unknown fact “full_moon”"):
        apply_rule_book(preset=preset)
    assert AssessmentSettings.objects.get().bonus_cap_percent == 50  # the whole preset rolled back
    assert not Rule.objects.filter(code="moon").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"cost": "loss_share", "fact": "manual"}, "cost"),
        ({"target": "clock_holder"}, "target"),
        ({"fact": "clock_missed", "target": "clock_holder", "clock_kinds": "lunch"}, "clock_kinds"),
        ({"max_per_month": 5}, "max_per_month"),
        ({"amount": "0"}, "amount"),
    ],
)
def test_a_rule_that_the_draft_could_not_apply_is_refused(pcb, change, field):
    rule = Rule(code="x", name="x", fact="manual", cost="yuan", amount="10", target="named")
    for name, value in change.items():
        setattr(rule, name, value)
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert field in error.value.message_dict


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "26-11", "", "2026-11-01", "١٢٣٤-١١"])
def test_a_month_that_is_not_yyyy_mm_is_a_field_error(month, pcb, client_for):
    with pytest.raises(ValidationError) as error:
        services.parse_month(month)
    assert "month" in error.value.message_dict
    if month and "/" not in month:
        response = client_for(pcb.gm).post(f"/api/v1/assessment/months/{month}/draft")
        assert response.status_code in (404, 422)


def test_a_finding_needs_reason_and_evidence_and_one_target(pcb, client_for):
    rule = Rule.objects.get(code="warning")
    with pytest.raises(ValidationError) as error:
        services.record_finding(
            month=NOVEMBER,
            rule=rule,
            by=pcb.gm,
            reason=" ",
            evidence="",
            staff=pcb.production_head,
            department=pcb.production,
        )
    assert {"reason", "evidence", "staff"} <= set(error.value.message_dict)
    response = client_for(pcb.gm).post(
        "/api/v1/assessment/months/2026-11/findings",
        {"rule": "warning", "staff": "prodhandler", "reason": "x", "evidence": "e" * 4001},
    )
    assert response.status_code == 422 and "evidence" in response.json()["errors"]
    loss_rule = client_for(pcb.gm).post(
        "/api/v1/assessment/months/2026-11/findings",
        {"rule": "loss_share", "staff": "prodhandler", "reason": "x", "evidence": "y"},
    )
    assert loss_rule.status_code == 422 and "rule" in loss_rule.json()["errors"]
    assert not Finding.objects.exists()


def test_an_appeal_on_a_month_not_yet_published_is_refused(pcb):
    pcb_head = pcb.production_head
    services.set_terms(
        staff=pcb_head, effective_month=date(2026, 10, 1), base_points="2", monthly_bonus="900", by=None
    )
    services.record_finding(
        month=NOVEMBER,
        rule=Rule.objects.get(code="warning"),
        by=pcb.gm,
        staff=pcb_head,
        reason="r",
        evidence="e",
    )
    month = services.draft_month(month=NOVEMBER, by=pcb.gm)
    with pytest.raises(ValidationError, match="published"):
        services.file_appeal(line=month.lines.get(), by=pcb_head, reason="不服")
