"""The handling decision (处理决定): a complaint's cause, who is responsible in what proportion,
what the customer gets, what it costs, and the customer's countersign (客户签字确认).

A complaint has at most one Decision; each proposal or rework is a DecisionVersion, whose content
(cause, shares, remedies, money) never changes once proposed — only its status (approved/refused
by the approval), and the customer's answer, are recorded on it later. The current version is the
last one. The rule book's lists (causes, remedy kinds) are rows edited in the admin.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.complaints.models import Complaint
from kesu.core import limits
from kesu.core.limits import BoundedTextField
from kesu.organization.models import Department, Role, Staff

AMOUNT_DIGITS = 14  # up to 999 999 999 999.99 CNY, as approvals
AMOUNT_PLACES = 2
MAX_AMOUNT = Decimal(10 ** (AMOUNT_DIGITS - AMOUNT_PLACES)) - Decimal("0.01")
MONEY_LINES = ("loss_amount", "repair_budget", "compensation", "freight")


class _ListEntry(models.Model):
    code = models.SlugField(_("code"), max_length=limits.CODE, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    source = BoundedTextField(
        _("source"),
        max_length=limits.HANDLING_TEXT,
        blank=True,
        help_text=_("The clause of the company's rules this follows."),
    )

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Cause(_ListEntry):
    """A cause determination (原因判定), e.g. clear quality defect, clear misuse, not upheld."""

    upheld = models.BooleanField(
        _("upheld"),
        default=True,
        help_text=_("Whether a complaint with this cause is upheld (成立); e.g. 不成立 is not."),
    )

    class Meta(_ListEntry.Meta):
        verbose_name = _("cause")
        verbose_name_plural = _("causes")


class RemedyKind(_ListEntry):
    """What the customer gets: repair, replace, return, re-process, allowance (折让), refund, …"""

    class Meta(_ListEntry.Meta):
        verbose_name = _("remedy kind")
        verbose_name_plural = _("remedy kinds")


class Decision(models.Model):
    complaint = models.OneToOneField(Complaint, on_delete=models.PROTECT, related_name="decision")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return str(self.complaint)


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PROPOSED = "proposed", _("proposed")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class CountersignHow(models.TextChoices):
    MEMO = "memo", _("signed memo")
    PHONE = "phone", _("phone")
    EMAIL = "email", _("e-mail")


class CustomerAnswer(models.TextChoices):
    NONE = "", _("not yet")
    SIGNED = "signed", _("countersigned")
    REFUSED = "refused", _("refused")


def _money(verbose: str) -> models.DecimalField:
    return models.DecimalField(
        verbose,
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)],
    )


class DecisionVersion(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.PROPOSED
    )
    cause = models.ForeignKey(Cause, on_delete=models.PROTECT, related_name="+", verbose_name=_("cause"))
    loss_amount = _money(_("loss amount (CNY)"))
    repair_budget = _money(_("repair-cost budget (CNY)"))
    compensation = _money(_("compensation (CNY)"))
    freight = _money(_("freight (CNY)"))
    note = BoundedTextField(_("note"), max_length=limits.DECISION_NOTE, blank=True)
    proposed_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    approval = models.ForeignKey(
        "approvals.Approval", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The customer's answer (客户签字确认) — recorded once, on an approved version.
    customer_answer = models.CharField(
        _("customer's answer"), max_length=10, choices=CustomerAnswer.choices, blank=True
    )
    countersign_how = models.CharField(_("how"), max_length=10, choices=CountersignHow.choices, blank=True)
    countersigned_by = models.CharField(_("signed by"), max_length=limits.PERSON_NAME, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    refusal_reason = BoundedTextField(_("refusal reason"), max_length=limits.HANDLING_TEXT, blank=True)
    answer_recorded_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["decision", "number"]
        # Statistics (kesu.statistics): the decisions approved in a period.
        indexes = [models.Index(fields=["decided_at"], name="decision_version_decided_idx")]
        constraints = [
            models.UniqueConstraint(fields=["decision", "number"], name="decision_version_number_unique"),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{line}__gte": 0}), name=f"decision_{line}_gte_0"
                )
                for line in MONEY_LINES
            ),
        ]
        verbose_name = _("decision version")
        verbose_name_plural = _("decision versions")

    def __str__(self) -> str:
        return f"{self.decision} v{self.number}"

    # What may change after the proposal: the approval's outcome and the customer's answer.
    RECORDED_LATER = frozenset(
        {
            "status",
            "approval",
            "decided_at",
            "customer_answer",
            "countersign_how",
            "countersigned_by",
            "answered_at",
            "refusal_reason",
            "answer_recorded_by",
        }
    )

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A proposed version's content never changes: a later save must name its fields, and
        only those recorded later (a rework is a new version)."""
        if self.pk is not None and not kwargs.get("force_insert"):
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.RECORDED_LATER:
                raise ValueError(f"a decision version is immutable once proposed (fields: {fields})")
        super().save(*args, **kwargs)

    def money(self) -> dict[str, Decimal]:
        return {line: getattr(self, line) for line in MONEY_LINES}


class PartyKind(models.TextChoices):
    DEPARTMENT = "department", _("department")
    STAFF = "staff", _("person (staff)")
    CUSTOMER = "customer", _("customer")
    CARRIER = "carrier", _("carrier")
    SUPPLIER = "supplier", _("supplier")


class ResponsibilityShare(models.Model):
    version = models.ForeignKey(DecisionVersion, on_delete=models.CASCADE, related_name="shares")
    position = models.PositiveSmallIntegerField()
    party = models.CharField(_("party"), max_length=20, choices=PartyKind.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(_("name"), max_length=limits.PARTY_NAME, blank=True)
    share = models.DecimalField(
        _("share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("responsibility share")
        verbose_name_plural = _("responsibility shares")

    def __str__(self) -> str:
        return f"{self.label} {self.share}%"

    @property
    def label(self) -> str:
        if self.party == PartyKind.DEPARTMENT and self.department is not None:
            return self.department.name
        if self.party == PartyKind.STAFF and self.staff is not None:
            return self.staff.display_name
        return self.name or str(self.get_party_display())


class Remedy(models.Model):
    version = models.ForeignKey(DecisionVersion, on_delete=models.CASCADE, related_name="remedies")
    position = models.PositiveSmallIntegerField()
    kind = models.ForeignKey(RemedyKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("kind"))
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    amount = models.DecimalField(
        _("amount (CNY)"),
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)],
    )

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("remedy")
        verbose_name_plural = _("remedies")

    def __str__(self) -> str:
        return str(self.kind)


class ObjectionRoute(models.Model):
    """Who decides an internal objection to an approved decision (签呈, seed 002 (九)12: 各部门对
    客户投诉处理决议有异议时得以“签呈”专案呈报处理): the holder of a role, anywhere or in a named
    department. The rule book has at most one active route; without one, objections are refused."""

    decider_role = models.CharField(_("decided by (role)"), max_length=30, choices=Role.choices)
    decider_department = models.CharField(
        _("in the department (code)"), max_length=limits.CODE, blank=True, help_text=_("Empty: anywhere.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    source = BoundedTextField(
        _("source"),
        max_length=limits.HANDLING_TEXT,
        blank=True,
        help_text=_("The clause of the company's rules this follows."),
    )

    class Meta:
        verbose_name = _("objection route (签呈)")
        verbose_name_plural = _("objection routes (签呈)")

    def __str__(self) -> str:
        return str(self.get_decider_role_display())


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    UPHELD = "upheld", _("upheld: the decision is to be reworked")
    DISMISSED = "dismissed", _("dismissed: the decision stands")


class Objection(models.Model):
    """A department's objection to an approved decision version (签呈), to a named decider,
    ending in a recorded outcome."""

    version = models.ForeignKey(DecisionVersion, on_delete=models.PROTECT, related_name="objections")
    raised_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    reason = BoundedTextField(_("reason"), max_length=limits.HANDLING_TEXT)
    raised_at = models.DateTimeField(default=timezone.now)
    decider = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("decider"))
    status = models.CharField(
        _("outcome"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING
    )
    outcome = BoundedTextField(_("outcome's reason"), max_length=limits.HANDLING_TEXT, blank=True)
    decided_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "pk"]
        verbose_name = _("objection (签呈)")
        verbose_name_plural = _("objections (签呈)")

    def __str__(self) -> str:
        return f"{self.version} — {self.department}"
