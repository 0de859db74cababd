"""The notification endpoints of /api/v1/: the caller's own notifications only. Parse, call, render."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Path, Query, Router

from kesu.complaints.schemas import MAX_INT, ErrorOut
from kesu.core.paging import COUNT_CAP, capped_count
from kesu.notifications import selectors, services
from kesu.notifications.models import Notification
from kesu.notifications.schemas import MarkedOut, NotificationListParams, NotificationOut, NotificationPageOut
from kesu.organization.models import Staff

router = Router(tags=["notifications"])

UNAUTHORIZED = {401: ErrorOut, 429: ErrorOut}
FORBIDDEN = {403: ErrorOut}  # a session write without CSRF token
INVALID = {422: ErrorOut}


def _notification(n: Notification) -> dict[str, Any]:
    return {
        "id": n.pk,
        "kind": n.kind,
        "kind_label": n.get_kind_display(),
        "title": n.title,
        "body": n.body,
        "complaint": n.complaint.number if n.complaint_id else None,
        "created_at": n.created_at,
        "read_at": n.read_at,
        "is_read": n.read_at is not None,
    }


@router.get("/notifications", response={200: NotificationPageOut, **UNAUTHORIZED, **INVALID}, summary="List")
def list_notifications(request: HttpRequest, params: Query[NotificationListParams]) -> dict[str, Any]:
    """The caller's notifications, newest first; read ones are kept (history)."""
    staff: Staff = request.auth
    queryset = selectors.inbox(staff=staff, unread_only=params.unread_only, kind=params.kind)
    rows = list(queryset[params.offset : params.offset + params.limit + 1])
    count = capped_count(queryset, cap=COUNT_CAP)
    more = len(rows) > params.limit
    return {
        "items": [_notification(n) for n in rows[: params.limit]],
        "unread": selectors.unread_count(staff=staff),
        "count": count.value,
        "count_capped": not count.exact,
        "next_offset": params.offset + params.limit if more else None,
    }


@router.post(
    "/notifications/read",
    response={200: MarkedOut, **FORBIDDEN, **UNAUTHORIZED, **INVALID},
    summary="Mark all read",
)
def mark_all_read(request: HttpRequest) -> dict[str, int]:
    """Mark every unread notification of the caller read."""
    return {"marked": services.mark_read(staff=request.auth)}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **FORBIDDEN, **UNAUTHORIZED, 404: ErrorOut, **INVALID},
    summary="Mark read",
)
def mark_one_read(request: HttpRequest, notification_id: int = Path(..., ge=1, le=MAX_INT)) -> dict[str, Any]:
    """Mark one of the caller's notifications read (already read: unchanged). 404 for anyone
    else's notification."""
    staff: Staff = request.auth
    services.mark_read(staff=staff, ids=[notification_id])
    notification = selectors.inbox(staff=staff).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    return _notification(notification)
