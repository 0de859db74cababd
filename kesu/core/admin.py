"""What the admin may not do: rewrite history.

A record that a timeline entry describes (a transfer slip, a clock, an extension, a decision, a
token, a notification, the entry itself) is changed only by the service that also writes the
timeline; the admin shows it and nothing more. Configuration (rule book, classes, calendar,
departments, staff) stays editable.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class HistoryAdmin(admin.ModelAdmin):
    """View-only: no add, change or delete, for superusers too. Admin actions that call a service
    (and so write the timeline) are still possible: give them their own ``allowed_permissions``."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
