"""Time limits on complaints: which clocks start, when they are due on the working calendar, and
what stops, pauses, extends and re-times them."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from kesu.complaints import services
from kesu.complaints.actions import perform_action
from kesu.complaints.models import Category, Severity, Status
from kesu.core.errors import ActionNotAllowed
from kesu.deadlines.clocks import late_clocks
from kesu.deadlines.models import ClockRule, ClockState, ComplaintClock, TimeLimitPolicy
from kesu.rulebook.services import apply_preset
from kesu.workcalendar import services as calendar_services
from kesu.workcalendar.models import DayKind
from tests.conftest import advance, intake, local


def clock(complaint, kind: str) -> ComplaintClock:
    return complaint.clocks.get(kind=kind)


def test_resolution_due_by_end_of_second_working_day_after_acceptance(org, register):
    # Monday 2026-11-16: the production department accepts a quality complaint
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        complaint = advance(register(), org, Status.ACCEPTED)
    resolution = clock(complaint, "resolution")
    assert resolution.state == ClockState.RUNNING
    assert resolution.due_at == local(2026, 11, 18, 17, 30)  # Wednesday, close of working hours

    with time_machine.travel(local(2026, 11, 18, 16), tick=False):
        complaint = advance(complaint, org, Status.RESOLUTION_PROPOSED)
    resolution.refresh_from_db()
    assert resolution.state == ClockState.MET
    assert not resolution.is_late_at(local(2026, 11, 20))


def test_deadline_skips_the_national_day_holiday_and_counts_the_makeup_saturday(org, register):
    # accepted on Wednesday 2026-09-30: Oct 1–7 are off, Thursday Oct 8 is a working day
    with time_machine.travel(local(2026, 9, 30, 15), tick=False):
        complaint = advance(register(), org, Status.ACCEPTED)
    assert clock(complaint, "resolution").due_at == local(2026, 10, 9, 17, 30)
    # accepted Friday Oct 9: the make-up Saturday Oct 10 is the first working day after it
    with time_machine.travel(local(2026, 10, 9, 15), tick=False):
        other = advance(register(), org, Status.ACCEPTED)
    assert clock(other, "resolution").due_at == local(2026, 10, 12, 17, 30)


def test_telecom_clocks_start_at_receipt_by_severity(org):
    apply_preset(name="telecom")
    received = local(2026, 11, 20, 8)
    with time_machine.travel(received + timedelta(minutes=30), tick=False):
        complaint = services.register_complaint(
            by=org.clerk,
            intake=intake(
                received_at=received,
                category=Category.objects.get(code="network_quality"),
                severity=Severity.objects.get(code="extra_urgent"),
            ),
        )
    assert clock(complaint, "acknowledge").due_at == received + timedelta(hours=2)
    assert clock(complaint, "reply").due_at == received + timedelta(hours=10)


def test_changing_severity_re_times_the_clock_and_says_so(org):
    apply_preset(name="telecom")
    received = local(2026, 11, 20, 8)
    with time_machine.travel(received, tick=False):
        complaint = services.register_complaint(
            by=org.clerk, intake=intake(received_at=received, category=Category.objects.get(code="billing"))
        )
        assert clock(complaint, "reply").due_at == received + timedelta(hours=24)
        complaint = services.correct_complaint(
            complaint=complaint,
            by=org.clerk,
            changes={"severity": Severity.objects.get(code="urgent")},
            reason="客户反映影响生产",
        )
    assert clock(complaint, "reply").due_at == received + timedelta(hours=15)
    event = complaint.events.get(action="deadlines_recomputed")
    assert event.actor is None
    assert event.data["clocks"]["reply"]["new"] == (received + timedelta(hours=15)).isoformat()


def test_clock_pauses_while_waiting_on_the_customer(org):
    apply_preset(name="liquor")
    # Liquor's 3-working-day limit never pauses (seed 000 第三篇 三: at most 7 working days in
    # all); a company that lets it pause while waiting for a sample says so in the admin.
    ClockRule.objects.filter(kind="resolution").update(pausable=True)
    quality = Category.objects.get(code="quality")
    # received Monday 2026-11-16 09:00: 3 working days → Thursday 17:30
    with time_machine.travel(local(2026, 11, 16, 9), tick=False):
        complaint = services.register_complaint(
            by=org.clerk,
            intake=intake(received_at=local(2026, 11, 16, 9), category=quality, channel="letter"),
        )
    resolution = clock(complaint, "resolution")
    assert resolution.due_at == local(2026, 11, 19, 17, 30)
    # Tuesday: waiting for the customer's sample (2 working days left: Wednesday and Thursday)
    with time_machine.travel(local(2026, 11, 17, 10), tick=False):
        complaint = perform_action(
            complaint=complaint,
            action="await_customer",
            by=org.clerk,
            inputs={"comment": "等待客户寄样"},
            version=None,
        )
    resolution.refresh_from_db()
    assert resolution.state == ClockState.PAUSED
    # the sample arrives the next Monday: the two days left count from there
    with time_machine.travel(local(2026, 11, 23, 10), tick=False):
        complaint = perform_action(
            complaint=complaint, action="resume_clocks", by=org.clerk, inputs={}, version=None
        )
    resolution.refresh_from_db()
    assert resolution.state == ClockState.RUNNING
    assert resolution.due_at == local(2026, 11, 25, 17, 30)


def test_extension_moves_the_clock_only_when_approved(org, register):
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        complaint = advance(register(), org, Status.INVESTIGATING)
        due = clock(complaint, "resolution").due_at
        complaint = perform_action(
            complaint=complaint,
            action="request_extension",
            by=org.production_handler,
            inputs={"clock": "resolution", "extra_amount": "5", "reason": "特殊情况：需返厂检测"},
            version=None,
        )
        assert clock(complaint, "resolution").due_at == due
        # the handler cannot approve their own request; the CS director can
        with pytest.raises(ActionNotAllowed):
            perform_action(
                complaint=complaint,
                action="approve_extension",
                by=org.production_handler,
                inputs={},
                version=None,
            )
        complaint = perform_action(
            complaint=complaint, action="approve_extension", by=org.director, inputs={}, version=None
        )
    assert clock(complaint, "resolution").due_at == local(2026, 11, 25, 17, 30)  # 2 + 5 working days
    assert complaint.events.last().data["due"] == {
        "old": due.isoformat(),
        "new": local(2026, 11, 25, 17, 30).isoformat(),
    }


def test_rejected_extension_leaves_the_deadline(org, register):
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        complaint = advance(register(), org, Status.INVESTIGATING)
        due = clock(complaint, "resolution").due_at
        complaint = perform_action(
            complaint=complaint,
            action="request_extension",
            by=org.production_head,
            inputs={"clock": "resolution", "extra_amount": "2", "reason": "r"},
            version=None,
        )
        complaint = perform_action(
            complaint=complaint,
            action="reject_extension",
            by=org.gm,
            inputs={"comment": "按期完成"},
            version=None,
        )
    assert clock(complaint, "resolution").due_at == due


def test_closing_a_late_complaint_needs_the_late_reason(org, register):
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        complaint = advance(register(), org, Status.INVESTIGATING)
    # the resolution comes a week late
    with time_machine.travel(local(2026, 11, 25, 10), tick=False):
        complaint = advance(complaint, org, Status.FOLLOWED_UP)
        with pytest.raises(ValidationError) as error:
            services.close_complaint(complaint=complaint, by=org.clerk)
        assert "late_reason" in error.value.message_dict
        complaint = services.close_complaint(complaint=complaint, by=org.clerk, late_reason="等待供应商配件")
    assert complaint.status == Status.CLOSED
    assert clock(complaint, "resolution").late_reason == "等待供应商配件"
    assert complaint.events.last().data == {"late_reason": "等待供应商配件"}


def test_on_time_complaint_closes_without_a_late_reason(org, register):
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        complaint = advance(register(), org, Status.CLOSED)
    assert complaint.status == Status.CLOSED


def test_withdrawal_cancels_running_clocks(org, register):
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        complaint = advance(register(), org, Status.INVESTIGATING)
        services.withdraw_complaint(complaint=complaint, by=org.clerk, comment="客户撤诉")
    assert clock(complaint, "resolution").state == ClockState.CANCELLED


def test_uncovered_year_is_a_visible_error_then_fixed_by_the_administrator(org, register):
    # accepted on 2026-12-31: the 2nd working day after it lies in 2027, which the package lacks
    with time_machine.travel(local(2026, 12, 31, 10), tick=False):
        complaint = advance(register(), org, Status.ACCEPTED)
        resolution = clock(complaint, "resolution")
        assert resolution.due_at is None
        assert "2027" in resolution.due_error
        # the administrator enters 2027's New Year holiday (Jan 1–3, say) and covers the year
        for day in (1,):
            calendar_services.set_day(
                day=datetime(2027, 1, day).date(),
                is_working_day=False,
                kind=DayKind.STATUTORY_HOLIDAY,
                name="元旦",
            )
        calendar_services.cover_year(2027)
    resolution.refresh_from_db()
    assert resolution.due_error == ""
    assert resolution.due_at == local(2027, 1, 5, 17, 30)  # Jan 1 Fri off; Mon 4, Tue 5
    assert complaint.events.filter(action="deadlines_recomputed").exists()


def test_a_company_day_off_re_times_open_clocks(org, register):
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        complaint = advance(register(), org, Status.ACCEPTED)
        calendar_services.set_day(
            day=datetime(2026, 11, 17).date(), is_working_day=False, kind=DayKind.COMPANY_DAY_OFF, name="厂庆"
        )
    assert clock(complaint, "resolution").due_at == local(2026, 11, 19, 17, 30)
    event = complaint.events.get(action="deadlines_recomputed")
    assert "2026-11-17" in event.comment


# --- policies ---------------------------------------------------------------------------------


def test_policy_that_never_fires_is_refused(db):
    policy = TimeLimitPolicy.objects.create(name="bad")
    for amount in (Decimal(0), Decimal(-3)):
        rule = ClockRule(
            policy=policy, kind="reply", amount=amount, unit="elapsed_hours", start_event="received"
        )
        with pytest.raises(ValidationError) as error:
            rule.full_clean()
        assert "amount" in error.value.message_dict
    rule = ClockRule(
        policy=policy, kind="reply", amount=Decimal(2), unit="elapsed_hours", start_event="teleported"
    )
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "start_event" in error.value.message_dict


def test_equally_specific_overlapping_policies_are_refused(db):
    quality = Category.objects.get(code="product_quality")
    urgent = Severity.objects.get(code="urgent")
    by_severity = TimeLimitPolicy.objects.create(name="urgent", severity=urgent)
    ClockRule.objects.create(
        policy=by_severity, kind="reply", amount=24, unit="elapsed_hours", start_event="received"
    )
    # an urgent phone complaint would match both, and neither is more specific
    by_channel = TimeLimitPolicy.objects.create(name="phone", channel="phone")
    rule = ClockRule(policy=by_channel, kind="reply", amount=12, unit="elapsed_hours", start_event="received")
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "urgent" in str(error.value.message_dict["kind"])
    # a different clock on the same complaints is fine
    ClockRule(
        policy=by_channel, kind="acknowledge", amount=3, unit="elapsed_hours", start_event="received"
    ).full_clean()
    # a class is more specific than a severity or a channel, and class + severity more still
    by_class = TimeLimitPolicy.objects.create(name="quality", category=quality)
    ClockRule(
        policy=by_class, kind="reply", amount=8, unit="elapsed_hours", start_event="received"
    ).full_clean()
    both = TimeLimitPolicy.objects.create(name="urgent quality", category=quality, severity=urgent)
    ClockRule(policy=both, kind="reply", amount=4, unit="elapsed_hours", start_event="received").full_clean()


def test_most_specific_policy_wins(org):
    quality = Category.objects.get(code="product_quality")
    urgent = Severity.objects.get(code="urgent")
    general = TimeLimitPolicy.objects.create(name="all")
    ClockRule.objects.create(
        policy=general, kind="reply", amount=48, unit="elapsed_hours", start_event="received"
    )
    specific = TimeLimitPolicy.objects.create(name="urgent quality", category=quality, severity=urgent)
    ClockRule.objects.create(
        policy=specific, kind="reply", amount=8, unit="elapsed_hours", start_event="received"
    )
    received = local(2026, 11, 20, 8)
    with time_machine.travel(received, tick=False):
        urgent_one = services.register_complaint(
            by=org.clerk, intake=intake(received_at=received, severity=urgent)
        )
        normal_one = services.register_complaint(by=org.clerk, intake=intake(received_at=received))
    assert clock(urgent_one, "reply").due_at == received + timedelta(hours=8)
    assert clock(normal_one, "reply").due_at == received + timedelta(hours=48)


def test_every_preset_loads_its_time_limits(db):
    for name in ("furniture", "pcb", "telecom", "liquor"):
        apply_preset(name=name)
        assert ClockRule.objects.exists(), name


def test_a_paused_clock_is_not_late_while_it_waits(org):
    # a resolution clock that pauses (liquor's does not: the company allows it in the admin); its
    # frozen due time passes while it waits
    apply_preset(name="liquor")
    ClockRule.objects.filter(kind="resolution").update(pausable=True)
    with time_machine.travel(local(2026, 11, 16, 9), tick=False):
        complaint = services.register_complaint(
            by=org.clerk,
            intake=intake(
                received_at=local(2026, 11, 16, 9),
                category=Category.objects.get(code="quality"),
                # phone and letter would also start the 24-hour first answer (seed 000 第三篇 二 1–2)
                channel="in_person",
            ),
        )
        perform_action(
            complaint=complaint,
            action="await_customer",
            by=org.clerk,
            inputs={"comment": "等样品"},
            version=None,
        )
    resolution = clock(complaint, "resolution")
    assert resolution.due_at < local(2026, 11, 30)
    assert not resolution.is_late_at(local(2026, 11, 30))
    with time_machine.travel(local(2026, 11, 30), tick=False):
        assert late_clocks(complaint) == []


def test_an_answer_given_while_forwarding_meets_the_first_answer_clock(org):
    """答复并转交 (seed 000 第一篇 4.2.3.1 2)): the customer is answered at once, so a first-answer
    clock a company sets on grievances is met then; the forwarded complaint goes on."""
    from kesu.complaints.actions import perform_action
    from kesu.complaints.models import Category
    from kesu.deadlines.models import ClockKind, ClockRule, ClockState, StartEvent, TimeLimitPolicy, Unit
    from kesu.rulebook.services import apply_preset
    from tests.conftest import intake

    apply_preset(name="furniture")
    grievance = Category.objects.get(code="grievance")
    policy = TimeLimitPolicy.objects.create(name="首次答复", category=grievance)
    ClockRule.objects.create(
        policy=policy,
        kind=ClockKind.CUSTOMER_ACK,
        amount=24,
        unit=Unit.ELAPSED_HOURS,
        start_event=StartEvent.RECEIVED,
    )
    complaint = services.register_complaint(by=org.clerk, intake=intake(category=grievance))
    assert complaint.clocks.get(kind=ClockKind.CUSTOMER_ACK).state == ClockState.RUNNING

    complaint = perform_action(
        complaint=complaint,
        action="answer_and_forward",
        by=org.director,
        inputs={"reply": "已向客户解释返利政策", "to_department": "sales", "reason": "追查业务人员责任"},
        version=None,
    )

    assert complaint.clocks.get(kind=ClockKind.CUSTOMER_ACK).state == ClockState.MET
    assert complaint.is_open
