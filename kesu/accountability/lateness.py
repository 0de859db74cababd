"""Who held a clock when it went late (§3 of issue 10): connected to deadlines'
``clock_went_late`` signal, so the record is written in the transaction that notes the clock late
and the holder is the one of that moment — a later change of handler or department does not
change it.

The holder follows the sweep's own reading of a clock (kesu.deadlines.sweeps): the handler for
the handler's clocks (first response, on-site, resolution; the department while nobody is named),
the responsible department for signing (签收), the customer-service desk — the clerk who
registered the complaint — for the desk's clocks (first answer, reply, follow-up, close), and the
approver for an approval (核决) clock, whom the clock does not name (no person, no department).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kesu.accountability.models import Capacity, ClockLateness
from kesu.deadlines.models import ClockKind, ComplaintClock
from kesu.deadlines.sweeps import DEPARTMENT_KINDS, DESK_KINDS, HANDLER_KINDS
from kesu.organization.models import Department, Staff


def holder_of(clock: ComplaintClock) -> tuple[int | None, int | None, str]:
    """(staff id, department id, capacity) of whoever holds ``clock`` now."""
    complaint = clock.complaint
    department = complaint.handling_department_id
    if clock.kind in HANDLER_KINDS:
        if complaint.handler_id is not None:
            staff_department = Staff.objects.filter(pk=complaint.handler_id).values_list(
                "department_id", flat=True
            )
            return complaint.handler_id, department or staff_department.first(), Capacity.HANDLER
        if department is not None:
            return None, department, Capacity.DEPARTMENT
    if clock.kind in DEPARTMENT_KINDS and department is not None:
        return None, department, Capacity.DEPARTMENT
    if clock.kind == ClockKind.APPROVAL:
        return None, None, Capacity.APPROVER
    # The desk's clocks, and any clock while the complaint is still at the desk.
    desk = (
        Department.objects.filter(is_customer_service=True)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    clerk = complaint.registered_by_id if clock.kind in DESK_KINDS or department is None else None
    return clerk, desk, Capacity.DESK


def record_holder(sender: Any, *, clock: ComplaintClock, at: datetime, **kwargs: Any) -> ClockLateness | None:
    """The receiver of ``clock_went_late``: one record per clock (a repeat is ignored)."""
    if clock.due_at is None or ClockLateness.objects.filter(clock_id=clock.pk).exists():
        return None
    staff, department, capacity = holder_of(clock)
    return ClockLateness.objects.create(
        clock_id=clock.pk,
        complaint_id=clock.complaint_id,
        kind=clock.kind,
        due_at=clock.due_at,
        noted_at=at,
        staff_id=staff,
        department_id=department,
        capacity=capacity,
        handling_department_id=clock.complaint.handling_department_id,
    )
