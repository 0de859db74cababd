"""Retention and destruction of customer archives (保管期限与销毁, issue 11 §5).

Seeds: 001 客户管理制度6 3、2、8 (客户档案的保管期限为10年, destroyed only after the business
department head's review and the general manager's approval, with a destruction record); 000 第三篇
(liquor) 四、2 (complaint files kept one year, important ones long-term); 001 客户管理制度3 8 (forms
kept by their retention period). The periods and who reviews and approves are rule-book data
(preset section ``archive_retention``).

Destruction removes the customer's personal data (PIPL) and keeps the skeleton: the archive number,
kind, classes, dates, the complaints' numbers and the timeline's entries; the destruction list is
the destruction record and is kept after the data is gone.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.archive.models import CustomerArchive
from kesu.core import limits
from kesu.core.limits import BoundedTextField
from kesu.organization.models import Role, Staff


class RecordClass(models.TextChoices):
    ARCHIVE = "archive", _("customer archive")
    COMPLAINT = "complaint", _("complaint file")
    COMPLAINT_IMPORTANT = "complaint_important", _("important complaint file")


class RetentionPeriod(models.Model):
    """How long one class of record is kept (保管期限), counted from its last activity; empty years
    means long-term (长期保存: never proposed for destruction)."""

    record = models.CharField(_("record class"), max_length=30, choices=RecordClass.choices, unique=True)
    years = models.PositiveSmallIntegerField(
        _("kept for (years)"), null=True, blank=True, help_text=_("Empty: kept long-term.")
    )
    reviewer_role = models.CharField(
        _("reviewed by"), max_length=30, choices=Role.choices, default=Role.CS_DIRECTOR
    )
    approver_role = models.CharField(
        _("approved by"), max_length=30, choices=Role.choices, default=Role.GENERAL_MANAGER
    )
    witness_required = models.BooleanField(_("witness required"), default=False)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["record"]
        verbose_name = _("retention period")
        verbose_name_plural = _("retention periods")

    def __str__(self) -> str:
        return f"{self.get_record_display()}: {self.years or '∞'}"

    def clean(self) -> None:
        if self.years is not None and not 1 <= self.years <= 100:
            raise ValidationError({"years": _("From 1 to 100 years, or empty for long-term.")})
        if self.reviewer_role == self.approver_role:
            raise ValidationError(
                {"approver_role": _("The approver's role must differ from the reviewer's.")}
            )

    @classmethod
    def for_record(cls, record: str) -> RetentionPeriod:
        found = cls.objects.filter(record=record).first()
        if found is None:  # a database without the preset's section: seed 001's 10 years
            return cls(record=record, years=10 if record == RecordClass.ARCHIVE else None)
        return found


class DestructionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")
    DESTROYED = "destroyed", _("Destroyed")
    REJECTED = "rejected", _("Rejected")


class DestructionList(models.Model):
    """A destruction list (销毁清单) and, once executed, the destruction record (销毁记录): what,
    proposed when and by whom (empty: the worker), reviewed, approved, destroyed by whom, the
    witness, when. Never deleted."""

    record = models.CharField(_("record class"), max_length=30, choices=RecordClass.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=DestructionStatus.choices, default=DestructionStatus.PROPOSED
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    proposed_by = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
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
    approved_by = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    destroyed_by = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("destroyed by"),
    )
    witness = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("witness")
    )
    destroyed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True)
    note = BoundedTextField(_("note"), max_length=limits.HANDLING_TEXT, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("destruction list")
        verbose_name_plural = _("destruction lists")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"


class DestructionItem(models.Model):
    """One archive on a destruction list, with what the record keeps of it after destruction."""

    destruction = models.ForeignKey(DestructionList, on_delete=models.PROTECT, related_name="items")
    archive = models.ForeignKey(CustomerArchive, on_delete=models.PROTECT, related_name="destructions")
    number = models.CharField(_("archive number"), max_length=40)
    last_activity = models.DateField(_("last activity"))
    due_on = models.DateField(_("due on"))
    kept = models.JSONField(_("kept"), default=dict, blank=True)
    destroyed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["destruction", "archive"], name="destruction_item_unique"),
            # An archive is destroyed once.
            models.UniqueConstraint(
                fields=["archive"],
                condition=models.Q(destroyed_at__isnull=False),
                name="archive_destroyed_once",
            ),
        ]
        verbose_name = _("archive to destroy")
        verbose_name_plural = _("archives to destroy")

    def __str__(self) -> str:
        return self.number


class DestructionUnlock(models.Model):
    """Present only inside a destruction's transaction: the append-only triggers of the archive's
    logs (migration 0003, replaced by ``0005_retention_unlock``) let that archive's rows be scrubbed of
    personal data while a row here names it. Deleted before the transaction commits."""

    archive_id = models.IntegerField(primary_key=True)

    class Meta:
        verbose_name = _("destruction in progress")

    def __str__(self) -> str:
        return str(self.archive_id)
