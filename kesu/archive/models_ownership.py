"""Ownership of customer archives (客户归属, issue 11 §3): who a customer belongs to, for how long a
registration holds, how a deal's credit is split between salespeople, disputes and the hand-over
when a salesperson leaves. The rules are rule-book data (preset section ``archive_ownership``).

Seeds: 000 第五篇 (real-estate sales office) 五、客户的分配确认 — 1 首访原则 (the earlier registration
wins), 2(1) 客户建档有效期为2个月, 3 客户区分准则 (1)–(13) the credit-split cases, 4 disputes go to the
department (部门经理进行界定); 001 客户管理制度4 六/八 (a leaver's customers are received by the
department; the customers are told and a successor contacts them); 002 #4 4 (the same).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.archive.models import CustomerArchive
from kesu.core import limits
from kesu.core.limits import BoundedTextField
from kesu.organization.models import Department, Staff


class OwnershipRules(models.Model):
    """The rule book's ownership settings (one row; presets fill it in, the admin edits it)."""

    registration_valid_months = models.PositiveSmallIntegerField(
        _("registration valid (months)"),
        help_text=_("A registration holds this long after it was made or last renewed by a contact."),
    )
    registration_source = models.TextField(_("registration: source"), blank=True)
    handover_source = models.TextField(_("hand-over: source"), blank=True)
    dispute_source = models.TextField(_("disputes: source"), blank=True)

    class Meta:
        verbose_name = _("ownership rules")
        verbose_name_plural = _("ownership rules")

    def __str__(self) -> str:
        return str(_("ownership rules"))

    def clean(self) -> None:
        if not 1 <= self.registration_valid_months <= 120:
            raise ValidationError({"registration_valid_months": _("From 1 to 120 months.")})

    @classmethod
    def current(cls) -> OwnershipRules:
        rules = cls.objects.order_by("pk").first()
        if rules is None:  # a database without the preset's section: seed 000's 2 months
            return cls(registration_valid_months=2)
        return rules


class CreditSplitCase(models.Model):
    """One of the rule book's cases for splitting a deal's credit (业绩/奖金) between the salesperson
    who registered the customer first and the one who closed or helped (seed 000 第五篇 五、3)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    registrant_share = models.PositiveSmallIntegerField(
        _("registrant's share (%)"),
        help_text=_("The share of the salesperson who registered the customer; the other gets the rest."),
    )
    requires_valid_registration = models.BooleanField(
        _("only while the registration is valid"),
        default=True,
        help_text=_("After the registration has lapsed the registrant gets nothing (与B无关)."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("credit-split case")
        verbose_name_plural = _("credit-split cases")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.registrant_share > 100:
            raise ValidationError({"registrant_share": _("From 0 to 100 %.")})


class ArchiveOwnership(models.Model):
    """Who the customer belongs to now (客户归属): the salesperson and their department, when the
    registration was made (首访登记) and when it was last renewed. Its validity also counts the
    owner's latest contact with the customer (the contact log), so a contact renews it."""

    archive = models.OneToOneField(
        CustomerArchive,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="ownership",
        verbose_name=_("archive"),
    )
    owner = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    registered_at = models.DateTimeField(_("registered at"))
    renewed_at = models.DateTimeField(_("renewed at"))

    class Meta:
        indexes = [models.Index(fields=["owner"], name="archive_ownership_owner_idx")]
        verbose_name = _("ownership")
        verbose_name_plural = _("ownerships")

    def __str__(self) -> str:
        return f"{self.archive_id} → {self.owner}"


class OwnershipEventKind(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    RENEWED = "renewed", _("Renewed")
    TAKEN_OVER = "taken_over", _("Registered after the earlier one lapsed")
    DISPUTED = "disputed", _("Disputed")
    DECIDED = "decided", _("Dispute decided")
    HANDED_OVER = "handed_over", _("Handed over")
    ACKNOWLEDGED = "acknowledged", _("Hand-over acknowledged")
    CREDIT_SPLIT = "credit_split", _("Credit split")


class OwnershipEvent(models.Model):
    """One step in a customer's ownership: who, when, why, from whom to whom (append-only)."""

    archive = models.ForeignKey(CustomerArchive, on_delete=models.PROTECT, related_name="ownership_events")
    kind = models.CharField(_("kind"), max_length=20, choices=OwnershipEventKind.choices)
    from_staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("from")
    )
    to_staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("to")
    )
    by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("when"), auto_now_add=True)
    reason = BoundedTextField(_("reason"), max_length=limits.HANDLING_TEXT, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["archive", "-at"], name="ownership_event_archive_idx")]
        verbose_name = _("ownership event")
        verbose_name_plural = _("ownership events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class OwnershipDispute(models.Model):
    """A salesperson disputes who a customer belongs to (客户交叉); the sales manager (the head of
    the owner's department) or the leadership decides (seed 000 第五篇 五、4)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DECIDED = "decided", _("Decided")

    archive = models.ForeignKey(CustomerArchive, on_delete=models.PROTECT, related_name="ownership_disputes")
    claimant = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("claimant")
    )
    owner = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    reason = BoundedTextField(_("reason"), max_length=limits.HANDLING_TEXT)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    winner = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("winner")
    )
    decision = BoundedTextField(_("decision"), max_length=limits.HANDLING_TEXT, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("ownership dispute")
        verbose_name_plural = _("ownership disputes")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"


class Handover(models.Model):
    """The hand-over of a leaving (or moving) salesperson's customers (客户交接): who handed over,
    when and why; each customer's successor acknowledges (签收)."""

    leaver = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("leaving"))
    by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("handed over by")
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    reason = BoundedTextField(_("reason"), max_length=limits.HANDLING_TEXT)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")

    def __str__(self) -> str:
        return f"#{self.pk} {self.leaver}"


class HandoverItem(models.Model):
    """One customer in a hand-over: its successor, when the customer was told of the new contact
    and when the successor acknowledged."""

    handover = models.ForeignKey(Handover, on_delete=models.PROTECT, related_name="items")
    archive = models.ForeignKey(CustomerArchive, on_delete=models.PROTECT, related_name="+")
    successor = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("successor")
    )
    customer_notified_at = models.DateTimeField(_("customer notified at"), null=True, blank=True)
    notified_by_email = models.BooleanField(_("e-mailed"), default=False)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["handover", "archive"], name="handover_item_unique")]
        verbose_name = _("handed-over customer")
        verbose_name_plural = _("handed-over customers")

    def __str__(self) -> str:
        return f"{self.archive_id} → {self.successor}"
