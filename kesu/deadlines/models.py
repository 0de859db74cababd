"""Time limits (时限) as data: policies per class, severity and channel, the clocks they start on each
complaint, escalation steps and extension requests. The working calendar they count in is the app
``kesu.workcalendar``."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.complaints.models import Channel
from kesu.core import limits
from kesu.core.limits import BoundedTextField
from kesu.organization.models import Role

# ---------------------------------------------------------------------------------------------
# Time limits (时限): policies, their clocks on each complaint, escalation, extensions


class ClockKind(models.TextChoices):
    """What a clock measures; each kind stops at the actions listed in ``clocks.STOP_ACTIONS``."""

    ACKNOWLEDGE = "acknowledge", _("Acknowledge / sign")  # 签收
    FIRST_RESPONSE = "first_response", _("First response")  # 首次响应
    # The desk's first answer to the customer (初步答复/受理答复, ISO 10002 acknowledgement), not the
    # final reply: e.g. liquor's "phone complaints answered within 24 hours".
    CUSTOMER_ACK = "customer_ack", _("First answer to the customer")  # 初步答复
    ON_SITE = "on_site", _("On-site arrival")  # 到场
    RESOLUTION = "resolution", _("Resolution proposal")  # 处理意见
    REPLY = "reply", _("Reply to customer")  # 答复客户
    CLOSE = "close", _("Close")  # 结案
    FOLLOW_UP = "follow_up", _("Follow-up visit")  # 回访
    # An approval by authority waiting for its approver (核决): started by the request, stopped by
    # the decision (each level of a sequence gets its own limit).
    APPROVAL = "approval", _("Approval")  # 核决


class Unit(models.TextChoices):
    ELAPSED_HOURS = "elapsed_hours", _("hours (elapsed)")
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days (by the end of the Nth)")
    CALENDAR_DAYS = "calendar_days", _("calendar days")


class StartEvent(models.TextChoices):
    """The event a clock counts from."""

    RECEIVED = "received", _("complaint received")
    REGISTERED = "registered", _("complaint registered")
    TRANSFERRED = "transferred", _("transfer approved")
    ACCEPTED = "accepted", _("accepted by the department")
    RESOLUTION_PROPOSED = "resolution_proposed", _("resolution proposed")
    REPLIED = "replied", _("replied to the customer")
    GOODS_DELIVERED = "goods_delivered", _("repaired goods delivered")
    APPROVAL_REQUESTED = "approval_requested", _("approval requested")


class CustomerMarket(models.TextChoices):
    """Where the complaint's customer is (Customer.is_overseas); a complaint without a customer is
    domestic. Seed 002 (PCB) closes domestic complaints in 13 days and foreign ones in 17."""

    DOMESTIC = "domestic", _("domestic customers (国内)")
    OVERSEAS = "overseas", _("overseas customers (国外)")


class TimeLimitPolicy(models.Model):
    """Time limits for complaints of one class, severity, channel and customer market (each blank
    = any). The most specific matching policy wins, clock kind by clock kind."""

    name = models.CharField(_("name"), max_length=100)
    category = models.ForeignKey(
        "complaints.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("class"),
        help_text=_("Also applies to its sub-classes."),
    )
    severity = models.ForeignKey(
        "complaints.Severity", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("severity")
    )
    channel = models.CharField(_("channel"), max_length=20, blank=True, choices=Channel.choices)
    market = models.CharField(
        _("customer market"),
        max_length=10,
        blank=True,
        choices=CustomerMarket.choices,
        help_text=_("Domestic or overseas customers only (blank: any)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("time-limit policy")
        verbose_name_plural = _("time-limit policies")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from kesu.deadlines.policies import validate_policy

        validate_policy(self)


class ClockRule(models.Model):
    """One clock of a policy: e.g. "reply within 24 elapsed hours of receipt", "resolution by the
    end of the 2nd working day after acceptance"."""

    policy = models.ForeignKey(TimeLimitPolicy, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("clock"), max_length=20, choices=ClockKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=7, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    start_event = models.CharField(_("counted from"), max_length=30, choices=StartEvent.choices)
    count_start_day = models.BooleanField(
        _("the start day counts"),
        default=False,
        help_text=_("Working days only: whether the day of the event is working day 1 (if it is one)."),
    )
    pausable = models.BooleanField(_("pauses while waiting on the customer"), default=False)
    remind_before_hours = models.DecimalField(
        _("remind this many hours before"), max_digits=7, decimal_places=2, default=2
    )
    max_extension = models.DecimalField(
        _("most extra time in total"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "In the clock's unit: approved extensions may add at most this much (e.g. 3 working days, "
            "special cases at most 7: 4). Blank: no limit."
        ),
    )

    class Meta:
        ordering = ["policy", "kind"]
        constraints = [models.UniqueConstraint(fields=["policy", "kind"], name="clock_rule_one_per_kind")]
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount:g} {self.get_unit_display()}"

    def clean(self) -> None:
        from kesu.deadlines.policies import validate_rule

        validate_rule(self)


class HandlingTimeTarget(models.Model):
    """A rule book's target for the average handling time per month, measured from receipt to the
    final reply to the customer (e.g. seed 000 telecom: 月投诉单平均处理时长不能超过17小时).
    The figures page shows the target and marks the months, classes or departments above it; a rule
    book without a row has no target, and nothing is marked."""

    name = models.CharField(_("name"), max_length=100)
    max_average_hours = models.DecimalField(_("average at most (hours)"), max_digits=7, decimal_places=2)
    source = models.CharField(_("source (rule-book clause)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("handling-time target")
        verbose_name_plural = _("handling-time target")

    def __str__(self) -> str:
        return f"{self.name}: ≤ {self.max_average_hours:g} h"

    def clean(self) -> None:
        if self.max_average_hours is not None and self.max_average_hours <= 0:
            raise ValidationError({"max_average_hours": _("A target must be more than zero hours.")})
        if HandlingTimeTarget.objects.exclude(pk=self.pk).exists():
            raise ValidationError(_("A rule book has one handling-time target; edit the existing one."))

    @classmethod
    def current_hours(cls) -> float | None:
        target = cls.objects.order_by("pk").values_list("max_average_hours", flat=True).first()
        return float(target) if target is not None else None


class EscalationStep(models.Model):
    """The escalation chain (升级): when a clock has been overdue this many hours, the holders of
    this role are notified — e.g. department head at 0 h, vice president at 4 h, GM at 24 h."""

    order = models.PositiveSmallIntegerField(_("step"), unique=True)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    after_hours = models.DecimalField(_("hours overdue"), max_digits=7, decimal_places=2)

    class Meta:
        ordering = ["order"]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation chain")

    def __str__(self) -> str:
        return f"{self.order}. {self.get_role_display()} (+{self.after_hours:g} h)"

    def clean(self) -> None:
        if self.after_hours is not None and self.after_hours < 0:
            raise ValidationError({"after_hours": _("Cannot be negative.")})
        earlier = EscalationStep.objects.filter(order__lt=self.order, after_hours__gt=self.after_hours or 0)
        if self.order is not None and earlier.exclude(pk=self.pk).exists():
            raise ValidationError({"after_hours": _("A later step cannot come sooner than an earlier one.")})


class ClockState(models.TextChoices):
    RUNNING = "running", _("running")
    PAUSED = "paused", _("paused")
    MET = "met", _("met")
    CANCELLED = "cancelled", _("cancelled")


class ComplaintClock(models.Model):
    """One time limit running on one complaint. The rule's terms are copied when the clock starts,
    so editing a policy later does not move a deadline silently (recompute does, with a timeline entry)."""

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(_("clock"), max_length=20, choices=ClockKind.choices)
    rule = models.ForeignKey(ClockRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    amount = models.DecimalField(max_digits=7, decimal_places=2)
    unit = models.CharField(max_length=20, choices=Unit.choices)
    count_start_day = models.BooleanField(default=False)
    pausable = models.BooleanField(default=False)
    remind_before_hours = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    due_error = models.CharField(
        _("cannot compute"),
        max_length=300,
        blank=True,
        help_text=_("e.g. the calendar does not cover the year"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ClockState.choices, default=ClockState.RUNNING
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    resumed_at = models.DateTimeField(null=True, blank=True)
    remaining_when_paused = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    extended_by = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    max_extension = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    # When Kesu first noticed the clock late (signals.clock_went_late was sent); set once.
    late_noted_at = models.DateTimeField(_("noted late"), null=True, blank=True, editable=False)
    late_reason = BoundedTextField(_("late reason (洽办)"), max_length=limits.HANDLING_TEXT, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # The sweep: running clocks by due time.
            models.Index(fields=["state", "due_at"], name="clock_state_due_idx"),
            models.Index(fields=["complaint", "kind"], name="clock_complaint_kind_idx"),
            # The figures (on-time rate by month): answered from the index alone.
            models.Index(fields=["state", "due_at", "stopped_at"], name="clock_figures_idx"),
            # The sweep's lateness pass: running clocks past due not yet noted late (a few rows).
            models.Index(
                fields=["due_at"],
                name="clock_late_unnoted_idx",
                condition=models.Q(state="running", late_noted_at__isnull=True),
            ),
        ]
        verbose_name = _("complaint clock")
        verbose_name_plural = _("complaint clocks")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} due {self.due_at}"

    def is_late_at(self, now: datetime) -> bool:
        """Met after its due time, or still running past it. A paused clock is not late: its due
        time is recomputed when it resumes; a cancelled one never is."""
        if self.due_at is None:
            return False
        if self.state == ClockState.MET:
            return self.stopped_at is not None and self.stopped_at > self.due_at
        return self.state == ClockState.RUNNING and now > self.due_at


class ExtensionRequest(models.Model):
    """A request to extend a clock (延期), e.g. "special case: 7 working days instead of 3".
    The clock moves only when someone with authority approves it."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    clock = models.ForeignKey(ComplaintClock, on_delete=models.CASCADE, related_name="extensions")
    extra_amount = models.DecimalField(_("extra time"), max_digits=7, decimal_places=2)
    reason = BoundedTextField(_("reason"), max_length=limits.HANDLING_TEXT)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey("organization.Staff", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        "organization.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")

    def __str__(self) -> str:
        return f"{self.clock} +{self.extra_amount:g}"
