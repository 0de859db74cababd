"""Actions on a complaint's clocks, taken by people: wait for the customer (pause), resume, record
the delivery of repaired goods, request and decide an extension (延期). Each is a workflow action
(permission-checked, versioned, on the timeline) like every other complaint action."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.complaints.models import Complaint
from kesu.complaints.services import lock_for_action, record_action, require_fields
from kesu.deadlines.clocks import compute_due, iso, remaining, sync_next_due
from kesu.deadlines.models import ClockState, ComplaintClock, ExtensionRequest
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
        return record_action(
            locked,
            capacity,
            "record_delivery",
            comment=comment,
            data={"delivered_at": iso(delivered_at)},
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


# Guards: these actions are offered only when they can do something.
def has_running_pausable_clock(complaint: Complaint) -> str | None:
    if complaint.clocks.filter(state=ClockState.RUNNING, pausable=True).exists():
        return None
    return _("No clock of this complaint pauses while waiting on the customer.")


def has_paused_clock(complaint: Complaint) -> str | None:
    return None if complaint.clocks.filter(state=ClockState.PAUSED).exists() else _("No clock is paused.")


def can_request_extension(complaint: Complaint) -> str | None:
    if not complaint.clocks.filter(state__in=[ClockState.RUNNING, ClockState.PAUSED]).exists():
        return _("No clock is running.")
    if ExtensionRequest.objects.filter(
        clock__complaint=complaint, state=ExtensionRequest.State.PENDING
    ).exists():
        return _("An extension request is already waiting for a decision.")
    return None


def has_pending_extension(complaint: Complaint) -> str | None:
    pending = ExtensionRequest.objects.filter(
        clock__complaint=complaint, state=ExtensionRequest.State.PENDING
    )
    return None if pending.exists() else _("No extension request is waiting for a decision.")
