"""Approvals by authority (核决权限): the rule book's approval rules and each complaint's requests.

A rule says who approves a step (a step code such as "decision", "transfer", "extension") for a
class (with its sub-classes) and an amount range in CNY; its approver rows form one or more levels
decided in sequence, each level all-of (会签) or any-of (或签). A request copies the levels of the
rule it chose (``levels``), so editing a rule in the admin never changes who decides a request
that is already waiting.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.complaints.models import Category, Complaint
from kesu.core import limits
from kesu.core.limits import BoundedTextField
from kesu.organization.models import Role, Staff

AMOUNT_DIGITS = 14  # up to 999 999 999 999.99 CNY
AMOUNT_PLACES = 2
STEP_CODE = 40


class Mode(models.TextChoices):
    ALL = "all", _("all of them (会签)")
    ANY = "any", _("any one of them (或签)")


class Scope(models.TextChoices):
    """Which holders of a role may approve."""

    ANY = "any", _("any holder")
    RESPONSIBLE_DEPARTMENT = "responsible_department", _("holder in the complaint's responsible department")
    DEPARTMENT = "department", _("holder in the department named here")


class ApprovalRule(models.Model):
    """Who approves a step for a class and an amount (核决权限).

    Boundary rule: ``amount_from`` is inclusive, ``amount_to`` exclusive, an empty bound is
    unbounded — so "< 5 000", "5 000 – 50 000", "≥ 50 000" are three rules 0–5000, 5000–50000 and
    50000–(empty), and 5 000.00 belongs to the second. Two rules for the same step and class may
    not overlap; a rule with no class covers every class that has no rule of its own for that
    amount (the most specific class wins)."""

    step = models.SlugField(
        _("step"),
        max_length=STEP_CODE,
        help_text=_("The step code the rule applies to, e.g. decision, transfer, extension."),
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approval_rules",
        verbose_name=_("class"),
        help_text=_("Empty: every class. A rule for a class covers its sub-classes."),
    )
    amount_from = models.DecimalField(
        _("amount from (CNY, inclusive)"),
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Empty: from 0."),
    )
    amount_to = models.DecimalField(
        _("amount below (CNY, exclusive)"),
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Empty: no upper bound. An amount equal to this belongs to the next rule."),
    )
    source = BoundedTextField(
        _("source"),
        max_length=limits.HANDLING_TEXT,
        blank=True,
        help_text=_("The clause of the company's rules this follows."),
    )

    class Meta:
        ordering = ["step", "category__code", models.F("amount_from").asc(nulls_first=True)]
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")

    def __str__(self) -> str:
        return f"{self.step} · {self.category or _('every class')} · {self.range_label}"

    @property
    def range_label(self) -> str:
        low = f"{self.amount_from:,}" if self.amount_from is not None else "0"
        high = f"{self.amount_to:,}" if self.amount_to is not None else "∞"
        return f"[{low}, {high})"

    def covers(self, amount: Decimal) -> bool:
        return (self.amount_from is None or self.amount_from <= amount) and (
            self.amount_to is None or amount < self.amount_to
        )

    def clean(self) -> None:
        low = self.amount_from if self.amount_from is not None else Decimal("0")
        if self.amount_to is not None and low >= self.amount_to:
            raise ValidationError(
                {"amount_to": _("The upper bound must be greater than the lower bound (which is inclusive).")}
            )
        if not self.step:
            return
        others = ApprovalRule.objects.filter(step=self.step, category_id=self.category_id).exclude(pk=self.pk)
        # Ranges [a, b) and [c, d) overlap when a < d and c < b (an empty bound is unbounded).
        if self.amount_to is not None:
            others = others.filter(Q(amount_from__isnull=True) | Q(amount_from__lt=self.amount_to))
        if self.amount_from is not None:
            others = others.filter(Q(amount_to__isnull=True) | Q(amount_to__gt=self.amount_from))
        clash = others.first()
        if clash is not None:
            raise ValidationError(
                _(
                    "This amount range overlaps the rule %(range)s for step “%(step)s” and %(class)s:"
                    " an amount must pick exactly one rule. Change the bounds (from is inclusive,"
                    " to is exclusive)."
                )
                % {
                    "range": clash.range_label,
                    "step": self.step,
                    "class": self.category or _("every class"),
                }
            )


class ApprovalApprover(models.Model):
    """One approver of one level of a rule: a role (any holder, the holder in the complaint's
    responsible department, or the holder in a named department) or a named staff member.
    The rows with the same level number form the level; they must agree on its mode."""

    rule = models.ForeignKey(ApprovalRule, on_delete=models.CASCADE, related_name="approvers")
    level = models.PositiveSmallIntegerField(_("level"), default=1, validators=[MinValueValidator(1)])
    mode = models.CharField(_("mode"), max_length=3, choices=Mode.choices, default=Mode.ANY)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    scope = models.CharField(_("scope"), max_length=30, choices=Scope.choices, default=Scope.ANY)
    department_code = models.SlugField(
        _("department code"),
        max_length=limits.CODE,
        blank=True,
        help_text=_("For the scope “holder in the department named here”, e.g. sales."),
    )
    staff = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("named person"),
    )

    class Meta:
        ordering = ["rule", "level", "pk"]
        verbose_name = _("approver")
        verbose_name_plural = _("approvers (level 1 first)")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.staff_id is not None:
            return str(self.staff)
        role = Role(self.role).label if self.role in Role.values else self.role
        if self.scope == Scope.RESPONSIBLE_DEPARTMENT:
            return str(_("%(role)s of the responsible department") % {"role": role})
        if self.scope == Scope.DEPARTMENT:
            return str(_("%(role)s of %(department)s") % {"role": role, "department": self.department_code})
        return str(role)

    def clean(self) -> None:
        if bool(self.role) == (self.staff_id is not None):
            raise ValidationError(_("Name either a role or a person, not both and not neither."))
        if self.staff_id is not None and (self.scope != Scope.ANY or self.department_code):
            raise ValidationError({"scope": _("A named person needs no scope or department.")})
        if self.scope == Scope.DEPARTMENT and not self.department_code:
            raise ValidationError({"department_code": _("Name the department for this scope.")})
        if self.scope != Scope.DEPARTMENT and self.department_code:
            raise ValidationError(
                {
                    "department_code": _(
                        "A department is named only with the scope “in the department named here”."
                    )
                }
            )

    def as_entry(self) -> dict[str, object]:
        """The approver as a request keeps it (kesu.approvals.models.Approval.levels)."""
        return {
            "role": self.role,
            "scope": self.scope,
            "department": self.department_code,
            "staff": self.staff_id,
            "label": self.label,
        }


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class Approval(models.Model):
    """A request for approval of one step of one complaint (呈核), decided level by level.

    ``levels`` is the chosen rule's levels as they were when asked:
    ``[{"level": 1, "mode": "any", "entries": [{"role", "scope", "department", "staff", "label"}]}]``.
    """

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="approvals")
    step = models.SlugField(_("step"), max_length=STEP_CODE)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
    rule = models.ForeignKey(
        ApprovalRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approvals",
        verbose_name=_("rule"),
    )
    levels = models.JSONField(_("levels"), default=list)
    current_level = models.PositiveSmallIntegerField(_("current level"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    subject = BoundedTextField(_("subject"), max_length=limits.HANDLING_TEXT)
    requested_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "step"],
                condition=Q(status="pending"),
                name="approval_one_pending_per_step",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="approval_status_created")]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.step} {self.amount} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status == ApprovalStatus.PENDING

    def level_spec(self, number: int | None = None) -> dict:
        number = self.current_level if number is None else number
        return next(level for level in self.levels if level["level"] == number)


class ApprovalDecision(models.Model):
    """One approver's decision on one level: approve, or refuse with the reason (which ends the
    request). ``entries`` are the indexes of the level's approvers this decision stands for."""

    approval = models.ForeignKey(Approval, on_delete=models.CASCADE, related_name="decisions")
    level = models.PositiveSmallIntegerField(_("level"))
    actor = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    acting_for = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("acting for")
    )
    approve = models.BooleanField(_("approved"))
    reason = BoundedTextField(_("reason"), max_length=limits.HANDLING_TEXT, blank=True)
    entries = models.JSONField(default=list)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("approval decision")
        verbose_name_plural = _("approval decisions")

    def __str__(self) -> str:
        return f"{self.approval_id} L{self.level} {'✓' if self.approve else '✗'} {self.actor}"
