"""The statistics endpoint of /api/v1/ (the dashboard's figures as JSON). Parse, call, render."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router

from kesu.complaints.schemas import ErrorOut
from kesu.complaints.selectors import complaints_visible_to
from kesu.deadlines.figures import default_period
from kesu.organization.models import Staff
from kesu.statistics.schemas import StatisticsOut, StatisticsParams
from kesu.statistics.selectors import Row, StatisticsError, View, statistics

router = Router(tags=["statistics"])


def _row(row: Row) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label,
        "received": row.received,
        "previous_received": row.previous_received,
        "change": row.change,
        "open": row.open,
        "overdue": row.overdue,
        "secondary": row.secondary,
        "closed": row.closed,
        "upheld": row.upheld,
        "not_upheld": row.not_upheld,
        "loss_amount": row.loss_amount,
        "compensation": row.compensation,
        "replied": row.replied,
        "average_hours": row.average_hours,
        "p50_hours": row.p50_hours,
        "p90_hours": row.p90_hours,
        "clocks": [
            {"kind": kind, "due": f.due, "on_time": f.on_time, "late": f.late, "rate": f.rate}
            for kind, f in row.clocks.items()
        ],
    }


@router.get(
    "/statistics",
    response={200: StatisticsOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Statistics",
)
def statistics_endpoint(request: HttpRequest, params: Query[StatisticsParams]) -> dict[str, Any]:
    """Received, open, overdue, secondary, closed, upheld / not upheld, losses, handling time and
    on-time rate per time limit, by month, class, severity, channel, department or customer, over
    the complaints the caller may see (the figures of `/statistics/`)."""
    staff: Staff = request.auth
    until = params.until or default_period()[1]
    since = params.since or default_period(until)[0]
    try:
        view = View(by=params.by, since=since, until=until)
    except StatisticsError as error:
        raise ValidationError({error.field: [str(error.message)]}) from error
    stats = statistics(view=view, complaints=complaints_visible_to(staff=staff))
    return {
        "by": view.by,
        "since": view.since,
        "until": view.until,
        "target_hours": stats.target_hours,
        "rows": [_row(row) for row in stats.rows],
        "totals": _row(stats.totals),
        "bearers": [
            {"key": b.key, "label": b.label, "amount": b.amount, "complaints": b.complaints}
            for b in stats.bearers
        ],
    }
