"""The rule book's scheduled reports (定期报表) and the reports built from them.

A ReportSchedule is rule-book data (edited in the admin, loaded from the preset's
``report_schedules`` section, each citing its seed clause): which report, for which period (the
previous month or the previous week), by when (a day of the month or of the week, at a time), to
whom (roles). The worker builds each report once per period as an Excel workbook and keeps it as a
StoredReport, unique per schedule and period: building it again replaces it.
"""

from __future__ import annotations

from datetime import time

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.core import limits
from kesu.core.limits import BoundedTextField
from kesu.organization.models import Role
from kesu.statistics.selectors import DIMENSIONS


class Cadence(models.TextChoices):
    MONTHLY = "monthly", _("Monthly (the previous month)")
    WEEKLY = "weekly", _("Weekly (the previous Monday to Sunday)")


class Listing(models.TextChoices):
    """Which complaints of the period the report lists, besides its statistics."""

    RECEIVED = "received", _("received in the period")
    CLOSED = "closed", _("closed in the period")
    OPEN = "open", _("still open, received up to the period's end")


class ReportSchedule(models.Model):
    """One report the rule book asks for, e.g. PCB's 客户投诉案件统计表 by the 10th of each month
    (seed 002 第(十)条) or telecom's 网络投诉分析报告 by the 7th (seed 000 第二篇 四.4)."""

    code = models.SlugField(_("code"), max_length=limits.CODE, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    cadence = models.CharField(_("period"), max_length=10, choices=Cadence.choices)
    day = models.PositiveSmallIntegerField(
        _("day"),
        help_text=_("Monthly: the day of the month (1–28) it is due by; weekly: 1 = Monday … 7 = Sunday."),
    )
    at = models.TimeField(_("at"), default=time(8, 30), help_text=_("Built and sent at this time that day."))
    by = models.CharField(_("grouped by"), max_length=20, choices=[(k, v) for k, v in DIMENSIONS.items()])
    listing = models.CharField(_("lists"), max_length=10, choices=Listing.choices, default=Listing.CLOSED)
    roles = models.JSONField(_("sent to (roles)"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    source = BoundedTextField(
        _("source"),
        max_length=limits.HANDLING_TEXT,
        blank=True,
        help_text=_("The clause of the company's rules this follows."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.cadence == Cadence.MONTHLY and not 1 <= (self.day or 0) <= 28:
            errors["day"] = _("A monthly report is due on a day from 1 to 28.")
        if self.cadence == Cadence.WEEKLY and not 1 <= (self.day or 0) <= 7:
            errors["day"] = _("A weekly report is due on a weekday from 1 (Monday) to 7 (Sunday).")
        if not isinstance(self.roles, list) or not all(r in Role.values for r in self.roles):
            errors["roles"] = _("A list of roles, each one of: %s.") % ", ".join(Role.values)
        if errors:
            raise ValidationError(errors)


class StoredReport(models.Model):
    """A built report: its period, the workbook and to whom it was sent. One per schedule and period."""

    schedule = models.ForeignKey(ReportSchedule, on_delete=models.PROTECT, related_name="reports")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    built_at = models.DateTimeField(_("built at"), default=timezone.now)
    builds = models.PositiveIntegerField(_("times built"), default=1)
    filename = models.CharField(_("file"), max_length=200)
    content = models.BinaryField(_("workbook"))
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    complaints = models.PositiveIntegerField(_("complaints listed"), default=0)
    sent_to = BoundedTextField(_("sent to"), max_length=limits.HANDLING_TEXT, blank=True)

    class Meta:
        ordering = ["-period_start", "schedule"]
        verbose_name = _("stored report")
        verbose_name_plural = _("stored reports")
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "period_start"], name="stored_report_once_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.schedule} {self.period_start}–{self.period_end}"
