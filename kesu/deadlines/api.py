"""The deadlines endpoints of /api/v1/: on-time figures. Parse, call, render."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from kesu.complaints.models import Complaint
from kesu.complaints.schemas import ErrorOut
from kesu.complaints.selectors import complaints_visible_to
from kesu.deadlines.figures import default_period, figures, late_cases
from kesu.deadlines.models import HandlingTimeTarget
from kesu.deadlines.schemas import FiguresOut, FiguresParams
from kesu.deadlines.selectors import ClockView, clocks_of
from kesu.organization.models import Staff

router = Router(tags=["figures"])


@router.get(
    "/figures", response={200: FiguresOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut}, summary="Figures"
)
def figures_endpoint(request: HttpRequest, params: Query[FiguresParams]) -> dict[str, Any]:
    """On-time rate and average handling time (from receipt to the final reply) by department, class,
    severity or month, over the complaints the caller may see."""
    staff: Staff = request.auth
    until = params.until or default_period()[1]
    since = params.since or default_period(until)[0]
    if until < since:
        raise ValidationError({"until": [_("The end date is before the start date.")]})
    visible = complaints_visible_to(staff=staff)
    rows = figures(by=params.by, since=since, until=until, complaints=visible)
    late = late_cases(since=since, until=until, complaints=visible)
    return {
        "by": params.by,
        "since": since,
        "until": until,
        "target_average_hours": HandlingTimeTarget.current_hours(),
        "rows": [
            {
                "key": r.key,
                "clocks_due": r.clocks_due,
                "on_time": r.on_time,
                "late": r.late,
                "on_time_rate": r.on_time_rate,
                "closed": r.closed,
                "replied": r.replied,
                "average_handling_hours": r.average_handling_hours,
                "above_target": r.above_target,
            }
            for r in rows
        ],
        "late_cases": [
            {
                "number": c.number,
                "clock": c.kind,
                "clock_label": c.kind_label,
                "due_at": c.due_at,
                "met_at": c.met_at,
                "late_reason": c.late_reason,
            }
            for c in late
        ],
    }


def _person(staff: Staff | None) -> dict[str, str] | None:
    return None if staff is None else {"username": staff.user.get_username(), "name": staff.display_name}


def clocks_out(complaint: Complaint) -> list[dict[str, Any]]:
    """The complaint's time limits as its API detail shows them (``clocks``, ClockOut)."""
    return [_clock(clock) for clock in clocks_of(complaint)]


def _clock(clock: ClockView) -> dict[str, Any]:
    return {
        "kind": clock.kind,
        "kind_label": clock.kind_label,
        "state": clock.state,
        "standing": clock.standing,
        "unit": clock.unit,
        "started_at": clock.started_at,
        "due_at": clock.due_at,
        "due_error": clock.due_error,
        "paused": clock.paused,
        "overdue": clock.overdue,
        "remaining_seconds": clock.remaining_seconds,
        "stopped_at": clock.stopped_at,
        "escalation_level": clock.escalation_level,
        "late_reason": clock.late_reason,
        "extensions": [
            {
                "extra_amount": float(e.extra_amount),
                "unit": e.unit,
                "reason": e.reason,
                "state": e.state,
                "requested_by": _person(e.requested_by),
                "requested_at": e.requested_at,
                "decided_by": _person(e.decided_by),
                "decided_at": e.decided_at,
            }
            for e in clock.extensions
        ],
    }
