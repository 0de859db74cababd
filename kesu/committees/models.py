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

A rule may instead decide **by vote**: a collective decision such as the law firm's partners'
meeting (合伙人会议, seed 000 第四篇 二 (二), (四)). Its seats name who sits — every active person
who fits a seat, less anyone complained about (回避) — and the rule book sets the **quorum** (more
than ``quorum_percent`` of the members vote) and the **majority** (more than ``majority_percent``
of the members present agree; an abstention is present and does not agree). A **meeting** is held
on the complaint's proposed resolution; each member's **vote** (agree, disagree, abstain, with a
comment) is on the timeline; the outcome decides the procedure's approve step
(``approve_resolution`` or ``return_resolution``), or records that the meeting had no quorum.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.complaints.models import Attachment, Category, Complaint, Severity
from kesu.core import limits
from kesu.core.limits import BoundedTextField
from kesu.decisions.models import DecisionVersion
from kesu.organization.models import Role, Staff


class SeatScope(models.TextChoices):
    ANY = "any", _("anywhere in the company")
    RESPONSIBLE_DEPARTMENT = "responsible_department", _("in the complaint's responsible department")
    DEPARTMENT = "department", _("in the department named here")


# Kesu's roles for the people a vote seats (a law firm's partners: the director is the general
# manager, the partners in charge are vice presidents): the meeting's actions are offered to them.
VOTING_ROLES = frozenset({Role.GENERAL_MANAGER, Role.VICE_PRESIDENT})


class DecidesBy(models.TextChoices):
    AGREEMENT = "agreement", _("every member agrees to the determination")
    VOTE = "vote", _("a vote of the members present (quorum and majority)")


class CommitteeRule(models.Model):
    """Who convenes a committee for a class's complaints and who sits on it (委员会成员及职责)."""

    name = models.CharField(_("name"), max_length=100)
    decides_by = models.CharField(
        _("decides by"),
        max_length=20,
        choices=DecidesBy.choices,
        default=DecidesBy.AGREEMENT,
        help_text=_(
            "Agreement: one named member per seat, each agrees to the determination (furniture's"
            " quality committee). Vote: every person who fits a seat is a member, and the quorum and"
            " majority below decide the proposed resolution (a partners' meeting)."
        ),
    )
    severity = models.ForeignKey(
        Severity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("severity"),
        help_text=_("Empty: every severity. E.g. only major complaints go to the partners' meeting."),
    )
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (more than this percentage of the members vote)"),
        default=50,
        validators=[MaxValueValidator(99)],
        help_text=_("Vote only. 50: more than half of the members must be present (cast a vote)."),
    )
    majority_percent = models.PositiveSmallIntegerField(
        _("majority (more than this percentage of those present agree)"),
        default=50,
        validators=[MaxValueValidator(99)],
        help_text=_("Vote only. 50: a simple majority of the members present; an abstention does not agree."),
    )
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
        if self.decides_by == DecidesBy.VOTE:
            if self.evidence_form:
                raise ValidationError({"evidence_form": _("A vote has no evidence memo: leave it empty.")})
            if self.convenor_role != Role.GENERAL_MANAGER:
                raise ValidationError(
                    {
                        "convenor_role": _(
                            "A meeting is convened by the general manager (the firm's director, 主任);"
                            " when complained about, by the rule book's recusal substitute."
                        )
                    }
                )

    @property
    def votes(self) -> bool:
        return self.decides_by == DecidesBy.VOTE


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
        if self.rule_id is not None and self.rule.votes and self.role not in VOTING_ROLES:
            raise ValidationError(
                {"role": _("A meeting's seat is a general manager's or a vice president's (a partner).")}
            )


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


# ---------------------------------------------------------------------------------------------
# Collective decisions by vote (a partners' meeting)


class MeetingStatus(models.TextChoices):
    OPEN = "open", _("voting")
    CONCLUDED = "concluded", _("concluded")


class MeetingOutcome(models.TextChoices):
    PENDING = "", _("not yet")
    APPROVED = "approved", _("resolution approved")
    REJECTED = "rejected", _("resolution rejected")
    NO_QUORUM = "no_quorum", _("no quorum: no decision")


class Meeting(models.Model):
    """A meeting held on a complaint's proposed resolution (e.g. 合伙人会议), with the rule's quorum
    and majority as they were when it was convened (a rule-book edit applies to the next one)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="meetings")
    rule = models.ForeignKey(CommitteeRule, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField(_("meeting no."), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.OPEN
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=MeetingOutcome.choices, blank=True, default=""
    )
    agenda = BoundedTextField(_("agenda"), max_length=limits.HANDLING_TEXT, blank=True)
    quorum_percent = models.PositiveSmallIntegerField(_("quorum (percentage)"))
    majority_percent = models.PositiveSmallIntegerField(_("majority (percentage)"))
    convened_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    convened_at = models.DateTimeField(default=timezone.now)
    concluded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["complaint", "round"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "round"], name="meeting_round_once"),
            models.UniqueConstraint(
                fields=["complaint"],
                condition=models.Q(status="open"),
                name="one_open_meeting_per_complaint",
            ),
        ]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.rule} #{self.round} — {self.complaint}"


class Vote(models.TextChoices):
    PENDING = "", _("not voted")
    AGREE = "agree", _("agrees")
    DISAGREE = "disagree", _("disagrees")
    ABSTAIN = "abstain", _("abstains")


class MeetingVote(models.Model):
    """A member of a meeting and their vote; ``cast_by`` is their deputy when one voted for them."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="votes")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(_("seat"), max_length=100)
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    vote = models.CharField(_("vote"), max_length=10, choices=Vote.choices, blank=True, default="")
    comment = BoundedTextField(_("comment"), max_length=limits.HANDLING_TEXT, blank=True)
    cast_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    cast_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "staff"], name="meeting_member_once"),
        ]
        verbose_name = _("meeting vote")
        verbose_name_plural = _("meeting votes")

    def __str__(self) -> str:
        return f"{self.label}: {self.staff}"
