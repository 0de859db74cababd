"""Approved access to the customer archive (issue 11 §4) and the correction procedure (§2, seed
001 #4): who may read an archive they may not know, who may borrow (借阅) an archive, and who
corrects wrong customer data — each a request that the rule book's people decide, with every step
kept. Imported by ``kesu.archive.models`` so Django registers them with the app.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.archive.models import CustomerArchive
from kesu.core import limits
from kesu.core.limits import BoundedTextField
from kesu.organization.models import Role, Staff


class AccessRules(models.Model):
    """The rule book's access, lending and correction settings (one row; preset section
    ``archive_access``, the admin edits it). Each rule carries the clause it comes from."""

    read_own_approver = models.CharField(
        _("reading own department's archive: approver"),
        max_length=30,
        choices=Role.choices,
        default=Role.DEPARTMENT_HEAD,
    )
    read_other_approver = models.CharField(
        _("reading another department's archive: approver"),
        max_length=30,
        choices=Role.choices,
        default=Role.GENERAL_MANAGER,
    )
    read_source = models.TextField(_("reading: source"), blank=True)
    read_days = models.PositiveIntegerField(
        _("access granted for (days)"),
        default=7,
        help_text=_("An approved access ends after this many days."),
    )
    read_days_source = models.TextField(_("access period: source"), blank=True)
    lend_reviewer = models.CharField(
        _("lending: reviewer"), max_length=30, choices=Role.choices, blank=True, default=Role.DEPARTMENT_HEAD
    )
    lend_approver = models.CharField(
        _("lending: approver"), max_length=30, choices=Role.choices, default=Role.GENERAL_MANAGER
    )
    lend_source = models.TextField(_("lending: source"), blank=True)
    lend_days = models.PositiveIntegerField(
        _("lent for at most (days)"),
        default=14,
        help_text=_("The due-back date is at most this many days after lending."),
    )
    lend_days_source = models.TextField(_("lending period: source"), blank=True)
    correction_reviewer = models.CharField(
        _("correction: reviewer"), max_length=30, choices=Role.choices, default=Role.CS_DIRECTOR
    )
    correction_approver = models.CharField(
        _("correction: approver"), max_length=30, choices=Role.choices, default=Role.GENERAL_MANAGER
    )
    correction_source = models.TextField(_("correction: source"), blank=True)

    class Meta:
        verbose_name = _("archive access rules")
        verbose_name_plural = _("archive access rules")

    def __str__(self) -> str:
        return str(_("archive access rules"))

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not 1 <= self.read_days <= 366:
            raise ValidationError({"read_days": _("From 1 to 366 days.")})
        if not 1 <= self.lend_days <= 366:
            raise ValidationError({"lend_days": _("From 1 to 366 days.")})

    @classmethod
    def current(cls) -> AccessRules:
        # A database without the preset's section: the seeds' defaults (the fields' defaults).
        return cls.objects.order_by("pk").first() or cls()


class AccessKind(models.TextChoices):
    READ = "read", _("Access (查阅)")
    LEND = "lend", _("Lending (借阅)")


class AccessStatus(models.TextChoices):
    REVIEW = "review", _("Waiting for review")
    APPROVAL = "approval", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    LENT = "lent", _("Lent out")
    RETURNED = "returned", _("Returned")
    REFUSED = "refused", _("Refused")
    EXPIRED = "expired", _("Expired")


class AccessRequest(models.Model):
    """A request to read (查阅) or borrow (借阅) a customer archive, with its reason, its decision
    and — for a loan — the lent-out register (who handed it out, when it is due back, when it came
    back). Seed 002 客户管理管理制度通用5 1.5 (own department: the department manager; another
    department: the general manager); seed 001 客户管理制度6 3.2.7 (借阅: the department head
    reviews, the general manager approves, then it is registered)."""

    archive = models.ForeignKey(CustomerArchive, on_delete=models.PROTECT, related_name="access_requests")
    kind = models.CharField(_("kind"), max_length=10, choices=AccessKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=AccessStatus.choices)
    requested_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    reason = BoundedTextField(_("reason"), max_length=limits.HANDLING_TEXT)
    own_department = models.BooleanField(
        _("own department"), help_text=_("The archive belongs to the requester's department.")
    )
    reviewed_by = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = BoundedTextField(_("decision note"), max_length=limits.HANDLING_TEXT, blank=True)
    valid_until = models.DateTimeField(_("access until"), null=True, blank=True)
    lent_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("lent by")
    )
    lent_at = models.DateTimeField(_("lent at"), null=True, blank=True)
    due_back = models.DateField(_("due back"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_to = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("returned to"),
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["requested_by", "status"], name="access_request_staff_idx"),
            models.Index(fields=["status", "due_back"], name="access_request_due_idx"),
        ]
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.archive_id} {self.get_status_display()}"


class CorrectionStatus(models.TextChoices):
    """Seed 001 客户管理制度4 例: 客服部人员制订补救处理方案 → 客服部经理审核 → 总经理审批 → 客服部组织执行
    (其他部门执行后反馈) → 客服部写报告 → 客服经理审核 → 总经理审批 → 存档."""

    REVIEW = "review", _("Plan waiting for the CS manager's review")
    APPROVAL = "approval", _("Plan waiting for the general manager's approval")
    EXECUTION = "execution", _("Approved: to be executed")
    REPORT = "report", _("Executed: the report to be written")
    REPORT_REVIEW = "report_review", _("Report waiting for the CS manager's review")
    REPORT_APPROVAL = "report_approval", _("Report waiting for the general manager's approval")
    ARCHIVED = "archived", _("Archived")
    REFUSED = "refused", _("Refused")


class CorrectionRequest(models.Model):
    """A correction of wrong customer data (客户信息错误, seed 001 #4): the remedy plan and the
    changes it proposes, decided step by step; the changes are written (each with its old and new
    value in the archive's history) only when the approved plan is executed."""

    archive = models.ForeignKey(CustomerArchive, on_delete=models.PROTECT, related_name="corrections")
    status = models.CharField(_("status"), max_length=20, choices=CorrectionStatus.choices)
    changes = models.JSONField(_("changes"), help_text=_("Field → corrected value."))
    plan = BoundedTextField(_("remedy plan"), max_length=limits.HANDLING_TEXT)
    drafted_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("drafted by")
    )
    drafted_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    feedback = BoundedTextField(_("departments' feedback"), max_length=limits.HANDLING_TEXT, blank=True)
    report = BoundedTextField(_("report"), max_length=limits.HANDLING_TEXT, blank=True)

    class Meta:
        ordering = ["-drafted_at", "-pk"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"


class CorrectionStep(models.Model):
    """One step of a correction: who did what, when, with what note. Append-only: the record of
    the procedure (the seed's signatures)."""

    correction = models.ForeignKey(CorrectionRequest, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=20)
    by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = BoundedTextField(_("note"), max_length=limits.HANDLING_TEXT, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("correction step")
        verbose_name_plural = _("correction steps")

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"
