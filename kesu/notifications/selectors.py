"""Reads of the notification centre (通知中心)."""

from __future__ import annotations

from django.db.models import QuerySet

from kesu.notifications.models import Notification
from kesu.organization.models import Staff


def inbox(*, staff: Staff, unread_only: bool = False) -> QuerySet[Notification]:
    """The staff member's notifications, newest first (one query with the complaint)."""
    queryset = Notification.objects.filter(recipient=staff).select_related("complaint")
    return queryset.filter(read_at__isnull=True) if unread_only else queryset


def unread_count(*, staff: Staff) -> int:
    """The number on the bell in the workbench."""
    return Notification.objects.filter(recipient=staff, read_at__isnull=True).count()
