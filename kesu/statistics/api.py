"""The statistics endpoint of /api/v1/ (the dashboard's figures as JSON). Parse, call, render."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Path, Query, Router
from ninja.responses import Status as Reply

from kesu.complaints.schemas import MAX_INT, ErrorOut
from kesu.complaints.selectors import complaints_visible_to
from kesu.deadlines.figures import default_period
from kesu.organization.models import Staff
from kesu.statistics import exports
from kesu.statistics.models import ExportJob, ExportState
from kesu.statistics.schemas import ExportIn, ExportOut, StatisticsOut, StatisticsParams
from kesu.statistics.selectors import Row, StatisticsError, View, statistics

router = Router(tags=["statistics"])
ExportId = Path(..., ge=1, le=MAX_INT, description="The export's id.")


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
        "satisfied": row.satisfied,
        "neutral": row.neutral,
        "unsatisfied": row.unsatisfied,
        "satisfaction_rate": row.satisfaction_rate,
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
    on-time rate per time limit, satisfaction and hot spots, by month, class, severity, channel,
    department, customer, product, batch, region or customer class, over the complaints the caller
    may see (the figures of `/statistics/`)."""
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
        "hot_spots": [
            {
                "by": h.by,
                "key": h.key,
                "label": h.label,
                "count": h.count,
                "history": list(h.history),
                "mean": h.mean,
                "sigma": h.sigma,
                "threshold": h.threshold,
            }
            for h in stats.hot_spots
        ],
        "bearers": [
            {"key": b.key, "label": b.label, "amount": b.amount, "complaints": b.complaints}
            for b in stats.bearers
        ],
    }


def _export(job: ExportJob) -> dict[str, Any]:
    ready = job.state == ExportState.DONE and not job.is_expired()
    return {
        "id": job.pk,
        "kind": job.kind,
        "query": job.query,
        "state": job.state,
        "rows_total": job.rows_total,
        "rows_done": job.rows_done,
        "percent": job.percent,
        "requested_at": job.requested_at,
        "finished_at": job.finished_at,
        "expires_at": job.expires_at,
        "size": job.size,
        "error": job.error,
        "download_url": reverse("export-download", args=[job.pk]) if ready else None,
    }


@router.post(
    "/exports",
    response={202: ExportOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Start a large export",
)
def start_export_endpoint(request: HttpRequest, body: ExportIn) -> Reply:
    """Queue an Excel export of the complaint list or of the complaints behind a figure for the
    worker, whatever its size; the worker lists what the caller may see. Poll
    `GET /api/v1/exports/{export_id}` for its progress and download link. 422 for bad filters."""
    staff: Staff = request.auth
    job = exports.start_export(staff=staff, kind=body.kind, query=body.query)
    job.refresh_from_db()
    return Reply(202, _export(job))


@router.get(
    "/exports",
    response={200: list[ExportOut], 401: ErrorOut, 429: ErrorOut},
    summary="My exports",
)
def exports_endpoint(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's own exports, newest first (at most 50)."""
    return [_export(job) for job in exports.exports_of(staff=request.auth)[:50]]


@router.get(
    "/exports/{export_id}",
    response={200: ExportOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="An export's progress",
)
def export_endpoint(request: HttpRequest, export_id: int = ExportId) -> dict[str, Any]:
    """One of the caller's exports: state, rows written of rows to write, and, once done and until
    it expires, `download_url`. Another person's export is a 404."""
    job = exports.exports_of(staff=request.auth).filter(pk=export_id).first()
    if job is None:
        raise Http404
    return _export(job)
