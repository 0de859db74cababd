"""The department heads' review before the general manager's approval (issue 10 §2, 部门主管确认):
each head confirms or disputes (with a reason) their department's lines; the GM cannot approve
while a review is pending where the rule book requires the step (PCB: seed 002 (九)10), and can
where it does not (telecom: the seed is silent). Through the services, the API and the page."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from kesu.accountability import services
from kesu.accountability.models import (
    AssessmentMonth,
    AssessmentSettings,
    DepartmentReview,
    MonthLocked,
    MonthStatus,
    ReviewState,
)
from kesu.accountability.services import MayNotAssess
from kesu.notifications.models import Notification
from kesu.rulebook.services import apply_preset
from tests.accountability.conftest import NOVEMBER, approved_loss, forty_base_points
from tests.conftest import local


@pytest.fixture
def drafted(pcb):
    """November under PCB: a 12 000 loss on production, drafted on 2 December."""
    forty_base_points(pcb)
    approved_loss(pcb, loss="12000.00", at=local(2026, 11, 10))
    with time_machine.travel(local(2026, 12, 2), tick=False):
        services.draft_month(month=NOVEMBER, by=pcb.gm)
    return pcb


def current(department) -> DepartmentReview:
    return DepartmentReview.objects.get(month__month=NOVEMBER, department=department, is_current=True)


def test_the_pcb_rule_book_requires_the_review_citing_its_seed(pcb):
    settings = AssessmentSettings.current()
    assert settings.department_review is True
    assert "002" in settings.department_review_source and "(九)10" in settings.department_review_source


def test_the_draft_asks_the_heads_and_the_gm_waits_for_them(drafted):
    review = current(drafted.production)
    assert review.state == ReviewState.PENDING and review.line_count >= 4
    told = Notification.objects.filter(recipient=drafted.production_head, title__contains="Review")
    assert told.count() == 1
    assert not DepartmentReview.objects.filter(department=drafted.quality).exists()  # no lines there

    with time_machine.travel(local(2026, 12, 3), tick=False):
        with pytest.raises(ValidationError) as waiting:
            services.approve_month(month=NOVEMBER, by=drafted.gm)
        assert drafted.production.name in waiting.value.message_dict["month"][0]
        assert AssessmentMonth.objects.get(month=NOVEMBER).status == MonthStatus.DRAFT

        services.review_department(
            month=NOVEMBER, department=drafted.production, by=drafted.production_head, confirm=True
        )
        assert Notification.objects.filter(recipient=drafted.gm, title__contains="Every department").exists()
        services.approve_month(month=NOVEMBER, by=drafted.gm)
    assert AssessmentMonth.objects.get(month=NOVEMBER).status == MonthStatus.APPROVED
    with pytest.raises(MonthLocked):  # the review is part of the locked month
        services.review_department(
            month=NOVEMBER,
            department=drafted.production,
            by=drafted.production_head,
            confirm=False,
            reason="晚了",
        )


def test_a_dispute_needs_a_reason_tells_the_gm_and_does_not_block_him(drafted):
    head = drafted.production_head
    with pytest.raises(ValidationError) as no_reason:
        services.review_department(month=NOVEMBER, department=drafted.production, by=head, confirm=False)
    assert "reason" in no_reason.value.message_dict
    assert current(drafted.production).state == ReviewState.PENDING  # nothing half-saved
    with pytest.raises(ValidationError) as too_long:
        services.review_department(
            month=NOVEMBER, department=drafted.production, by=head, confirm=False, reason="x" * 5000
        )
    assert "reason" in too_long.value.message_dict

    services.review_department(
        month=NOVEMBER, department=drafted.production, by=head, confirm=False, reason="损失应由质量部承担一半"
    )
    review = current(drafted.production)
    assert review.state == ReviewState.DISPUTED and review.reason == "损失应由质量部承担一半"
    assert Notification.objects.filter(recipient=drafted.gm, body="损失应由质量部承担一半").exists()
    # the GM weighs the dispute: answered, so nothing is pending
    with time_machine.travel(local(2026, 12, 3), tick=False):
        services.approve_month(month=NOVEMBER, by=drafted.gm)


def test_only_the_department_s_head_reviews(drafted):
    for outsider in (drafted.quality_head, drafted.gm, drafted.production_handler):
        with pytest.raises(MayNotAssess):
            services.review_department(
                month=NOVEMBER, department=drafted.production, by=outsider, confirm=True
            )
    with pytest.raises(ValidationError) as nothing:
        services.review_department(
            month=NOVEMBER, department=drafted.quality, by=drafted.quality_head, confirm=True
        )
    assert "department" in nothing.value.message_dict
    with pytest.raises(ValidationError) as not_drafted:
        services.review_department(
            month=date(2027, 3, 1), department=drafted.production, by=drafted.production_head, confirm=True
        )
    assert "month" in not_drafted.value.message_dict
    assert current(drafted.production).state == ReviewState.PENDING


def test_a_redraft_keeps_an_unchanged_answer_and_reopens_a_changed_department(drafted):
    head = drafted.production_head
    services.review_department(month=NOVEMBER, department=drafted.production, by=head, confirm=True)
    with time_machine.travel(local(2026, 12, 2, 12), tick=False):
        services.draft_month(month=NOVEMBER, by=drafted.gm)  # same facts
    assert current(drafted.production).state == ReviewState.CONFIRMED

    approved_loss(drafted, loss="4000.00", at=local(2026, 11, 20))  # a new fact for production
    with time_machine.travel(local(2026, 12, 2, 13), tick=False):
        services.draft_month(month=NOVEMBER, by=drafted.gm)
    reopened = current(drafted.production)
    assert reopened.state == ReviewState.PENDING
    history = DepartmentReview.objects.filter(month__month=NOVEMBER, department=drafted.production)
    assert list(history.values_list("state", "is_current")) == [
        (ReviewState.CONFIRMED, False),
        (ReviewState.PENDING, True),
    ]
    assert Notification.objects.filter(recipient=head, title__contains="Review").count() == 2
    with time_machine.travel(local(2026, 12, 3), tick=False), pytest.raises(ValidationError):
        services.approve_month(month=NOVEMBER, by=drafted.gm)


def test_a_rule_book_without_the_step_lets_the_gm_approve_at_once(telecom):
    """Telecom: seed 000 第二篇 is silent on a review by department heads — the preset turns it off."""
    settings = AssessmentSettings.current()
    assert settings.department_review is False and "silent" in settings.department_review_source
    with time_machine.travel(local(2026, 12, 8), tick=False):
        services.draft_month(month=NOVEMBER, by=telecom.gm)
        services.approve_month(month=NOVEMBER, by=telecom.gm)
    assert not DepartmentReview.objects.exists()


@pytest.mark.parametrize(
    ("preset", "required"),
    [("pcb", True), ("furniture", False), ("telecom", False), ("liquor", False), ("lawfirm", False)],
)
def test_each_preset_states_the_step_and_its_source(org, preset, required):
    apply_preset(name=preset)
    settings = AssessmentSettings.current()
    assert settings.department_review is required
    assert "seed" in settings.department_review_source
    if not required:
        assert "silent" in settings.department_review_source or "names no department heads" in (
            settings.department_review_source
        )


# --- the API -----------------------------------------------------------------------------------


def test_the_api_shows_and_takes_the_reviews(drafted, client_for):
    url = "/api/v1/assessment/months/2026-11/reviews"
    head = client_for(drafted.production_head)
    shown = client_for(drafted.gm).get("/api/v1/assessment/months/2026-11").json()
    assert shown["reviews"] == [
        {
            "department": "production",
            "department_name": drafted.production.name,
            "state": "pending",
            "reason": "",
            "reviewed_by": "",
            "reviewed_at": None,
            "lines": current(drafted.production).line_count,
        }
    ]
    assert head.post(url, {"department": "production", "confirm": False}).status_code == 422
    assert (
        client_for(drafted.quality_head).post(url, {"department": "production", "confirm": True}).status_code
        == 403
    )
    assert head.post(url, {"department": "nowhere", "confirm": True}).status_code == 422
    assert head.post(url, {"department": "production", "confirm": "perhaps"}).status_code == 422
    assert client_for(None).post(url, {"department": "production", "confirm": True}).status_code == 401
    with time_machine.travel(local(2026, 12, 3), tick=False):
        refused = client_for(drafted.gm).post("/api/v1/assessment/months/2026-11/approve")
        assert refused.status_code == 422 and drafted.production.name in refused.json()["errors"]["month"][0]
        answer = head.post(url, {"department": "production", "confirm": True, "reason": "无异议"})
        assert answer.status_code == 200
        assert answer.json()["state"] == "confirmed" and answer.json()["reviewed_by"] == "prodhead"
        assert client_for(drafted.gm).post("/api/v1/assessment/months/2026-11/approve").status_code == 200
        assert head.post(url, {"department": "production", "confirm": True}).status_code == 409


# --- the page ----------------------------------------------------------------------------------


def test_the_head_reviews_on_the_month_page(drafted, client):
    assert client.login(username="prodhead", password="pass-prodhead")
    page = client.get("/assessment/2026-11/").content.decode()
    assert 'id="assessment-reviews"' in page and 'name="confirm"' in page
    refused = client.post(
        "/assessment/2026-11/review", {"department": "production", "confirm": "no", "reason": ""}, follow=True
    )
    assert refused.status_code == 200 and current(drafted.production).state == ReviewState.PENDING
    client.post(
        "/assessment/2026-11/review", {"department": "production", "confirm": "no", "reason": "比例不对"}
    )
    assert current(drafted.production).state == ReviewState.DISPUTED
    client.logout()
    assert client.login(username="gm", password="pass-gm")
    gm_page = client.get("/assessment/2026-11/").content.decode()
    assert "比例不对" in gm_page and 'name="confirm"' not in gm_page  # the GM reads, the head answers
