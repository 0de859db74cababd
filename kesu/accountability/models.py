"""Accountability (考核): the rule book's penalty and bonus rules as data, who held a clock when it
went late, the people's base points and bonuses, the monthly assessment sheet with its approval,
publication and appeals.

A month's sheet is drafted from facts Kesu already holds (decisions, late clocks, secondary
complaints, complaints against staff) plus the manual findings typed with reason and evidence;
every line names its rule, its fact (complaint, clock, finding, appeal) and its arithmetic. Once
the general manager approves it the month is locked: nothing on it changes again (``save`` and
``delete`` refuse), an upheld appeal becomes an adjustment in the next open month.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.core import limits
from kesu.core.errors import KesuError
from kesu.core.limits import BoundedTextField
from kesu.organization.models import Department, Role, Staff

MONEY_DIGITS = 14
MONEY_PLACES = 2
POINT_DIGITS = 7
POINT_PLACES = 2
ZERO = Decimal("0.00")


class MonthLocked(KesuError):
    """A locked (approved or published) month cannot change (409)."""

    status_code = 409

    def __init__(self, month: date) -> None:
        self.month = month
        super().__init__(
            _(
                "The assessment of %(month)s is locked: it cannot change. An appeal's outcome goes into the next open month."
            )
            % {"month": month.strftime("%Y-%m")}
        )


def _money(verbose: Any, **kwargs: Any) -> models.DecimalField:
    return models.DecimalField(verbose, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **kwargs)


def _points(verbose: Any, **kwargs: Any) -> models.DecimalField:
    return models.DecimalField(verbose, max_digits=POINT_DIGITS, decimal_places=POINT_PLACES, **kwargs)


# ---------------------------------------------------------------------------------------------
# §3 Who held a clock when it went late


class Capacity(models.TextChoices):
    HANDLER = "handler", _("handler")  # 处理人
    DEPARTMENT = "department", _("responsible department")  # 责任部门
    DESK = "desk", _("customer-service desk")  # 客服部
    APPROVER = "approver", _("approver")  # 核决人


class ClockLateness(models.Model):
    """Who held a clock (person, department, capacity) at the moment it went late, recorded then
    and never changed: a later re-assignment does not move the blame of the past."""

    clock = models.OneToOneField(
        "deadlines.ComplaintClock", on_delete=models.PROTECT, related_name="lateness", verbose_name=_("clock")
    )
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, related_name="+", verbose_name=_("complaint")
    )
    kind = models.CharField(_("clock"), max_length=20)
    due_at = models.DateTimeField(_("due"))
    noted_at = models.DateTimeField(_("noted late"))
    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    capacity = models.CharField(_("capacity"), max_length=20, choices=Capacity.choices)
    handling_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handling department"),
    )

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["due_at"], name="lateness_due_idx")]
        verbose_name = _("late clock holder")
        verbose_name_plural = _("late clock holders")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.due_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("who held a late clock is recorded once and never changed")
        super().save(*args, **kwargs)


# ---------------------------------------------------------------------------------------------
# §1 Rules as data


class FactKind(models.TextChoices):
    """What triggers a rule. Each kind is gathered from Kesu's own records for the month
    (kesu.accountability.facts), except ``manual``: a finding typed with reason and evidence."""

    UPHELD_AGAINST = (
        "upheld_against",
        _("complaint upheld against a department or person (approved decision)"),
    )
    COMPLAINT_AGAINST = "complaint_against", _("complaint naming a person (被投诉人)")
    COMPLAINT_RECEIVED = "complaint_received", _("complaint handled by a department")
    CLOCK_MISSED = "clock_missed", _("time limit missed")
    AVERAGE_HANDLING = "average_handling", _("monthly average handling time over the limit")
    SECONDARY = "secondary", _("secondary complaint (二次投诉)")
    MANUAL = "manual", _("manual finding with evidence")


class CostKind(models.TextChoices):
    YUAN = "yuan", _("yuan per fact")
    POINTS = "points", _("points per fact")
    LOSS_SHARE = "loss_share", _("the fact's loss, split by base points")
    YUAN_PER_BASE = "yuan_per_base", _("yuan per base point of the person")
    WHOLE_BONUS = "whole_bonus", _("the person's whole monthly bonus")
    BONUS_PERCENT = "bonus_percent", _("a percentage of the person's monthly bonus")


class TargetKind(models.TextChoices):
    RESPONSIBLE = "responsible", _("the responsible person or department (decision shares)")
    ACCUSED = "accused", _("the person complained about")
    DEPARTMENT = "department", _("the department")
    CLOCK_HOLDER = "clock_holder", _("whoever held the missed clock")
    HANDLER = "handler", _("the first complaint's handler")
    NAMED = "named", _("the person or department the finding names (e.g. the salesperson)")


class Scorecard(models.Model):
    """A points sheet with a maximum (e.g. telecom's 95-point monthly scorecard, 满分95分): the
    score is the sections' points less their deductions (a section never below zero), plus the
    bonus points, never above the maximum nor below zero."""

    code = models.SlugField(_("code"), max_length=limits.CODE, unique=True)
    name = models.CharField(_("name"), max_length=100)
    max_points = _points(_("maximum"), validators=[MinValueValidator(Decimal("0.01"))])
    source = BoundedTextField(_("source"), max_length=limits.HANDLING_TEXT, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")

    def __str__(self) -> str:
        return self.name


class ScorecardSection(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="sections")
    code = models.SlugField(_("code"), max_length=limits.CODE)
    name = models.CharField(_("name"), max_length=100)
    points = _points(_("points"), validators=[MinValueValidator(Decimal("0"))])
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["scorecard", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "code"], name="scorecard_section_unique")]
        verbose_name = _("scorecard section")
        verbose_name_plural = _("scorecard sections")

    def __str__(self) -> str:
        return f"{self.name} ({self.points:g})"


class Rule(models.Model):
    """One penalty or bonus rule of the rule book: its fact, what it costs, whom it hits and its caps."""

    code = models.SlugField(_("code"), max_length=limits.CODE, unique=True)
    name = models.CharField(_("name"), max_length=200)
    fact = models.CharField(_("fact"), max_length=30, choices=FactKind.choices)
    clock_kinds = models.CharField(
        _("clock kinds"),
        max_length=200,
        blank=True,
        help_text=_("For a missed time limit: the clock kinds, comma-separated (blank: any)."),
    )
    cost = models.CharField(_("cost"), max_length=20, choices=CostKind.choices)
    amount = _money(
        _("amount"),
        default=ZERO,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_(
            "Yuan or points per fact; the factor for a loss share (1 = the whole loss); the "
            "percentage for a share of the bonus."
        ),
    )
    target = models.CharField(_("whom it hits"), max_length=20, choices=TargetKind.choices)
    is_bonus = models.BooleanField(_("bonus"), default=False, help_text=_("Adds instead of deducting."))
    capped_by_bonus = models.BooleanField(
        _("within the monthly deduction cap"),
        default=False,
        help_text=_("Deducted from the bonus at most up to the cap; the rest is carried over."),
    )
    threshold_hours = models.DecimalField(
        _("limit (hours)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For the monthly average handling time."),
    )
    max_per_month = models.PositiveIntegerField(
        _("more than this many in a month loses the whole item"), null=True, blank=True
    )
    item_points = _points(
        _("the whole item"),
        null=True,
        blank=True,
        help_text=_("What 'the whole item' is worth; blank: its section's points."),
    )
    section = models.ForeignKey(
        ScorecardSection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rules",
        verbose_name=_("scorecard section"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    source = BoundedTextField(_("source"), max_length=limits.HANDLING_TEXT, blank=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("assessment rule")
        verbose_name_plural = _("assessment rules")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from kesu.accountability.rules import validate_rule

        validate_rule(self)

    @property
    def kinds(self) -> list[str]:
        return [k.strip() for k in self.clock_kinds.split(",") if k.strip()]


class AssessmentSettings(models.Model):
    """The rule book's assessment calendar and caps (one row)."""

    draft_day = models.PositiveSmallIntegerField(
        _("draft on this day of the month"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("The worker drafts the previous month's sheet on this day."),
    )
    bonus_cap_percent = models.DecimalField(
        _("monthly deduction cap (% of the bonus)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Blank: no cap."),
    )
    appeal_days = models.PositiveSmallIntegerField(
        _("appeal within (days after publication)"), default=10, validators=[MinValueValidator(1)]
    )
    appeal_decider = models.CharField(
        _("appeals decided by"), max_length=30, choices=Role.choices, default=Role.GENERAL_MANAGER
    )
    department_review = models.BooleanField(
        _("department heads review before approval"),
        default=True,
        help_text=_(
            "Each department head confirms or disputes their department's lines; the general "
            "manager cannot approve while a review is pending."
        ),
    )
    department_review_source = BoundedTextField(
        _("source of the review step"), max_length=limits.HANDLING_TEXT, blank=True
    )
    source = BoundedTextField(_("source"), max_length=limits.HANDLING_TEXT, blank=True)

    class Meta:
        verbose_name = _("assessment settings")
        verbose_name_plural = _("assessment settings")

    def __str__(self) -> str:
        return str(_("assessment settings"))

    def clean(self) -> None:
        if AssessmentSettings.objects.exclude(pk=self.pk).exists():
            raise ValidationError(_("A rule book has one assessment-settings row; edit it."))

    @classmethod
    def current(cls) -> AssessmentSettings:
        return cls.objects.order_by("pk").first() or cls()


class StaffTerms(models.Model):
    """A person's base points (基点数) and monthly efficiency bonus (效率奖金) from a month on; the
    row with the latest ``effective_month`` not after a month applies to it (history kept)."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="assessment_terms")
    effective_month = models.DateField(_("from month"), help_text=_("The first day of the month."))
    base_points = models.DecimalField(
        _("base points"), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    monthly_bonus = _money(
        _("monthly bonus (CNY)"), default=ZERO, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["staff", "-effective_month"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "effective_month"], name="staff_terms_one_per_month"),
            models.CheckConstraint(condition=models.Q(base_points__gte=0), name="staff_terms_base_gte_0"),
            models.CheckConstraint(condition=models.Q(monthly_bonus__gte=0), name="staff_terms_bonus_gte_0"),
        ]
        verbose_name = _("base points and bonus")
        verbose_name_plural = _("base points and bonuses")

    def __str__(self) -> str:
        return f"{self.staff} {self.effective_month:%Y-%m}: {self.base_points:g}"

    def clean(self) -> None:
        if self.effective_month is not None and self.effective_month.day != 1:
            raise ValidationError({"effective_month": _("Give the first day of a month.")})


# ---------------------------------------------------------------------------------------------
# §2 The monthly sheet


class MonthStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    APPROVED = "approved", _("approved (locked)")
    PUBLISHED = "published", _("published")


class AssessmentMonth(models.Model):
    """One month's assessment: drafted (any number of times), approved by the GM (locked), then
    published to the people concerned and to HR/payroll."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    status = models.CharField(
        _("status"), max_length=20, choices=MonthStatus.choices, default=MonthStatus.DRAFT
    )
    drafted_at = models.DateTimeField(_("drafted"), null=True, blank=True)
    drafted_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-month"]
        verbose_name = _("assessment month")
        verbose_name_plural = _("assessment months")

    def __str__(self) -> str:
        return self.month.strftime("%Y-%m")

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Only the step from draft to approved, and from approved to published, may touch a month
        that was locked when it was read."""
        if self.pk is not None:
            stored = AssessmentMonth.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            allowed = {
                MonthStatus.APPROVED: {MonthStatus.PUBLISHED},
                MonthStatus.PUBLISHED: set(),
            }
            if stored in allowed and self.status not in allowed[stored]:
                raise MonthLocked(self.month)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_locked:
            raise MonthLocked(self.month)
        return super().delete(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        return self.status != MonthStatus.DRAFT


class _InOpenMonth(models.Model):
    """A row belonging to a month: written only while that month is a draft."""

    month_id: int

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._refuse_if_locked()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        self._refuse_if_locked()
        return super().delete(*args, **kwargs)

    def _refuse_if_locked(self) -> None:
        locked = (
            AssessmentMonth.objects.filter(pk=self.month_id)
            .exclude(status=MonthStatus.DRAFT)
            .values_list("month", flat=True)
            .first()
        )
        if locked is not None:
            raise MonthLocked(locked)


class Finding(_InOpenMonth):
    """A manual finding (人工认定) for a month: a fact Kesu cannot see (a reply off the standard
    wording, an unauthorised notice, a late report, a sanction, an adopted case report), typed by
    someone with the reason and the evidence, for a rule whose fact is ``manual``."""

    month = models.ForeignKey(AssessmentMonth, on_delete=models.PROTECT, related_name="findings")
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="findings", verbose_name=_("rule"))
    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    count = models.PositiveIntegerField(_("count"), default=1, validators=[MinValueValidator(1)])
    reason = BoundedTextField(_("reason"), max_length=limits.HANDLING_TEXT)
    evidence = BoundedTextField(_("evidence"), max_length=limits.HANDLING_TEXT)
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta(_InOpenMonth.Meta):
        abstract = False
        ordering = ["month", "id"]
        verbose_name = _("manual finding")
        verbose_name_plural = _("manual findings")

    def __str__(self) -> str:
        return f"{self.month} {self.rule}"


class SheetLine(_InOpenMonth):
    """One line of a month's sheet: whom, which rule, which fact, and the arithmetic.
    ``yuan`` and ``points`` are signed: negative deducts, positive adds (a bonus, an adjustment
    in someone's favour)."""

    # Indexed only where lines are looked up: by month (the unique (month, position)), person
    # (one's own sheet) and department (a head's scope). A month is written in one go (COPY) and
    # every index costs each of its rows; the other references are never searched by.
    # The references to the line's facts (rule, complaint, late clock, finding, appeal) carry no
    # database constraint: PostgreSQL checks each foreign key row by row at COMMIT, which was
    # most of a large draft's time, and Kesu never deletes those rows (PROTECT here keeps the ORM
    # from it). Who is charged (month, person, department) keeps its constraint.
    month = models.ForeignKey(AssessmentMonth, on_delete=models.PROTECT, related_name="lines", db_index=False)
    position = models.PositiveIntegerField()
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rule = models.ForeignKey(
        Rule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    fact = models.CharField(_("fact"), max_length=30)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    lateness = models.ForeignKey(
        ClockLateness,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    finding = models.ForeignKey(
        Finding,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    appeal = models.ForeignKey(
        "Appeal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    yuan = _money(_("yuan"), default=ZERO)
    points = _points(_("points"), default=ZERO)
    capped = models.BooleanField(default=False)
    arithmetic = models.CharField(_("arithmetic"), max_length=300)

    class Meta:
        ordering = ["month", "position"]
        constraints = [models.UniqueConstraint(fields=["month", "position"], name="sheet_line_position")]
        verbose_name = _("sheet line")
        verbose_name_plural = _("sheet lines")

    def __str__(self) -> str:
        return f"{self.month} #{self.position}"


class SheetTotal(_InOpenMonth):
    """A person's or a department's totals for a month: yuan and points, the score on a
    scorecard, and the carried-over balance of capped deductions (余额, 逐月分期罚扣)."""

    month = models.ForeignKey(AssessmentMonth, on_delete=models.PROTECT, related_name="totals")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    yuan = _money(_("yuan"), default=ZERO)
    points = _points(_("points"), default=ZERO)
    score = _points(_("score"), null=True, blank=True)
    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    monthly_bonus = _money(_("monthly bonus"), default=ZERO)
    carried_in = _money(_("carried in"), default=ZERO)
    capped_due = _money(_("capped deductions this month"), default=ZERO)
    cap = _money(_("cap"), null=True, blank=True)
    deducted = _money(_("deducted this month"), default=ZERO)
    carried_out = _money(_("carried to next month"), default=ZERO)

    class Meta:
        ordering = ["month", "department", "staff"]
        verbose_name = _("sheet total")
        verbose_name_plural = _("sheet totals")

    def __str__(self) -> str:
        return f"{self.month} {self.staff or self.department}"


class ReviewState(models.TextChoices):
    PENDING = "pending", _("waiting for review")
    CONFIRMED = "confirmed", _("confirmed")
    DISPUTED = "disputed", _("disputed")


class DepartmentReview(_InOpenMonth):
    """A department head's review (部门主管确认) of their department's lines of a drafted month:
    confirmed, or disputed with a reason. One row per answer (history kept): the current row of a
    (month, department) is the one with ``is_current``. A re-draft that changes the department's
    lines (``lines_digest``) opens a new pending review; an unchanged department keeps its answer.
    With the rule book's ``department_review`` on, the general manager cannot approve the month
    while a current review is pending; a dispute is an answer the GM sees and weighs."""

    month = models.ForeignKey(AssessmentMonth, on_delete=models.PROTECT, related_name="reviews")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    lines_digest = models.CharField(max_length=64)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    state = models.CharField(
        _("review"), max_length=10, choices=ReviewState.choices, default=ReviewState.PENDING
    )
    reason = BoundedTextField(_("reason"), max_length=limits.HANDLING_TEXT, blank=True)
    reviewed_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    is_current = models.BooleanField(default=True)

    class Meta(_InOpenMonth.Meta):
        abstract = False
        ordering = ["month", "department", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "department"],
                condition=models.Q(is_current=True),
                name="department_review_one_current",
            )
        ]
        verbose_name = _("department review")
        verbose_name_plural = _("department reviews")

    def __str__(self) -> str:
        return f"{self.month} {self.department} ({self.get_state_display()})"


class AppealState(models.TextChoices):
    PENDING = "pending", _("pending")
    UPHELD = "upheld", _("upheld")
    REJECTED = "rejected", _("rejected")


class Appeal(models.Model):
    """An appeal (签呈) against a line of a published month, decided by the rule book's decider;
    an upheld appeal's correction is an adjustment line in the next open month."""

    line = models.ForeignKey(SheetLine, on_delete=models.PROTECT, related_name="appeals")
    filed_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(default=timezone.now)
    reason = BoundedTextField(_("reason"), max_length=limits.HANDLING_TEXT)
    state = models.CharField(max_length=10, choices=AppealState.choices, default=AppealState.PENDING)
    decided_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = BoundedTextField(_("decision"), max_length=limits.HANDLING_TEXT, blank=True)
    adjust_yuan = _money(_("adjustment (yuan)"), default=ZERO)
    adjust_points = _points(_("adjustment (points)"), default=ZERO)
    applied_in = models.ForeignKey(
        AssessmentMonth, on_delete=models.PROTECT, null=True, blank=True, related_name="adjustments"
    )

    class Meta:
        ordering = ["filed_at", "id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"{self.line} ({self.get_state_display()})"
