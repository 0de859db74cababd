"""Actions on a complaint's clocks, taken by people: wait for the customer (pause), resume, record
the delivery of repaired goods, give the customer a first answer (初步答复), request and decide an
extension (延期). Each is a workflow action (permission-checked, versioned, on the timeline) like
every other complaint action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.complaints.models import Complaint
from kesu.complaints.services import lock_for_action, record_action, require_fields
from kesu.deadlines.clocks import compute_due, iso, remaining, sync_next_due
from kesu.deadlines.models import ClockKind, ClockState, ComplaintClock, ExtensionRequest, StartEvent
from kesu.deadlines.policies import rules_for
from kesu.organization.models import Staff
from kesu.workcalendar.selectors import get_calendar


def await_customer(*, complaint: Complaint, by: Staff, comment: str, version: int | None = None) -> Complaint:
    """Pause the clocks that may pause while the complaint waits on the customer or a sample."""
    require_fields(comment=comment.strip())
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "await_customer", by, version)
        now, calendar = timezone.now(), get_calendar()
        paused = []
        for clock in locked.clocks.select_for_update().filter(state=ClockState.RUNNING, pausable=True):
            clock.remaining_when_paused = remaining(calendar, clock, now) if clock.due_at else clock.amount
            clock.state, clock.paused_at = ClockState.PAUSED, now
            clock.save()
            paused.append(clock.kind)
        sync_next_due(locked)
        return record_action(locked, capacity, "await_customer", comment=comment, data={"paused": paused})


def resume_clocks(
    *, complaint: Complaint, by: Staff, comment: str = "", version: int | None = None
) -> Complaint:
    """The customer answered (or the sample arrived): paused clocks run again with what was left."""
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "resume_clocks", by, version)
        now, calendar = timezone.now(), get_calendar()
        resumed = {}
        for clock in locked.clocks.select_for_update().filter(state=ClockState.PAUSED):
            clock.state, clock.resumed_at = ClockState.RUNNING, now
            compute_due(clock, calendar)
            clock.save()
            resumed[clock.kind] = iso(clock.due_at)
        sync_next_due(locked)
        return record_action(locked, capacity, "resume_clocks", comment=comment, data={"resumed": resumed})


def record_delivery(
    *,
    complaint: Complaint,
    by: Staff,
    delivered_at: datetime | None = None,
    comment: str = "",
    version: int | None = None,
) -> Complaint:
    """The repaired or replaced goods reached the customer; the quality follow-up counts from here."""
    delivered_at = delivered_at or timezone.now()
    if delivered_at > timezone.now():
        raise ValidationError({"delivered_at": [_("Cannot be in the future.")]})
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "record_delivery", by, version)
        if delivered_at < locked.received_at:
            raise ValidationError({"delivered_at": [_("Cannot be before the complaint was received.")]})
        return record_action(
            locked,
            capacity,
            "record_delivery",
            comment=comment,
            data={"delivered_at": iso(delivered_at)},
        )


def acknowledge_customer(
    *, complaint: Complaint, by: Staff, reply: str, version: int | None = None
) -> Complaint:
    """The desk's first answer to the customer (初步答复, ISO 10002 acknowledgement): what the desk
    told the customer, e.g. "received, the quality department investigates, answer within 3 working
    days". It meets the first-answer clock (seed 000 liquor 二 1: 在24小时答复客户) and leaves the
    status as it is: the final reply is still to come."""
    require_fields(reply=reply.strip())
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "acknowledge_customer", by, version)
        return record_action(locked, capacity, "acknowledge_customer", comment=reply, data={})


def _plain(amount: Decimal) -> str:
    """4.00 → "4", 0.50 → "0.5"."""
    return f"{Decimal(amount).normalize():f}"


def _check_extension_cap(clock: ComplaintClock, extra_amount: Decimal) -> None:
    """The rule book's most extra time in total (e.g. liquor: 3 working days, special cases at
    most 7, so 4 more) is never exceeded, whatever was approved before."""
    if clock.max_extension is None:
        return
    left = clock.max_extension - clock.extended_by
    if extra_amount > left:
        raise ValidationError(
            {
                "extra_amount": [
                    _(
                        "The rule book allows at most %(max)s %(unit)s of extra time on this clock "
                        "in total; %(used)s already approved, so at most %(left)s more."
                    )
                    % {
                        "max": _plain(clock.max_extension),
                        "unit": clock.get_unit_display(),
                        "used": _plain(clock.extended_by),
                        "left": _plain(max(left, Decimal(0))),
                    }
                ]
            }
        )


def request_extension(
    *,
    complaint: Complaint,
    by: Staff,
    clock: str,
    extra_amount: Decimal,
    reason: str,
    version: int | None = None,
) -> Complaint:
    """Ask for more time on one clock, in that clock's unit ("special case: +4 working days")."""
    require_fields(clock=clock, extra_amount=extra_amount, reason=reason.strip())
    if extra_amount <= 0:
        raise ValidationError({"extra_amount": [_("Must be more than zero.")]})
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "request_extension", by, version)
        target = locked.clocks.filter(kind=clock, state__in=[ClockState.RUNNING, ClockState.PAUSED]).first()
        if target is None:
            raise ValidationError({"clock": [_("No such clock is running on this complaint.")]})
        _check_extension_cap(target, extra_amount)
        request = ExtensionRequest.objects.create(
            clock=target, extra_amount=extra_amount, reason=reason, requested_by=capacity.actor
        )
        return record_action(
            locked,
            capacity,
            "request_extension",
            comment=reason,
            data={"request": request.pk, "clock": clock, "extra": str(extra_amount), "unit": target.unit},
        )


def _pending(complaint: Complaint) -> ExtensionRequest:
    return (
        ExtensionRequest.objects.select_for_update()
        .select_related("clock")
        .filter(clock__complaint=complaint, state=ExtensionRequest.State.PENDING)
        .earliest("requested_at", "id")
    )


def approve_extension(
    *, complaint: Complaint, by: Staff, comment: str = "", version: int | None = None
) -> Complaint:
    """Approve the pending extension: only now does the clock move."""
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "approve_extension", by, version)
        request = _pending(locked)
        clock: ComplaintClock = request.clock
        _check_extension_cap(clock, request.extra_amount)
        old_due = clock.due_at
        clock.extended_by += request.extra_amount
        if clock.state == ClockState.PAUSED and clock.remaining_when_paused is not None:
            clock.save(update_fields=["extended_by"])  # applied when it resumes
        else:
            compute_due(clock)
            clock.save(update_fields=["extended_by", "due_at", "due_error"])
            sync_next_due(locked)
        request.state, request.decided_by, request.decided_at = (
            ExtensionRequest.State.APPROVED,
            capacity.actor,
            timezone.now(),
        )
        request.save()
        return record_action(
            locked,
            capacity,
            "approve_extension",
            comment=comment,
            data={
                "request": request.pk,
                "clock": clock.kind,
                "due": {
                    "old": old_due.isoformat() if old_due else None,
                    "new": clock.due_at.isoformat() if clock.due_at else None,
                },
            },
        )


def reject_extension(
    *, complaint: Complaint, by: Staff, comment: str, version: int | None = None
) -> Complaint:
    require_fields(comment=comment.strip())
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "reject_extension", by, version)
        request = _pending(locked)
        request.state, request.decided_by, request.decided_at = (
            ExtensionRequest.State.REJECTED,
            capacity.actor,
            timezone.now(),
        )
        request.save()
        return record_action(
            locked,
            capacity,
            "reject_extension",
            comment=comment,
            data={"request": request.pk, "clock": request.clock.kind},
        )


def delivery_awaited(complaint: Complaint) -> bool:
    """The complaint's follow-up visit counts from the delivery of the repaired goods, and no
    delivery has been recorded yet."""
    rule = rules_for(complaint).get(ClockKind.FOLLOW_UP)
    if rule is None or rule.start_event != StartEvent.GOODS_DELIVERED:
        return False
    return not complaint.events.filter(action="record_delivery").exists()


def require_what_the_visit_follows(complaint: Complaint, inputs: dict) -> None:
    """A follow-up visit cannot come before what it follows: the visit's clock counts from an event
    (seed 000 furniture 4.4: quality complaints on the 2nd day after the repaired goods were
    delivered, 返修产品交货期第2天; others 15 days after the reply, 回复客户处理意见后15天). Until that
    event happened — for quality complaints, until the delivery is recorded — the visit is refused.
    (The reply itself is required by the lifecycle: a visit is recorded only on a replied complaint.)"""
    if delivery_awaited(complaint):
        raise ValidationError(
            {
                "comment": [
                    _(
                        "The follow-up visit for this complaint is due after the repaired goods are "
                        "delivered: record the delivery first."
                    )
                ]
            }
        )


@dataclass(frozen=True)
class _ClockFact:
    kind: str
    state: str
    pausable: bool
    pending_extension: bool


_FACTS = "_kesu_clock_facts"


def _clock_facts(complaint: Complaint) -> tuple[_ClockFact, ...]:
    """What the clock guards ask, in one query, kept on the complaint object for its version: the
    page and the API offer actions after evaluating every guard, and the clocks only change with
    an action, which changes the version."""
    memo = complaint.__dict__.get(_FACTS)
    if memo is not None and memo[0] == complaint.version:
        return memo[1]
    # Plain SQL: this runs for every page, API answer and hand-over, and compiling the ORM's
    # EXISTS annotation cost more than the query itself.
    clocks, extensions = ComplaintClock._meta.db_table, ExtensionRequest._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.kind, c.state, c.pausable, EXISTS (SELECT 1 FROM {extensions} e"
            f" WHERE e.clock_id = c.id AND e.state = %s) FROM {clocks} c WHERE c.complaint_id = %s",
            [ExtensionRequest.State.PENDING, complaint.pk],
        )
        facts = tuple(
            _ClockFact(kind, state, bool(pausable), bool(pending))
            for kind, state, pausable, pending in cursor.fetchall()
        )
    complaint.__dict__[_FACTS] = (complaint.version, facts)
    return facts


def has_open_customer_ack(complaint: Complaint) -> str | None:
    facts = _clock_facts(complaint)
    if any(f.kind == ClockKind.CUSTOMER_ACK and f.state == ClockState.RUNNING for f in facts):
        return None
    return _("No first answer to the customer is due.")


# Guards: these actions are offered only when they can do something.
def has_running_pausable_clock(complaint: Complaint) -> str | None:
    if any(f.state == ClockState.RUNNING and f.pausable for f in _clock_facts(complaint)):
        return None
    return _("No clock of this complaint pauses while waiting on the customer.")


def has_paused_clock(complaint: Complaint) -> str | None:
    if any(f.state == ClockState.PAUSED for f in _clock_facts(complaint)):
        return None
    return _("No clock is paused.")


def can_request_extension(complaint: Complaint) -> str | None:
    facts = _clock_facts(complaint)
    if not any(f.state in (ClockState.RUNNING, ClockState.PAUSED) for f in facts):
        return _("No clock is running.")
    if any(f.pending_extension for f in facts):
        return _("An extension request is already waiting for a decision.")
    return None


def has_pending_extension(complaint: Complaint) -> str | None:
    if any(f.pending_extension for f in _clock_facts(complaint)):
        return None
    return _("No extension request is waiting for a decision.")
