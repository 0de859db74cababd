"""The notification centre (通知中心): reminders (催办), escalations and other messages to staff."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.organization.models import Staff


class Notification(models.Model):
    """One message to one person, shown in the workbench and e-mailed after commit.

    ``dedup_key`` makes sending idempotent: a sweep that runs twice (or two workers at once)
    creates the reminder once, because the second insert hits the unique constraint."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder")  # 催办
        ESCALATION = "escalation", _("Escalation")  # 升级
        EXTENSION = "extension", _("Extension request")  # 延期申请
        CALENDAR = "calendar", _("Calendar")
        INFO = "info", _("Information")

    recipient = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    dedup_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedup_key"], name="notification_once_per_recipient")
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx"),
            # The e-mail retry looks only at the few not yet e-mailed.
            models.Index(
                fields=["created_at"], condition=Q(emailed_at__isnull=True), name="notification_unsent_idx"
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.recipient}: {self.title}"
