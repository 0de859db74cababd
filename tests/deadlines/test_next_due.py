"""``Complaint.next_due_at`` — the earliest due time of the complaint's running clocks, kept on the
complaint for the workbench — stays equal to a recomputation from the clocks after every action
that starts, stops, pauses, resumes or re-times a clock. Each step below also checks that the
value moved, so a write path that forgets to keep the field fails here."""

from __future__ import annotations

from datetime import date, datetime

import time_machine
from django.db.models import Min

from kesu.complaints import services
from kesu.complaints.actions import perform_action
from kesu.complaints.models import Category, Complaint, Status
from kesu.deadlines.models import ClockRule, ClockState, ComplaintClock
from kesu.rulebook.services import apply_preset
from kesu.workcalendar import services as calendar_services
from kesu.workcalendar.models import DayKind
from tests.conftest import advance, intake, local


def kept(complaint: Complaint) -> datetime | None:
    """The stored field, checked against the clocks; returns it."""
    stored = Complaint.objects.values_list("next_due_at", flat=True).get(pk=complaint.pk)
    running = ComplaintClock.objects.filter(complaint=complaint, state=ClockState.RUNNING)
    assert stored == running.aggregate(next=Min("due_at"))["next"]
    return stored


def test_kept_through_the_main_path_an_extension_and_a_calendar_change(org, register):
    with time_machine.travel(local(2026, 11, 16, 9), tick=False):
        complaint = register(received_at=local(2026, 11, 16, 8, 30))
        assert kept(complaint) is None  # the furniture preset starts nothing at registration
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        complaint = advance(complaint, org, Status.TRANSFER_APPROVED)
        assert kept(complaint) is None
        complaint = advance(complaint, org, Status.ACCEPTED)  # the resolution clock starts
        accepted = kept(complaint)
        assert accepted == local(2026, 11, 18, 17, 30)

        # an approved extension moves it
        complaint = advance(complaint, org, Status.INVESTIGATING)
        complaint = perform_action(
            complaint=complaint,
            action="request_extension",
            by=org.production_handler,
            inputs={"clock": "resolution", "extra_amount": "2", "reason": "需返厂检测"},
            version=None,
        )
        assert kept(complaint) == accepted  # asked, not approved
        complaint = perform_action(
            complaint=complaint, action="approve_extension", by=org.director, inputs={}, version=None
        )
        extended = kept(complaint)
        assert extended == local(2026, 11, 20, 17, 30)

        # a company day off re-times it (the calendar's own write path)
        calendar_services.set_day(
            day=date(2026, 11, 17), is_working_day=False, kind=DayKind.COMPANY_DAY_OFF, name="厂庆"
        )
        assert kept(complaint) == local(2026, 11, 23, 17, 30)

        # proposing the resolution meets the clock; the reply clock (if any) takes over
        complaint = advance(complaint, org, Status.RESOLUTION_PROPOSED)
        proposed = kept(complaint)
        assert proposed != local(2026, 11, 23, 17, 30)
        complaint = advance(complaint, org, Status.CLOSED)
        assert kept(complaint) is None


def test_kept_while_a_clock_pauses_and_resumes(org):
    apply_preset(name="liquor")
    ClockRule.objects.filter(kind="resolution").update(pausable=True)  # liquor's never pauses
    with time_machine.travel(local(2026, 11, 16, 9), tick=False):
        complaint = services.register_complaint(
            by=org.clerk,
            intake=intake(
                received_at=local(2026, 11, 16, 9),
                category=Category.objects.get(code="quality"),
                channel="in_person",
            ),
        )
        running = kept(complaint)
        assert running == local(2026, 11, 19, 17, 30)
    with time_machine.travel(local(2026, 11, 17, 10), tick=False):
        complaint = perform_action(
            complaint=complaint,
            action="await_customer",
            by=org.clerk,
            inputs={"comment": "等待客户寄样"},
            version=None,
        )
        paused = kept(complaint)
        assert paused != running  # a paused clock does not count
    with time_machine.travel(local(2026, 11, 23, 10), tick=False):
        complaint = perform_action(
            complaint=complaint, action="resume_clocks", by=org.clerk, inputs={}, version=None
        )
        assert kept(complaint) == local(2026, 11, 25, 17, 30)


def test_kept_when_the_policy_changes_and_when_the_complaint_is_withdrawn(org):
    apply_preset(name="liquor")  # phone: a first answer within 24 hours; every channel: 3 working days
    received = local(2026, 11, 16, 9)
    with time_machine.travel(received, tick=False):
        complaint = services.register_complaint(
            by=org.clerk,
            intake=intake(
                received_at=received, category=Category.objects.get(code="quality"), channel="phone"
            ),
        )
        assert kept(complaint) == local(2026, 11, 17, 9)
        complaint = services.correct_complaint(
            complaint=complaint, by=org.clerk, changes={"channel": "in_person"}, reason="实为来访"
        )
        assert kept(complaint) == local(2026, 11, 19, 17, 30)  # the first-answer clock no longer applies
        services.withdraw_complaint(complaint=complaint, by=org.clerk, comment="客户撤诉")
        assert kept(complaint) is None


def test_existing_complaints_are_filled_by_the_migration(org, register):
    from django.apps import apps as registry
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        complaint = advance(register(), org, Status.ACCEPTED)
    Complaint.objects.filter(pk=complaint.pk).update(next_due_at=None)  # as before the field existed

    fill = MigrationExecutor(connection).loader.get_migration("deadlines", "0004_fill_next_due_at")
    fill.operations[0].code(registry, connection.schema_editor())

    assert kept(complaint) == local(2026, 11, 18, 17, 30)
