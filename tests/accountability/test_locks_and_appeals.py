"""Approving locks a month: nothing on it changes again — not through the API, the CLI, the admin
or the models themselves (the web page's buttons are in test_web.py). An appeal (签呈) on a
published line ends in a recorded decision whose adjustment goes into the next open month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from kesu.accountability import services
from kesu.accountability.models import (
    Appeal,
    AssessmentMonth,
    MonthLocked,
    Rule,
    SheetLine,
    SheetTotal,
    StaffTerms,
)
from kesu.notifications.models import Notification
from tests.accountability.conftest import DECEMBER, NOVEMBER, approved_loss, confirm_all, forty_base_points
from tests.conftest import local


@pytest.fixture
def locked(pcb):
    """November drafted (a 12 000 loss on production) and approved by the GM on 2 December."""
    forty_base_points(pcb)
    approved_loss(pcb, loss="12000.00", at=local(2026, 11, 10))
    with time_machine.travel(local(2026, 12, 2), tick=False):
        services.draft_month(month=NOVEMBER, by=pcb.gm)
        confirm_all(NOVEMBER)
        services.approve_month(month=NOVEMBER, by=pcb.gm)
    return pcb


def snapshot():
    return (
        list(
            SheetLine.objects.filter(month__month=NOVEMBER).values_list("pk", "yuan", "points", "arithmetic")
        ),
        list(
            SheetTotal.objects.filter(month__month=NOVEMBER).values_list(
                "pk", "yuan", "deducted", "carried_out"
            )
        ),
    )


def test_only_the_general_manager_approves_and_only_an_ended_drafted_month(pcb):
    with time_machine.travel(local(2026, 11, 20), tick=False):
        with pytest.raises(ValidationError) as not_drafted:
            services.approve_month(month=NOVEMBER, by=pcb.gm)
        assert "month" in not_drafted.value.message_dict
        services.draft_month(month=NOVEMBER, by=pcb.director)
        with pytest.raises(services.MayNotAssess):
            services.approve_month(month=NOVEMBER, by=pcb.director)
        with pytest.raises(ValidationError, match="not ended"):
            services.approve_month(month=NOVEMBER, by=pcb.gm)
    assert AssessmentMonth.objects.get(month=NOVEMBER).status == "draft"


def test_a_locked_month_does_not_change_through_the_services_or_the_models(locked):
    before = snapshot()
    with time_machine.travel(local(2026, 12, 3), tick=False):
        with pytest.raises(MonthLocked):
            services.draft_month(month=NOVEMBER, by=locked.gm)
        with pytest.raises(MonthLocked):
            services.record_finding(
                month=NOVEMBER,
                rule=Rule.objects.get(code="warning"),
                by=locked.gm,
                staff=locked.production_handler,
                reason="迟到",
                evidence="考勤",
            )
        with pytest.raises(MonthLocked):  # base points of a locked month are history
            services.set_terms(
                staff=locked.production_head,
                effective_month=date(2026, 10, 1),
                base_points="1",
                monthly_bonus="0",
                by=None,
            )
    line = SheetLine.objects.filter(month__month=NOVEMBER).first()
    line.yuan = Decimal("0")
    with pytest.raises(MonthLocked):
        line.save()
    with pytest.raises(MonthLocked):
        line.delete()
    month = AssessmentMonth.objects.get(month=NOVEMBER)
    month.status = "draft"
    with pytest.raises(MonthLocked):
        month.save()
    assert snapshot() == before


def test_a_locked_month_does_not_change_through_the_api(locked, client_for):
    before = snapshot()
    api = client_for(locked.gm)
    with time_machine.travel(local(2026, 12, 3), tick=False):
        assert api.post("/api/v1/assessment/months/2026-11/draft").status_code == 409
        assert api.post("/api/v1/assessment/months/2026-11/approve").status_code == 409
        finding = api.post(
            "/api/v1/assessment/months/2026-11/findings",
            {"rule": "warning", "staff": "prodhandler", "reason": "迟到", "evidence": "考勤"},
        )
        assert finding.status_code == 409 and "2026-11" in finding.json()["detail"]
    assert snapshot() == before


def test_a_locked_month_does_not_change_through_the_cli(locked):
    before = snapshot()
    with time_machine.travel(local(2026, 12, 3), tick=False):
        with pytest.raises(CommandError, match="locked"):
            call_command("assess", "draft", "2026-11")
        with pytest.raises(CommandError, match="locked"):
            call_command("assess", "approve", "2026-11", "--as", "gm")
    assert snapshot() == before


def test_a_locked_month_does_not_change_through_the_admin(locked, client):
    get_user_model().objects.create_superuser("root", password="pw")
    client.login(username="root", password="pw")
    before = snapshot()
    line = SheetLine.objects.filter(month__month=NOVEMBER).first()
    month = AssessmentMonth.objects.get(month=NOVEMBER)
    terms = StaffTerms.objects.get(staff=locked.production_head)
    assert client.post(f"/admin/accountability/sheetline/{line.pk}/change/", {"yuan": "0"}).status_code == 403
    assert (
        client.post(f"/admin/accountability/sheetline/{line.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert (
        client.post(
            f"/admin/accountability/assessmentmonth/{month.pk}/change/", {"status": "draft"}
        ).status_code
        == 403
    )
    response = client.post(
        f"/admin/accountability/staffterms/{terms.pk}/change/",
        {"staff": terms.staff_id, "effective_month": "2026-10-01", "base_points": "1", "monthly_bonus": "0"},
    )
    assert response.status_code == 403
    assert client.get(f"/admin/accountability/sheetline/{line.pk}/change/").status_code == 200  # visible
    terms.refresh_from_db()
    assert terms.base_points == Decimal("3.00") and snapshot() == before


def test_the_cli_drafts_approves_and_publishes_and_refuses_bad_input(pcb, capsys):
    forty_base_points(pcb)
    approved_loss(pcb, loss="400.00", at=local(2026, 11, 10))
    with time_machine.travel(local(2026, 12, 10), tick=False):
        call_command("assess", "draft", "2026-11")
        assert "2026-11: draft, 4 lines, 4 people." in capsys.readouterr().out
        for bad in (
            ["draft", "2026-13"],
            ["draft", "11/2026"],
            ["approve", "2026-11"],
            ["approve", "2026-11", "--as", "nobody"],
            ["approve", "2026-11", "--as", "director"],
            ["publish", "2026-11", "--as", "gm"],
            ["approve", "2026-11", "--as", "gm"],  # the department heads have not reviewed it
        ):
            with pytest.raises(CommandError):
                call_command("assess", *bad)
        confirm_all(NOVEMBER)
        call_command("assess", "approve", "2026-11", "--as", "gm")
        call_command("assess", "publish", "2026-11", "--as", "gm")
    assert AssessmentMonth.objects.get(month=NOVEMBER).status == "published"


def test_an_upheld_appeal_adjusts_the_next_open_month_and_leaves_the_locked_one_alone(locked, client_for):
    head = locked.production_head
    line = SheetLine.objects.get(month__month=NOVEMBER, staff=head)
    own = client_for(head)
    with time_machine.travel(local(2026, 12, 3), tick=False):
        early = own.post(f"/api/v1/assessment/lines/{line.pk}/appeals", {"reason": "非本人责任"})
        assert early.status_code == 422  # not published yet
        services.publish_month(month=NOVEMBER, by=locked.gm)
        assert (
            client_for(locked.outsider)
            .post(f"/api/v1/assessment/lines/{line.pk}/appeals", {"reason": "x"})
            .status_code
            == 404
        )
        filed = own.post(f"/api/v1/assessment/lines/{line.pk}/appeals", {"reason": "非本人责任，系来料问题"})
        assert filed.status_code == 201
        appeal_id = filed.json()["id"]
        # the decider is told (签呈 goes to the general manager)
        assert Notification.objects.filter(recipient=locked.gm, title__contains="孙经理").exists()
        assert (
            own.post(
                f"/api/v1/assessment/appeals/{appeal_id}/decision", {"upheld": True, "decision": "x"}
            ).status_code
            == 403
        )
        decided = client_for(locked.gm).post(
            f"/api/v1/assessment/appeals/{appeal_id}/decision",
            {"upheld": True, "decision": "经查属实，来料问题，撤销罚扣", "adjust_yuan": "900.00"},
        )
        assert decided.status_code == 200 and decided.json()["applied_in"] == "2026-12"
    with time_machine.travel(local(2027, 1, 5), tick=False):
        services.draft_month(month=DECEMBER, by=locked.gm)
    (adjustment,) = SheetLine.objects.filter(month__month=DECEMBER, staff=head, appeal__isnull=False)
    assert adjustment.yuan == Decimal("900.00") and adjustment.appeal_id == appeal_id
    assert SheetLine.objects.get(pk=line.pk).yuan == Decimal("-900.00")  # November stays as approved
    assert Appeal.objects.get(pk=appeal_id).decided_by == locked.gm


def test_an_appeal_after_the_window_is_refused(locked):
    line = SheetLine.objects.get(month__month=NOVEMBER, staff=locked.production_head)
    with time_machine.travel(local(2026, 12, 3), tick=False):
        services.publish_month(month=NOVEMBER, by=locked.gm)
    with time_machine.travel(local(2026, 12, 20), tick=False), pytest.raises(ValidationError, match="window"):
        services.file_appeal(line=line, by=locked.production_head, reason="晚了")
    assert not Appeal.objects.exists()


def test_the_worker_drafts_the_previous_month_on_the_rule_book_s_day_only(pcb):
    """seed 002 (十二)1: 每月10日前 (the PCB preset's draft day is the 10th)."""
    from kesu.accountability.tasks import draft_if_due

    forty_base_points(pcb)
    approved_loss(pcb, loss="400.00", at=local(2026, 11, 10))
    assert (
        draft_if_due(date(2026, 12, 9)) is None
        and not AssessmentMonth.objects.filter(month=NOVEMBER).exists()
    )
    assert draft_if_due(date(2026, 12, 10)) == NOVEMBER
    assert SheetLine.objects.filter(month__month=NOVEMBER).count() == 4
    with time_machine.travel(local(2026, 12, 10, 12), tick=False):
        confirm_all(NOVEMBER)
        services.approve_month(month=NOVEMBER, by=pcb.gm)
    assert draft_if_due(date(2026, 12, 10)) is None  # locked: left alone


def test_the_api_pages_through_the_lines(locked, client_for):
    api = client_for(locked.gm)
    first = api.get("/api/v1/assessment/months/2026-11", {"limit": 3}).json()
    rest = api.get("/api/v1/assessment/months/2026-11", {"limit": 3, "offset": first["next_offset"]}).json()
    assert [line["position"] for line in first["lines"] + rest["lines"]] == [1, 2, 3, 4]
    assert rest["next_offset"] is None and len(first["totals"]) == 4
    assert api.get("/api/v1/assessment/months/2026-11", {"limit": 0}).status_code == 422
