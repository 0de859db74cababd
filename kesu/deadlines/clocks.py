"""Clocks on complaints: started and stopped by the complaint's own timeline, inside the same
transaction as the action that starts or stops them.

Which action starts which event and stops which clock is written out here, in two tables. A clock
copies its rule's terms when it starts; its due time is computed on the working calendar and is
recomputed (with a timeline entry) when the complaint's class or severity changes or the calendar
is edited. A due time that cannot be computed (a year the calendar does not cover) is stored as a
visible error on the clock, never as a wrong date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.complaints.models import Complaint, ComplaintEvent, Status
from kesu.deadlines.models import ClockKind, ClockRule, ClockState, ComplaintClock, StartEvent, Unit
from kesu.deadlines.policies import rules_for
from kesu.deadlines.signals import clock_went_late
from kesu.workcalendar.calendar import CalendarNotCovered, WorkingCalendar
from kesu.workcalendar.selectors import get_calendar

# Timeline action → the events it marks (a clock counting from that event starts then).
STARTS: dict[str, tuple[str, ...]] = {
    "registered": (StartEvent.RECEIVED, StartEvent.REGISTERED),
    "approve_transfer": (StartEvent.TRANSFERRED,),
    "accept_transfer": (StartEvent.ACCEPTED,),
    "propose_resolution": (StartEvent.RESOLUTION_PROPOSED,),
    "reply_to_customer": (StartEvent.REPLIED,),
    "record_delivery": (StartEvent.GOODS_DELIVERED,),
    "approval_requested": (StartEvent.APPROVAL_REQUESTED,),  # kesu.approvals: 呈核
}

# Clock kind → the timeline actions that meet it.
STOPS: dict[str, frozenset[str]] = {
    ClockKind.ACKNOWLEDGE: frozenset({"accept_transfer", "answer_on_spot"}),
    ClockKind.FIRST_RESPONSE: frozenset(
        {"start_investigation", "reply_to_customer", "answer_on_spot", "answer_and_forward"}
    ),
    # The desk's first answer (初步答复); a final reply, an answer on the spot or an answer given
    # while forwarding the complaint (答复并转交) also answers. The final reply (REPLY) still waits:
    # the forwarded complaint goes on to a decision the customer is told.
    ClockKind.CUSTOMER_ACK: frozenset(
        {"acknowledge_customer", "reply_to_customer", "answer_on_spot", "answer_and_forward"}
    ),
    ClockKind.ON_SITE: frozenset({"start_investigation"}),
    # A committee's agreed determination (kesu.committees: every member agreed, the quality memo
    # 质量投诉处理备忘单 is complete, seed 000 4.2.3.3 ⑦) is the resolution proposed too.
    ClockKind.RESOLUTION: frozenset({"propose_resolution", "answer_on_spot", "committee_agreed"}),
    ClockKind.REPLY: frozenset({"reply_to_customer", "answer_on_spot"}),
    ClockKind.CLOSE: frozenset({"close", "answer_on_spot"}),
    ClockKind.FOLLOW_UP: frozenset({"record_follow_up"}),
    ClockKind.APPROVAL: frozenset({"approval_decided"}),  # kesu.approvals: 核决 (one level decided)
}

# Actions after which no clock of the complaint runs any more.
ENDS = frozenset({"mark_not_upheld", "withdraw", "close", "answer_on_spot"})
# Actions that can change which policy applies.
RECLASSIFIES = frozenset({"classify", "correct"})

ACTIVE = (ClockState.RUNNING, ClockState.PAUSED)


def add_amount(
    calendar: WorkingCalendar, unit: str, start: datetime, amount: Decimal, *, count_start_day: bool
) -> datetime:
    """``start`` plus ``amount`` of ``unit``. Raises CalendarNotCovered for an uncovered year."""
    match unit:
        case Unit.ELAPSED_HOURS:
            return start + timedelta(hours=float(amount))
        case Unit.CALENDAR_DAYS:
            return start + timedelta(days=float(amount))
        case Unit.WORKING_HOURS:
            return calendar.add_working_hours(start, amount)
        case Unit.WORKING_DAYS:
            return calendar.end_of_nth_working_day(start, int(amount), count_receipt_day=count_start_day)
    raise ValueError(f"unknown unit {unit!r}")


def remaining(calendar: WorkingCalendar, clock: ComplaintClock, at: datetime) -> Decimal:
    """What is left of a clock at ``at``, in its own unit (negative when overdue)."""
    assert clock.due_at is not None
    match clock.unit:
        case Unit.ELAPSED_HOURS:
            return Decimal(str((clock.due_at - at).total_seconds() / 3600))
        case Unit.CALENDAR_DAYS:
            return Decimal(str((clock.due_at - at).total_seconds() / 86400))
        case Unit.WORKING_HOURS:
            if at >= clock.due_at:
                return -Decimal(str((at - clock.due_at).total_seconds() / 3600))
            return Decimal(str(calendar.working_hours_between(at, clock.due_at).total_seconds() / 3600))
        case Unit.WORKING_DAYS:
            tz = calendar.hours.tz
            return Decimal(
                calendar.working_days_between(at.astimezone(tz).date(), clock.due_at.astimezone(tz).date())
            )
    raise ValueError(clock.unit)


def compute_due(clock: ComplaintClock, calendar: WorkingCalendar | None = None) -> None:
    """Set ``due_at`` (or ``due_error``) from the clock's terms: from its start, or from its last
    resumption with what was left when it paused; then any approved extension on top."""
    calendar = calendar or get_calendar()
    try:
        if clock.resumed_at is not None and clock.remaining_when_paused is not None:
            due = add_amount(
                calendar,
                clock.unit,
                clock.resumed_at,
                max(clock.remaining_when_paused, Decimal(0)),
                count_start_day=False,
            )
        else:
            due = add_amount(
                calendar, clock.unit, clock.started_at, clock.amount, count_start_day=clock.count_start_day
            )
        if clock.extended_by:
            due = add_amount(calendar, clock.unit, due, clock.extended_by, count_start_day=False)
    except CalendarNotCovered as exc:
        clock.due_at, clock.due_error = None, str(exc)
        return
    clock.due_at, clock.due_error = due, ""


def sync_next_due(complaint: Complaint, clocks: Iterable[ComplaintClock] | None = None) -> None:
    """Keep ``Complaint.next_due_at`` (the earliest due time of the complaint's running clocks, None
    when none runs) in step with its clocks. Every write that starts, stops, pauses, resumes or
    re-times a clock calls this in its own transaction, after the change; the workbench sorts on
    the field. ``clocks``: all the complaint's running and paused clocks as they now are, when the
    caller holds them (saves a query). ``complaint`` must be freshly read (locked) in this
    transaction: an unchanged value is not written again."""
    if clocks is None:
        # All of the complaint's clocks (a handful), not MIN() over its running ones: without
        # statistics SQLite answers that from the (state, due_at) index, i.e. by reading every
        # running clock of every complaint.
        timed = complaint.clocks.order_by().values_list("state", "due_at")
    else:
        timed = [(c.state, c.due_at) for c in clocks]
    due = min((at for state, at in timed if state == ClockState.RUNNING and at), default=None)
    if due != complaint.next_due_at:
        Complaint.objects.filter(pk=complaint.pk).update(next_due_at=due)
        complaint.next_due_at = due


def _start_clock(
    complaint: Complaint, rule: ClockRule, started_at: datetime, calendar: WorkingCalendar
) -> ComplaintClock:
    clock = ComplaintClock(
        complaint=complaint,
        kind=rule.kind,
        rule=rule,
        amount=rule.amount,
        unit=rule.unit,
        count_start_day=rule.count_start_day,
        pausable=rule.pausable,
        remind_before_hours=rule.remind_before_hours,
        max_extension=rule.max_extension,
        started_at=started_at,
    )
    compute_due(clock, calendar)
    clock.save()
    return clock


def _system_event(complaint: Complaint, action: str, data: dict, comment: str = "") -> ComplaintEvent:
    """A timeline entry written by Kesu itself (no actor), e.g. a recomputed deadline."""
    return ComplaintEvent.objects.create(
        complaint=complaint,
        action=action,
        actor=None,
        from_status=complaint.status,
        to_status=complaint.status,
        comment=comment,
        data=data,
    )


def on_complaint_event(event: ComplaintEvent) -> None:
    """Start, stop and re-time the complaint's clocks for one new timeline entry."""
    if event.actor_id is None:
        return  # our own entries (reminders, recomputations) never move clocks
    complaint = event.complaint
    action = event.action
    if action in ENDS and event.data.get("late_reason"):
        for clock in late_clocks(complaint, now=event.at):
            clock.late_reason = event.data["late_reason"]
            clock.save(update_fields=["late_reason"])

    # A new complaint has no clocks yet: no need to look.
    active = [] if action == "registered" else list(complaint.clocks.filter(state__in=ACTIVE))
    stopped = False
    for clock in active:
        if action in STOPS.get(clock.kind, ()):
            clock.state, clock.stopped_at = ClockState.MET, event.at
            clock.save(update_fields=["state", "stopped_at"])
            stopped = True
            if clock.due_at is not None and event.at > clock.due_at and clock.late_noted_at is None:
                note_late_at_stop(clock, at=event.at)
        elif action in ENDS:
            clock.state, clock.stopped_at = ClockState.CANCELLED, event.at
            clock.save(update_fields=["state", "stopped_at"])
            stopped = True
    if action in RECLASSIFIES:
        recompute_for_policy(complaint, at=event.at)  # keeps next_due_at in step itself

    if action == "record_delivery":
        stopped = _retime_from_delivery(event, active) or stopped
    started = _start_clocks_for(event, active)
    if stopped or started:
        # After a re-timing by policy the clocks in hand are stale: read them again.
        sync_next_due(complaint, None if action in RECLASSIFIES else [*active, *started])


def _start_clocks_for(event: ComplaintEvent, active: list[ComplaintClock]) -> list[ComplaintClock]:
    """The clocks ``event`` starts (none of a kind already running or paused)."""
    complaint, action = event.complaint, event.action
    starts = set(STARTS.get(action, ()))
    if action == "propose_transfer" and event.to_status == Status.TRANSFER_APPROVED:
        starts.add(StartEvent.TRANSFERRED)  # the class needs no GM approval: transferred at once
    if action == "approval_decided" and event.data.get("approval_status") == "pending":
        starts.add(StartEvent.APPROVAL_REQUESTED)  # a level decided, the next one waits: its own limit
    if not starts or complaint.status in (Status.CLOSED, Status.NOT_UPHELD, Status.WITHDRAWN):
        return []
    to_start = [rule for rule in rules_for(complaint).values() if rule.start_event in starts]
    if not to_start:
        return []
    running_kinds = {c.kind for c in active if c.state in ACTIVE}
    calendar = get_calendar()
    started = []
    for rule in to_start:
        if rule.kind not in running_kinds:
            started.append(_start_clock(complaint, rule, _started_at(event, rule.start_event), calendar))
    return started


def _started_at(event: ComplaintEvent, start_event: str) -> datetime:
    """When a clock counting from ``start_event`` starts: receipt counts from the time received;
    a delivery from the delivery time the action gave (seed 000 furniture 4.4 1): 返修产品交货期第2天
    — the day the goods were delivered, not the day it was typed in); anything else from the event."""
    if start_event == StartEvent.RECEIVED:
        return event.complaint.received_at
    if start_event == StartEvent.GOODS_DELIVERED and event.data.get("delivered_at"):
        return datetime.fromisoformat(event.data["delivered_at"])
    return event.at


def _retime_from_delivery(event: ComplaintEvent, active: list[ComplaintClock]) -> bool:
    """A delivery recorded again (e.g. a corrected date) moves the clocks that count from it."""
    moved = False
    for clock in active:
        if (
            clock.state == ClockState.RUNNING
            and clock.rule
            and clock.rule.start_event == StartEvent.GOODS_DELIVERED
        ):
            clock.started_at = _started_at(event, StartEvent.GOODS_DELIVERED)
            compute_due(clock)
            clock.save(update_fields=["started_at", "due_at", "due_error"])
            moved = True
    return moved


def recompute_for_policy(complaint: Complaint, *, at: datetime) -> None:
    """After a change of class, severity or channel: clocks follow the policy that now applies.
    Running clocks take the new terms; clocks whose kind no longer applies are cancelled; clocks
    counting from receipt or registration that now apply are started."""
    rules = rules_for(complaint)
    calendar = get_calendar()
    changes: dict[str, dict[str, str | None]] = {}
    active = {c.kind: c for c in complaint.clocks.filter(state__in=ACTIVE)}
    for kind, clock in active.items():
        rule = rules.get(kind)
        old = clock.due_at
        if rule is None:
            clock.state, clock.stopped_at = ClockState.CANCELLED, at
            clock.save(update_fields=["state", "stopped_at"])
            changes[kind] = {"old": iso(old), "new": None}
            continue
        if rule.pk == clock.rule_id:
            continue
        clock.rule, clock.amount, clock.unit = rule, rule.amount, rule.unit
        clock.count_start_day, clock.pausable = rule.count_start_day, rule.pausable
        clock.remind_before_hours = rule.remind_before_hours
        clock.max_extension = rule.max_extension
        compute_due(clock, calendar)
        clock.save()
        if clock.due_at != old:
            changes[kind] = {"old": iso(old), "new": iso(clock.due_at)}
    started_kinds = set(complaint.clocks.values_list("kind", flat=True))
    for kind, rule in rules.items():
        if (
            kind not in active
            and kind not in started_kinds
            and rule.start_event
            in (
                StartEvent.RECEIVED,
                StartEvent.REGISTERED,
            )
        ):
            start = (
                complaint.received_at if rule.start_event == StartEvent.RECEIVED else complaint.registered_at
            )
            clock = _start_clock(complaint, rule, start, calendar)
            changes[kind] = {"old": None, "new": iso(clock.due_at)}
    if changes:
        sync_next_due(complaint)
        _system_event(complaint, "deadlines_recomputed", {"clocks": changes, "cause": "policy"})


def recompute_for_calendar(*, reason: str) -> int:
    """After the working calendar changed: re-time every open clock counted in working time (and
    every clock that could not be timed), with a timeline entry on each complaint that moved."""
    calendar = get_calendar()
    clocks = (
        ComplaintClock.objects.filter(state__in=ACTIVE)
        .filter(Q(unit__in=[Unit.WORKING_DAYS, Unit.WORKING_HOURS]) | ~Q(due_error=""))
        .select_related("complaint")
        .order_by("complaint_id", "id")
    )
    moved: dict[int, dict[str, dict[str, str | None]]] = {}
    complaints: dict[int, Complaint] = {}
    for clock in clocks.iterator(chunk_size=2000):
        if clock.state == ClockState.PAUSED:
            continue  # re-timed when it resumes
        old, old_error = clock.due_at, clock.due_error
        compute_due(clock, calendar)
        if (clock.due_at, clock.due_error) != (old, old_error):
            clock.save(update_fields=["due_at", "due_error"])
            moved.setdefault(clock.complaint_id, {})[clock.kind] = {
                "old": iso(old),
                "new": iso(clock.due_at),
            }
            complaints[clock.complaint_id] = clock.complaint
    for complaint_id, changes in moved.items():
        sync_next_due(complaints[complaint_id])
        _system_event(
            complaints[complaint_id], "deadlines_recomputed", {"clocks": changes, "cause": "calendar"}, reason
        )
    return len(moved)


def iso(value: datetime | None) -> str | None:
    """A due time for the timeline: ISO 8601 in the company's time zone, as people read it."""
    return timezone.localtime(value).isoformat() if value else None


def note_late_at_stop(clock: ComplaintClock, *, at: datetime) -> None:
    """A clock met after its due time that no sweep noticed: note it late now (signals)."""
    claimed = ComplaintClock.objects.filter(pk=clock.pk, late_noted_at__isnull=True).update(late_noted_at=at)
    if claimed:
        clock.late_noted_at = at
        clock_went_late.send(sender=ComplaintClock, clock=clock, at=at)


def late_clocks(complaint: Complaint, *, now: datetime | None = None) -> list[ComplaintClock]:
    """Clocks met late, or still running past their due time (ComplaintClock.is_late_at)."""
    now = now or timezone.now()
    return [clock for clock in complaint.clocks.exclude(due_at=None) if clock.is_late_at(now)]


def require_late_reason(complaint: Complaint, inputs: dict) -> None:
    """Closing a late complaint needs the reason it was late (洽办单)."""
    if late_clocks(complaint) and not (inputs.get("late_reason") or "").strip():
        raise ValidationError(
            {"late_reason": [_("This complaint missed a time limit: give the reason it was late (洽办).")]}
        )
