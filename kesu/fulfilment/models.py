"""Carrying the handling decision out (issue 9 §3) and what it costs (§4).

- Rule-book lists (edited in the admin, loaded from presets): carriers (承运商), the customers'
  over-delivery tolerance (超量允收比率, seed 002 (十三)2(1)), return rules (seed 000 liquor 3.2:
  mould within 15 days of shipment is returned unconditionally, storage damage is not, sediment
  and floating matter are returned) and the numbering of allowance certificates (销货折让证明单).
- What happened: shipments (carrier, waybill, shipped, delivered — the delivery drives the
  follow-up clock), repair/re-process progress, carrier claims, finished-goods return slips
  (成品退货单), allowance certificates / credit notes and receivables affected (应收款项).
- The cost ledger, kept by kesu.fulfilment.ledger: one row per complaint for its approved decision
  (upheld, loss) and one row per (money line, party) with what that party bears, split by
  kesu.decisions.split (largest remainder, to the fen), so that figures are database sums.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.approvals.models import Approval
from kesu.complaints.models import Complaint
from kesu.core import limits
from kesu.core.limits import BoundedTextField
from kesu.customers.models import Customer
from kesu.decisions.models import AMOUNT_DIGITS, AMOUNT_PLACES, MAX_AMOUNT, DecisionVersion
from kesu.organization.models import Department, Staff
from kesu.rulebook.numbering import ResetPeriod, validate_pattern

WAYBILL = limits.max_length("waybill")
ITEM = limits.max_length("item")


def money(verbose: str, **kwargs: object) -> models.DecimalField:
    return models.DecimalField(
        verbose,
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)],
        **kwargs,
    )


def _source() -> BoundedTextField:
    return BoundedTextField(
        _("source"),
        max_length=limits.HANDLING_TEXT,
        blank=True,
        help_text=_("The clause of the company's rules this follows, or that the rules are silent."),
    )


# ---------------------------------------------------------------------------------------------
# Rule-book lists


class Carrier(models.Model):
    """A carrier (物流承运商) the company ships with; claims follow its contract (seed 000 4.2.3.4)."""

    code = models.SlugField(_("code"), max_length=limits.CODE, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    source = _source()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def __str__(self) -> str:
        return self.name


class OverDeliveryTolerance(models.Model):
    """超量允收比率: how far a customer's actually returned quantity may exceed the approved one
    (and a return the shipped quantity) and still be booked on the actual quantity (seed 002
    (十三)2(1)). A row without a customer is the company's own rule (依本公司规定)."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
        help_text=_("Empty: the company's rule for customers who did not state one."),
    )
    percent = models.DecimalField(
        _("tolerance (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    source = _source()

    class Meta:
        verbose_name = _("over-delivery tolerance")
        verbose_name_plural = _("over-delivery tolerances")
        constraints = [
            # One row per customer and one company rule (no customer).
            models.UniqueConstraint(
                Coalesce("customer", Value(0)),
                name="one_tolerance_per_customer",
                violation_error_message=_("This customer (or the company rule) has a tolerance already."),
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0, percent__lte=100), name="tolerance_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer or _('company rule')}: {self.percent}%"


class ReturnRule(models.Model):
    """When goods are returned (seed 000 liquor 3.2): a finding, whether it is returned, and the
    days after shipment within which it is returned unconditionally (empty: no limit)."""

    code = models.SlugField(_("code"), max_length=limits.CODE, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    returned = models.BooleanField(_("returned"), default=True)
    unconditional = models.BooleanField(_("unconditional"), default=False)
    within_days = models.PositiveSmallIntegerField(
        _("within days of shipment"),
        null=True,
        blank=True,
        help_text=_("Found within this many days of shipment (出库); empty: no limit."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    source = _source()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("return rule")
        verbose_name_plural = _("return rules")

    def __str__(self) -> str:
        return self.name


class DocumentNumbering(models.Model):
    """How allowance certificates (销货折让证明单) are numbered: a pattern as complaint numbers'
    (kesu.rulebook.numbering) with its own counters."""

    class Kind(models.TextChoices):
        CREDIT_NOTE = "credit_note", _("allowance certificate / credit note")

    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices, unique=True)
    pattern = models.CharField(_("numbering pattern"), max_length=60)
    reset = models.CharField(_("sequence reset"), max_length=10, choices=ResetPeriod.choices)
    source = _source()

    class Meta:
        verbose_name = _("document numbering")
        verbose_name_plural = _("document numbering")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.pattern}"

    def clean(self) -> None:
        try:
            validate_pattern(self.pattern, self.reset)
        except ValidationError as exc:
            raise ValidationError(
                {"pattern": exc.message_dict.get("numbering_pattern", exc.messages)}
            ) from exc


# ---------------------------------------------------------------------------------------------
# What happened


class Shipment(models.Model):
    """Repaired or replacement goods on their way (seed 000 4.2.3.3 ②: 发货处理)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="shipments")
    carrier = models.ForeignKey(
        Carrier, on_delete=models.PROTECT, related_name="+", verbose_name=_("carrier")
    )
    waybill = models.CharField(_("waybill number"), max_length=WAYBILL)
    shipped_at = models.DateTimeField(_("shipped at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    delivery_recorded_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["complaint", "shipped_at", "pk"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [
            models.CheckConstraint(
                condition=Q(delivered_at__isnull=True) | Q(delivered_at__gte=models.F("shipped_at")),
                name="shipment_delivered_after_shipped",
            )
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.waybill}"


class RepairStage(models.TextChoices):
    RECEIVED = "received", _("received")
    IN_REPAIR = "in_repair", _("in repair")
    REPAIRED = "repaired", _("repaired")
    CHECKED = "checked", _("checked")


STAGE_ORDER = list(RepairStage.values)


class RepairStep(models.Model):
    """One step of the repair or re-process (返修 / 重处理), by whom and when."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="repair_steps")
    stage = models.CharField(_("stage"), max_length=20, choices=RepairStage.choices)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    note = BoundedTextField(_("note"), max_length=limits.HANDLING_TEXT, blank=True)

    class Meta:
        ordering = ["complaint", "at", "pk"]
        verbose_name = _("repair step")
        verbose_name_plural = _("repair steps")

    def __str__(self) -> str:
        return str(self.get_stage_display())


class ClaimOutcome(models.TextChoices):
    OPEN = "open", _("open")
    RECOVERED = "recovered", _("recovered")
    REJECTED = "rejected", _("rejected by the carrier")


class CarrierClaim(models.Model):
    """A claim against the carrier under its contract (seed 000 4.2.3.4 3: 依据相关规定和承运商合同)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="carrier_claims")
    carrier = models.ForeignKey(
        Carrier, on_delete=models.PROTECT, related_name="+", verbose_name=_("carrier")
    )
    amount = money(_("amount claimed (CNY)"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=ClaimOutcome.choices, default="open")
    recovered = money(_("recovered (CNY)"), default=Decimal("0.00"))
    filed_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["complaint", "filed_at", "pk"]
        verbose_name = _("carrier claim")
        verbose_name_plural = _("carrier claims")
        constraints = [
            models.CheckConstraint(
                condition=Q(recovered__lte=models.F("amount")), name="claim_recovered_at_most_claimed"
            )
        ]

    def __str__(self) -> str:
        return f"{self.carrier} ¥{self.amount}"


class ReturnSlip(models.Model):
    """成品退货单 (seed 002 (十三)1(2), 2): the reason, the approved quantity (核定量), the quantity
    actually returned (实退量) and the warehouse's receipt. A returned quantity above the approved
    one beyond the customer's over-delivery tolerance is flagged for a decision."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="return_slips")
    reason = BoundedTextField(_("reason"), max_length=limits.HANDLING_TEXT)
    rule = models.ForeignKey(
        ReturnRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("rule")
    )
    shipped_on = models.DateField(_("shipped out on"), null=True, blank=True)
    unit_price = money(_("unit price (CNY)"), default=Decimal("0.00"))
    shipped_quantity = models.PositiveIntegerField(_("shipped quantity"), null=True, blank=True)
    approved_quantity = models.PositiveIntegerField(_("approved quantity"))
    returned_quantity = models.PositiveIntegerField(_("returned quantity"), null=True, blank=True)
    tolerance_percent = models.DecimalField(
        _("tolerance applied (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    mismatch = models.BooleanField(_("flagged for a decision"), default=False)
    booked_on = models.CharField(
        _("booked on"),
        max_length=10,
        choices=[("actual", _("the quantity returned")), ("approved", _("the approved quantity"))],
        blank=True,
        help_text=_("How a flagged mismatch was decided (请示后依实际状况); empty while it waits."),
    )
    amount = money(_("amount returned (CNY)"), default=Decimal("0.00"))
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    receipt_note = BoundedTextField(_("receipt note"), max_length=limits.HANDLING_TEXT, blank=True)
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["complaint", "created_at", "pk"]
        verbose_name = _("finished-goods return slip")
        verbose_name_plural = _("finished-goods return slips")

    def __str__(self) -> str:
        return f"{self.complaint} #{self.pk}"


class CreditKind(models.TextChoices):
    ALLOWANCE = "allowance", _("allowance (折让)")
    COMPENSATION = "compensation", _("compensation (赔款)")


class CreditStatus(models.TextChoices):
    PROPOSED = "proposed", _("waiting for approval")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class CreditNote(models.Model):
    """销货折让证明单 / credit note (seed 002 (十三)1(1)): numbered, approved by the manager and
    the (vice) general manager, sealed by the customer, one copy sent to accounting."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="credit_notes")
    kind = models.CharField(_("kind"), max_length=20, choices=CreditKind.choices)
    amount = money(_("amount (CNY)"))
    status = models.CharField(_("status"), max_length=20, choices=CreditStatus.choices)
    approval = models.ForeignKey(Approval, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    issued_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    sealed_by = models.CharField(_("sealed by"), max_length=limits.PERSON_NAME, blank=True)
    sealed_at = models.DateTimeField(_("sealed at"), null=True, blank=True)
    sent_to_accounting_at = models.DateTimeField(_("sent to accounting"), null=True, blank=True)
    sent_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["complaint", "issued_at", "pk"]
        verbose_name = _("allowance certificate")
        verbose_name_plural = _("allowance certificates")

    def __str__(self) -> str:
        return self.number


class Receivable(models.Model):
    """The receivable amount a complaint holds up, per item (料号), which sales collection
    figures exclude (seed 002 (十三)3(3)); only for an upheld complaint."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="receivables")
    item = models.CharField(_("item (料号)"), max_length=ITEM)
    amount = money(_("receivable affected (CNY)"))
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["complaint", "item"]
        verbose_name = _("receivable affected")
        verbose_name_plural = _("receivables affected")
        constraints = [models.UniqueConstraint(fields=["complaint", "item"], name="receivable_item_unique")]

    def __str__(self) -> str:
        return f"{self.item} ¥{self.amount}"


# ---------------------------------------------------------------------------------------------
# The cost ledger (kept by kesu.fulfilment.ledger; read by the panel, the API and the figures)


class ComplaintCost(models.Model):
    """One complaint's costs as the figures count them: its approved decision (upheld or not, the
    loss), what was returned, credited and recovered from carriers. ``month`` (the local month of
    receipt) and the class, product and customer are copied from the complaint and kept in step
    by kesu.fulfilment.ledger, so a month's figures are sums over one index range."""

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="cost")
    month = models.DateField()
    category = models.ForeignKey(
        "complaints.Category", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    product = models.ForeignKey("customers.Product", on_delete=models.SET_NULL, null=True, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.SET_NULL, null=True, related_name="+")
    version = models.ForeignKey(DecisionVersion, on_delete=models.SET_NULL, null=True, related_name="+")
    upheld = models.BooleanField(null=True)  # None: no approved decision
    loss_amount = money("loss amount", default=Decimal("0.00"))
    decided_total = money("all money lines", default=Decimal("0.00"))
    returns_amount = money("returned", default=Decimal("0.00"))
    credit_amount = money("credited", default=Decimal("0.00"))
    recovered_amount = money("recovered from carriers", default=Decimal("0.00"))
    # What waits (the actions' guards read these instead of a query per table).
    open_shipments = models.PositiveIntegerField(default=0)
    open_claims = models.PositiveIntegerField(default=0)
    open_returns = models.PositiveIntegerField(default=0)
    notes_to_seal = models.PositiveIntegerField(default=0)
    notes_to_send = models.PositiveIntegerField(default=0)
    flagged_returns = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month", "category"], name="complaintcost_month_idx")]
        verbose_name = _("complaint cost")
        verbose_name_plural = _("complaint costs")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.month:%Y-%m}"


class CostShare(models.Model):
    """What one party bears of one money line of the complaint's approved decision (split by
    kesu.decisions.split: largest remainder, to the fen)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="cost_shares")
    month = models.DateField()
    category = models.ForeignKey(
        "complaints.Category", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    product = models.ForeignKey("customers.Product", on_delete=models.SET_NULL, null=True, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.SET_NULL, null=True, related_name="+")
    upheld = models.BooleanField()
    line = models.CharField(max_length=20)  # loss_amount, repair_budget, compensation, freight
    position = models.PositiveSmallIntegerField()
    party = models.CharField(max_length=20)  # decisions.PartyKind
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, related_name="+")
    label = models.CharField(max_length=200)
    amount = money("amount borne")

    class Meta:
        ordering = ["complaint", "position", "line"]
        indexes = [models.Index(fields=["month", "category"], name="costshare_month_idx")]
        verbose_name = _("cost share")
        verbose_name_plural = _("cost shares")

    def __str__(self) -> str:
        return f"{self.label} {self.line} ¥{self.amount}"
