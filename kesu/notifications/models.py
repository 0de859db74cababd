"""The notification centre (通知中心): reminders (催办), escalations and other messages to staff."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.organization.models import Role, Staff


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
        HANDOVER = "handover", _("Work waiting for you")  # 待办
        MAJOR = "major", _("Major complaint")  # 重大投诉

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
            # The notification centre's history: all of one person's, newest first.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_history_idx"),
            # The e-mail retry looks only at the few not yet e-mailed.
            models.Index(
                fields=["created_at"], condition=Q(emailed_at__isnull=True), name="notification_unsent_idx"
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.recipient}: {self.title}"


class MajorComplaintRule(models.Model):
    """A major complaint (重大投诉) to report at once: complaints of this severity and/or class
    (or a sub-class of it) are made known to every holder of ``role`` when registered or
    reclassified into it (seed 001 客户管理制度11 一(六): 重大投诉，必须马上报各部门主管或公司领导).
    A department-scoped role (department head, handler) means the responsible department's holders
    once there is one, every holder before. Loaded from the preset's ``major_complaint_recipients``."""

    severity = models.ForeignKey(
        "complaints.Severity",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("severity"),
        help_text=_("Empty: any severity."),
    )
    category = models.ForeignKey(
        "complaints.Category",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("class"),
        help_text=_("Empty: any class. A class includes its sub-classes."),
    )
    role = models.CharField(_("who is told"), max_length=30, choices=Role.choices)
    source = models.TextField(
        _("source"), blank=True, help_text=_("The clause of the company's rules this follows.")
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__isnull=False) | Q(category__isnull=False),
                name="major_rule_names_severity_or_class",
            )
        ]
        verbose_name = _("major-complaint rule")
        verbose_name_plural = _("major-complaint rules")

    def __str__(self) -> str:
        what = " / ".join(str(x) for x in (self.severity, self.category) if x is not None)
        return f"{what} → {self.get_role_display()}"

    def clean(self) -> None:
        if self.severity_id is None and self.category_id is None:
            raise ValidationError(_("Name a severity, a class or both."))
