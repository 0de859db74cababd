"""The quality complaint committee (产品质量投诉处理委员会, seed 000 第一篇 4.2.3.3 2)).

Rule-book data: a **committee rule** names, for a class (with its sub-classes), who convenes the
committee and its **seats** — each a role (or anyone) in the complaint's responsible department, in
a named department or anywhere, with its duty; one seat collects the on-site evidence (the
salesperson's 《客户产品质量投诉处理备忘单》). Edited in the admin, loaded from the presets'
``committees`` section.

Per complaint: the **committee** convened by the convenor with a named member per seat, the
**evidence memo** (facts, the customer's statement, photos among the complaint's attachments), the
**determination** (a draft version of the handling decision, kesu.decisions: cause, the
responsibility ratio that splits the repair-cost budget, the budget, remedies, and the repair/
delivery memo 返修交货备忘), and each member's **agreement**. When every member agrees the memo is
complete (timeline ``committee_agreed``, which meets the memo clock of kesu.deadlines) and the
determination goes to the approval by amount as the decision.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.complaints.models import Attachment, Category, Complaint
from kesu.core import limits
from kesu.core.limits import BoundedTextField
from kesu.decisions.models import DecisionVersion
from kesu.organization.models import Role, Staff


class SeatScope(models.TextChoices):
    ANY = "any", _("anywhere in the company")
    RESPONSIBLE_DEPARTMENT = "responsible_department", _("in the complaint's responsible department")
    DEPARTMENT = "department", _("in the department named here")


class CommitteeRule(models.Model):
    """Who convenes a committee for a class's complaints and who sits on it (委员会成员及职责)."""

    name = models.CharField(_("name"), max_length=100)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("class"),
        help_text=_("Empty: every class. A rule for a class covers its sub-classes."),
    )
    convenor_role = models.CharField(_("convened by (role)"), max_length=30, choices=Role.choices)
    convenor_scope = models.CharField(
        _("convenor's scope"),
        max_length=30,
        choices=SeatScope.choices,
        default=SeatScope.RESPONSIBLE_DEPARTMENT,
    )
    convenor_department = models.CharField(
        _("convenor's department (code)"), max_length=limits.CODE, blank=True
    )
    evidence_form = models.CharField(
        _("evidence memo"),
        max_length=100,
        blank=True,
        help_text=_("The form's name, e.g. 客户产品质量投诉处理备忘单."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    source = BoundedTextField(
        _("source"),
        max_length=limits.HANDLING_TEXT,
        blank=True,
        help_text=_("The clause of the company's rules this follows."),
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("committee rule")
        verbose_name_plural = _("committee rules")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        _check_scope(self.convenor_scope, self.convenor_department, "convenor_department")


def _check_scope(scope: str, department: str, field: str) -> None:
    if scope == SeatScope.DEPARTMENT and not department:
        raise ValidationError({field: _("Name the department for this scope.")})
    if scope != SeatScope.DEPARTMENT and department:
        raise ValidationError(
            {field: _("A department is named only with the scope “in the department named here”.")}
        )


class CommitteeSeat(models.Model):
    """One seat of a committee: a role (or anyone, role empty) in a scope, with its duty."""

    rule = models.ForeignKey(CommitteeRule, on_delete=models.CASCADE, related_name="seats")
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    label = models.CharField(_("seat"), max_length=100)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    scope = models.CharField(_("scope"), max_length=30, choices=SeatScope.choices, default=SeatScope.ANY)
    department_code = models.CharField(_("department (code)"), max_length=limits.CODE, blank=True)
    collects_evidence = models.BooleanField(
        _("collects the on-site evidence"),
        default=False,
        help_text=_("This member records the evidence memo (e.g. the related sales manager)."),
    )
    duty = BoundedTextField(_("duty"), max_length=limits.HANDLING_TEXT, blank=True)

    class Meta:
        ordering = ["rule", "position", "pk"]
        verbose_name = _("committee seat")
        verbose_name_plural = _("committee seats")

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        _check_scope(self.scope, self.department_code, "department_code")


class CommitteeStatus(models.TextChoices):
    CONVENED = "convened", _("convened")
    DETERMINED = "determined", _("determination recorded")
    AGREED = "agreed", _("agreed by every member")


class Committee(models.Model):
    """A complaint's committee, its evidence memo and its determination."""

    complaint = models.OneToOneField(Complaint, on_delete=models.PROTECT, related_name="committee")
    rule = models.ForeignKey(CommitteeRule, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=20, choices=CommitteeStatus.choices, default=CommitteeStatus.CONVENED
    )
    convened_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    convened_at = models.DateTimeField(default=timezone.now)
    # 《客户产品质量投诉处理备忘单》: the on-site evidence
    facts = BoundedTextField(_("facts found on site"), max_length=limits.HANDLING_TEXT, blank=True)
    customer_statement = BoundedTextField(
        _("the customer's statement"), max_length=limits.HANDLING_TEXT, blank=True
    )
    photos = models.ManyToManyField(Attachment, blank=True, related_name="+", verbose_name=_("photos"))
    evidence_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    evidence_at = models.DateTimeField(null=True, blank=True)
    # the determination: a draft decision version, and the repair/delivery memo (返修交货备忘)
    determination = models.ForeignKey(
        DecisionVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    delivery_memo = BoundedTextField(_("repair/delivery memo"), max_length=limits.HANDLING_TEXT, blank=True)
    determined_at = models.DateTimeField(null=True, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self) -> str:
        return f"{self.rule} — {self.complaint}"


class Agreement(models.TextChoices):
    PENDING = "", _("not yet")
    AGREED = "agreed", _("agrees")
    DISAGREED = "disagreed", _("disagrees")


class CommitteeMember(models.Model):
    """A named member in a seat, and their agreement to the current determination."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members")
    seat = models.ForeignKey(CommitteeSeat, on_delete=models.SET_NULL, null=True, related_name="+")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(_("seat"), max_length=100)
    collects_evidence = models.BooleanField(default=False)
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    agreement = models.CharField(
        _("agreement"), max_length=10, choices=Agreement.choices, blank=True, default=Agreement.PENDING
    )
    comment = BoundedTextField(_("comment"), max_length=limits.HANDLING_TEXT, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["committee", "position"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "staff"], name="committee_member_once"),
        ]
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")

    def __str__(self) -> str:
        return f"{self.label}: {self.staff}"
