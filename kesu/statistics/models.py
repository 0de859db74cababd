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


class ExportKind(models.TextChoices):
    COMPLAINTS = "complaints", _("complaint list")
    DRILL = "drill", _("complaints behind a figure")


class ExportState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")


class ExportJob(models.Model):
    """A large Excel export (大批量导出) built by the worker (kesu.statistics.exports): the requester
    asked for it with these filters; the worker lists what the requester may see when it runs,
    counts its progress, and keeps the file for the requester only until ``expires_at``."""

    requester = models.ForeignKey(
        "organization.Staff", on_delete=models.CASCADE, related_name="exports", verbose_name=_("requested by")
    )
    kind = models.CharField(_("export"), max_length=20, choices=ExportKind.choices)
    query = models.CharField(
        _("filters"),
        max_length=limits.SAVED_FILTER_QUERY,
        blank=True,
        help_text=_("The filters as the page's query string."),
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    state = models.CharField(
        _("state"), max_length=10, choices=ExportState.choices, default=ExportState.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("kept until"), null=True, blank=True)
    filename = models.CharField(_("file"), max_length=200, blank=True)
    stored_as = models.CharField(max_length=100, blank=True, editable=False)  # name in the exports folder
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["requester", "-requested_at"], name="export_requester_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.state == ExportState.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())


class HotSpotRule(models.Model):
    """When a product or batch is a hot spot (异常集中): its complaints received in a period number
    at least ``minimum`` and exceed the mean of the same product's (batch's) counts in the
    ``periods`` periods of equal length before by more than ``k`` standard deviations. One row per
    rule book; without one, the defaults below (no seed sets a rule: they are Kesu's choice)."""

    periods = models.PositiveSmallIntegerField(
        _("periods of history"),
        default=6,
        help_text=_("How many earlier periods of equal length to compare with."),
    )
    k = models.DecimalField(
        _("standard deviations"),
        max_digits=4,
        decimal_places=2,
        default=2,
        help_text=_("A spike is more than the mean plus this many standard deviations."),
    )
    minimum = models.PositiveSmallIntegerField(
        _("at least"),
        default=3,
        help_text=_("Fewer complaints than this in the period are never a hot spot."),
    )
    source = BoundedTextField(
        _("source"),
        max_length=limits.HANDLING_TEXT,
        blank=True,
        help_text=_("The clause of the company's rules this follows."),
    )

    class Meta:
        verbose_name = _("hot-spot rule")
        verbose_name_plural = _("hot-spot rule")

    def __str__(self) -> str:
        return f"n ≥ {self.minimum}, n > mean + {self.k:g}σ ({self.periods})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not 1 <= (self.periods or 0) <= 24:
            errors["periods"] = _("From 1 to 24 periods.")
        if self.k is not None and self.k < 0:
            errors["k"] = _("Not negative.")
        if not self.minimum:
            errors["minimum"] = _("At least 1.")
        if HotSpotRule.objects.exclude(pk=self.pk).exists():
            errors["periods"] = _("A rule book has one hot-spot rule; edit the existing one.")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def current(cls) -> HotSpotRule:
        return cls.objects.order_by("pk").first() or cls()
