"""Reads of the notification centre (通知中心)."""

from __future__ import annotations

from django.db.models import QuerySet

from kesu.notifications.models import Notification
from kesu.organization.models import Staff


def inbox(*, staff: Staff, unread_only: bool = False, kind: str | None = None) -> QuerySet[Notification]:
    """The staff member's notifications, newest first, read ones kept (one query with the
    complaint); only the unread ones or one kind if asked."""
    queryset = Notification.objects.filter(recipient=staff).select_related("complaint")
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.filter(read_at__isnull=True) if unread_only else queryset


def unread_count(*, staff: Staff) -> int:
    """The number on the bell in the workbench."""
    return Notification.objects.filter(recipient=staff, read_at__isnull=True).count()
