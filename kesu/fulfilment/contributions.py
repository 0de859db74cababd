"""What fulfilment adds to a complaint through kesu.complaints.registry: its actions (ship,
deliver, repair progress, carrier claims, return slips, credit notes, receivables) with their
input kinds and labels, their timeline entries, the cost-ledger panel on the complaint page, and
the ledger kept in step with the decision (after_event, approvals' on_decided)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import Field as PydanticField
from pydantic import Strict

from kesu.complaints import registry
from kesu.complaints.actions import Field
from kesu.complaints.models import Complaint, Status
from kesu.complaints.registry import DataKey, InputKind, Panel
from kesu.complaints.workflow import DEPARTMENT, DESK, Action
from kesu.core import limits
from kesu.decisions.models import MAX_AMOUNT
from kesu.decisions.split import FEN
from kesu.fulfilment import ledger, services
from kesu.fulfilment.models import (
    Carrier,
    CarrierClaim,
    ClaimOutcome,
    CreditKind,
    CreditNote,
    CreditStatus,
    RepairStage,
    ReturnRule,
    ReturnSlip,
    Shipment,
)
from kesu.rulebook.cache import cached as rule_book_cache

DESK_OR_DEPARTMENT = {**DESK, **DEPARTMENT}
MAX_INT = 2_147_483_647
# Where the goods can be on their way back: as deadlines' record_delivery (read from it in contribute()).
DELIVERY_SOURCES = frozenset(
    {Status.INVESTIGATING, Status.RESOLUTION_PROPOSED, Status.REPLIED, Status.FOLLOWED_UP}
)
# Carrying out starts with the investigation (the decision is taken there) and lasts while open.
CARRYING_OUT = DELIVERY_SOURCES | {Status.RESOLUTION_APPROVED}

Money = Annotated[Decimal, PydanticField(ge=0, le=MAX_AMOUNT, max_digits=14, decimal_places=2)]
Quantity = Annotated[int, Strict(), PydanticField(ge=0, le=MAX_INT)]
RowId = Annotated[int, Strict(), PydanticField(ge=1, le=MAX_INT)]
Code = Annotated[str, Strict(), PydanticField(min_length=1, max_length=limits.CODE)]


# ---------------------------------------------------------------------------------------------
# Input kinds


def _money(raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float, Decimal)):
        raise ValidationError(_("Enter an amount in CNY, e.g. 1234.50."))
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValidationError(_("Enter an amount in CNY, e.g. 1234.50.")) from None
    if not value.is_finite():
        raise ValidationError(_("Enter an amount in CNY, e.g. 1234.50."))
    if value < 0 or value > MAX_AMOUNT:
        raise ValidationError(_("The amount must be between 0 and %(max)s CNY.") % {"max": f"{MAX_AMOUNT:,}"})
    if value != value.quantize(FEN):
        raise ValidationError(_("At most 2 decimal places (fen)."))
    return value.quantize(FEN)


def _whole(raw: Any, minimum: int) -> int:
    value: Any = raw
    if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        value = int(raw.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_INT:
        raise ValidationError(_("Enter a whole number, %(min)d or more.") % {"min": minimum})
    return value


def _code(model: type, raw: Any) -> Any:
    found = None
    if isinstance(raw, str) and len(raw) <= limits.CODE and limits.unstorable(raw) is None:
        found = model.objects.filter(code=raw, is_active=True).first()
    if found is None:
        raise ValidationError(_("Unknown value: %(value)s") % {"value": str(raw)[:60]})
    return found


def _choice(values: list[str]) -> Any:
    def parse(raw: Any) -> str:
        if raw not in values:
            raise ValidationError(_("Choose one of: %(values)s") % {"values": ", ".join(values)})
        return raw

    return parse


def _rows(model: type, label: Any, related: tuple[str, ...] = (), **where: Any) -> Any:
    def choices(complaint: Complaint) -> list[tuple[str, str]]:
        rows = model.objects.filter(complaint=complaint, **where).select_related(*related)
        return [(str(row.pk), label(row)) for row in rows]

    return choices


def _carriers(_complaint: Complaint) -> list[tuple[str, str]]:
    """The active carriers, read once per process until the rule book changes (kesu.rulebook.cache)."""
    return rule_book_cache(
        "fulfilment.carriers", lambda: [(c.code, c.name) for c in Carrier.objects.filter(is_active=True)]
    )


def _return_rules(_complaint: Complaint) -> list[tuple[str, str]]:
    return rule_book_cache(
        "fulfilment.return_rules",
        lambda: [(r.code, r.name) for r in ReturnRule.objects.filter(is_active=True)],
    )


def _register_kinds() -> None:
    kinds = {
        "money": InputKind(parse=_money, choices=None, api_type=Money),
        "quantity": InputKind(parse=lambda raw: _whole(raw, 0), choices=None, api_type=Quantity),
        "carrier": InputKind(parse=lambda raw: _code(Carrier, raw), choices=_carriers, api_type=Code),
        "return_rule": InputKind(
            parse=lambda raw: _code(ReturnRule, raw),
            choices=_return_rules,
            api_type=Code,
        ),
        "repair_stage": InputKind(
            parse=_choice(list(RepairStage.values)),
            choices=lambda _c: list(RepairStage.choices),
            api_type=RepairStage,
        ),
        "claim_outcome": InputKind(
            parse=_choice([ClaimOutcome.RECOVERED, ClaimOutcome.REJECTED]),
            choices=lambda _c: [c for c in ClaimOutcome.choices if c[0] != ClaimOutcome.OPEN],
            api_type=Annotated[str, PydanticField(pattern="^(recovered|rejected)$")],
        ),
        "flagged_return": InputKind(
            parse=lambda raw: _whole(raw, 1),
            choices=_rows(
                ReturnSlip,
                lambda r: f"#{r.pk} ×{r.approved_quantity} → {r.returned_quantity}",
                mismatch=True,
                booked_on="",
            ),
            api_type=RowId,
        ),
        "booked_on": InputKind(
            parse=_choice(["actual", "approved"]),
            choices=lambda _c: [
                ("actual", str(gettext_lazy("the quantity returned"))),
                ("approved", str(gettext_lazy("the approved quantity"))),
            ],
            api_type=Annotated[str, PydanticField(pattern="^(actual|approved)$")],
        ),
        "credit_kind": InputKind(
            parse=_choice(list(CreditKind.values)),
            choices=lambda _c: list(CreditKind.choices),
            api_type=CreditKind,
        ),
        "shipment": InputKind(
            parse=lambda raw: _whole(raw, 1),
            choices=_rows(
                Shipment, lambda s: f"{s.carrier} {s.waybill}", ("carrier",), delivered_at__isnull=True
            ),
            api_type=RowId,
        ),
        "claim": InputKind(
            parse=lambda raw: _whole(raw, 1),
            choices=_rows(
                CarrierClaim, lambda c: f"{c.carrier} ¥{c.amount}", ("carrier",), outcome=ClaimOutcome.OPEN
            ),
            api_type=RowId,
        ),
        "return_slip": InputKind(
            parse=lambda raw: _whole(raw, 1),
            choices=_rows(
                ReturnSlip,
                lambda r: f"#{r.pk} ×{r.approved_quantity} {r.reason[:30]}",
                received_at__isnull=True,
            ),
            api_type=RowId,
        ),
        "credit_note": InputKind(
            parse=lambda raw: _whole(raw, 1),
            choices=_rows(
                CreditNote,
                lambda n: f"{n.number} ¥{n.amount}",
                status=CreditStatus.APPROVED,
                sent_to_accounting_at__isnull=True,
            ),
            api_type=RowId,
        ),
    }
    for name, kind in kinds.items():
        registry.register_input_kind(name, kind)
    for name, label in {
        "carrier": gettext_lazy("carrier"),
        "waybill": gettext_lazy("waybill number"),
        "shipped_at": gettext_lazy("shipped at"),
        "shipment": gettext_lazy("shipment"),
        "stage": gettext_lazy("stage"),
        "at": gettext_lazy("at"),
        "amount": gettext_lazy("amount (CNY)"),
        "claim": gettext_lazy("carrier claim"),
        "outcome": gettext_lazy("outcome"),
        "recovered": gettext_lazy("recovered (CNY)"),
        "approved_quantity": gettext_lazy("approved quantity"),
        "shipped_quantity": gettext_lazy("shipped quantity"),
        "unit_price": gettext_lazy("unit price (CNY)"),
        "rule": gettext_lazy("return rule"),
        "return_slip": gettext_lazy("return slip"),
        "returned_quantity": gettext_lazy("returned quantity"),
        "kind": gettext_lazy("kind"),
        "credit_note": gettext_lazy("allowance certificate"),
        "sealed_by": gettext_lazy("sealed by"),
        "sealed_at": gettext_lazy("sealed at"),
        "item": gettext_lazy("item (料号)"),
        "booked_on": gettext_lazy("booked on"),
    }.items():
        registry.register_input_label(name, label)


# ---------------------------------------------------------------------------------------------
# Guards: an action is offered only when it can do something


def _waiting(counter: str, why: Any) -> Any:
    """A guard: the action is offered only while the ledger row counts something waiting for it
    (one read of the row per complaint and request, shared by every guard and the panel)."""

    def guard(complaint: Complaint) -> str | None:
        cost = ledger.cost_of(complaint)
        return None if cost is not None and getattr(cost, counter) else str(why)

    return guard


def _upheld(complaint: Complaint) -> str | None:
    """Receivables are affected only by an upheld complaint (seed 002 (十三)3(3))."""
    cost = ledger.cost_of(complaint)
    if cost is not None and cost.upheld:
        return None
    return str(_("Not upheld by an approved decision: the normal collection terms apply."))


def _comment() -> Field:
    return Field("comment", "text")


ACTIONS: list[tuple[Action, list[Field], Any, Any]] = [
    (
        Action(
            name="record_shipment",
            label=gettext_lazy("Record shipment"),
            sources=CARRYING_OUT,
            target=None,
            roles=DESK_OR_DEPARTMENT,
        ),
        [
            Field("carrier", "carrier", True),
            Field("waybill", "text", True),
            Field("shipped_at", "datetime", True),
            _comment(),
        ],
        services.record_shipment,
        None,
    ),
    (
        Action(
            name="deliver_shipment",
            label=gettext_lazy("Record shipment delivered"),
            sources=DELIVERY_SOURCES,  # replaced by record_delivery's own when registered
            target=None,
            roles=DESK_OR_DEPARTMENT,
        ),
        [Field("shipment", "shipment", True), Field("delivered_at", "datetime", True), _comment()],
        services.deliver_shipment,
        _waiting("open_shipments", gettext_lazy("No shipment is on its way.")),
    ),
    (
        Action(
            name="record_repair_progress",
            label=gettext_lazy("Record repair progress"),
            sources=CARRYING_OUT,
            target=None,
            roles=DESK_OR_DEPARTMENT,
        ),
        [Field("stage", "repair_stage", True), Field("at", "datetime"), _comment()],
        services.record_repair_progress,
        None,
    ),
    (
        Action(
            name="file_carrier_claim",
            label=gettext_lazy("Claim against the carrier"),
            sources=CARRYING_OUT,
            target=None,
            roles=DESK_OR_DEPARTMENT,
        ),
        [Field("carrier", "carrier", True), Field("amount", "money", True), _comment()],
        services.file_carrier_claim,
        None,
    ),
    (
        Action(
            name="settle_carrier_claim",
            label=gettext_lazy("Record the carrier's answer"),
            sources=CARRYING_OUT,
            target=None,
            roles=DESK_OR_DEPARTMENT,
        ),
        [
            Field("claim", "claim", True),
            Field("outcome", "claim_outcome", True),
            Field("recovered", "money"),
            _comment(),
        ],
        services.settle_carrier_claim,
        _waiting("open_claims", gettext_lazy("No claim waits for the carrier's answer.")),
    ),
    (
        Action(
            name="open_return_slip",
            label=gettext_lazy("Open a return slip (成品退货单)"),
            sources=CARRYING_OUT,
            target=None,
            roles=DESK_OR_DEPARTMENT,
        ),
        [
            Field("reason", "text", True),
            Field("approved_quantity", "quantity", True),
            Field("shipped_quantity", "quantity"),
            Field("unit_price", "money"),
            Field("rule", "return_rule"),
            Field("shipped_at", "datetime"),
        ],
        services.open_return_slip,
        None,
    ),
    (
        Action(
            name="receive_return",
            label=gettext_lazy("Warehouse receipt of a return"),
            sources=CARRYING_OUT,
            target=None,
            roles=DESK_OR_DEPARTMENT,
        ),
        [Field("return_slip", "return_slip", True), Field("returned_quantity", "quantity", True), _comment()],
        services.receive_return,
        _waiting("open_returns", gettext_lazy("No return slip waits for the warehouse.")),
    ),
    (
        Action(
            name="settle_return_mismatch",
            label=gettext_lazy("Decide a flagged return"),
            sources=CARRYING_OUT,
            target=None,
            roles=DESK_OR_DEPARTMENT,
            needs_comment=True,
        ),
        [
            Field("return_slip", "flagged_return", True),
            Field("booked_on", "booked_on", True),
            Field("comment", "text", True),
        ],
        services.settle_return_mismatch,
        _waiting("flagged_returns", gettext_lazy("No return is flagged for a decision.")),
    ),
    (
        Action(
            name="issue_credit_note",
            label=gettext_lazy("Issue an allowance certificate (销货折让证明单)"),
            sources=CARRYING_OUT,
            target=None,
            roles=DESK_OR_DEPARTMENT,
        ),
        [Field("kind", "credit_kind", True), Field("amount", "money", True), _comment()],
        services.issue_credit_note,
        None,
    ),
    (
        Action(
            name="seal_credit_note",
            label=gettext_lazy("Record the customer's seal"),
            sources=CARRYING_OUT,
            target=None,
            roles=DESK_OR_DEPARTMENT,
        ),
        [
            Field("credit_note", "credit_note", True),
            Field("sealed_by", "text", True),
            Field("sealed_at", "datetime", True),
            _comment(),
        ],
        services.seal_credit_note,
        _waiting("notes_to_seal", gettext_lazy("No approved certificate waits for the customer's seal.")),
    ),
    (
        Action(
            name="send_credit_note_to_accounting",
            label=gettext_lazy("Send the certificate to accounting"),
            sources=CARRYING_OUT,
            target=None,
            roles=DESK_OR_DEPARTMENT,
        ),
        [Field("credit_note", "credit_note", True), _comment()],
        services.send_credit_note_to_accounting,
        _waiting("notes_to_send", gettext_lazy("No sealed certificate waits to go to accounting.")),
    ),
    (
        Action(
            name="record_receivable",
            label=gettext_lazy("Record a receivable affected"),
            sources=CARRYING_OUT,
            target=None,
            roles=DESK_OR_DEPARTMENT,
        ),
        [Field("item", "text", True), Field("amount", "money", True), _comment()],
        services.record_receivable,
        _upheld,
    ),
]


EVENTS = {
    "record_shipment": gettext_lazy("Shipment recorded"),
    "record_repair_progress": gettext_lazy("Repair progress"),
    "file_carrier_claim": gettext_lazy("Claim against the carrier"),
    "settle_carrier_claim": gettext_lazy("Carrier's answer to the claim"),
    "open_return_slip": gettext_lazy("Return slip opened (成品退货单)"),
    "settle_return_mismatch": gettext_lazy("Flagged return decided"),
    "receive_return": gettext_lazy("Return received by the warehouse"),
    "issue_credit_note": gettext_lazy("Allowance certificate issued"),
    "seal_credit_note": gettext_lazy("Allowance certificate sealed by the customer"),
    "send_credit_note_to_accounting": gettext_lazy("Allowance certificate sent to accounting"),
    "record_receivable": gettext_lazy("Receivable affected recorded"),
}


def contribute() -> None:
    """Register everything above (called once from FulfilmentConfig.ready())."""
    from kesu.approvals.services import on_decided
    from kesu.fulfilment.panels import cost_panel
    from kesu.rulebook import cache

    cache.watch(Carrier, ReturnRule)  # the forms' choices are kept per process (kesu.rulebook.cache)
    _register_kinds()
    previous = "reject_extension"  # after the clock actions, before correcting
    for spec, inputs, service, guard in ACTIONS:
        if spec.name == "deliver_shipment" and "record_delivery" in registry.ACTIONS:
            # delivered through deadlines' record_delivery: offered exactly where it is
            spec = dataclasses.replace(spec, sources=registry.ACTIONS["record_delivery"].sources)
        registry.register_action(spec, inputs=inputs, service=service, guard=guard, after=previous)
        previous = spec.name
    for name, label in EVENTS.items():
        registry.register_event(name, label)
    for key, data_key in {
        "shipment": DataKey(hidden=True),
        "claim": DataKey(hidden=True),
        "return_slip": DataKey(hidden=True),
        "carrier": DataKey(gettext_lazy("carrier")),
        "waybill": DataKey(gettext_lazy("waybill number")),
        "shipped_at": DataKey(gettext_lazy("shipped at"), when=True),
        "stage": DataKey(gettext_lazy("stage"), choices=dict(RepairStage.choices)),
        "at": DataKey(gettext_lazy("at"), when=True),
        "outcome": DataKey(gettext_lazy("outcome"), choices=dict(ClaimOutcome.choices)),
        "recovered": DataKey(gettext_lazy("recovered (CNY)")),
        "approved_quantity": DataKey(gettext_lazy("approved quantity")),
        "returned_quantity": DataKey(gettext_lazy("returned quantity")),
        "mismatch": DataKey(gettext_lazy("flagged for a decision")),
        "credit_note": DataKey(gettext_lazy("allowance certificate")),
        "kind": DataKey(gettext_lazy("kind"), choices=dict(CreditKind.choices)),
        "sealed_by": DataKey(gettext_lazy("sealed by")),
        "sealed_at": DataKey(gettext_lazy("sealed at"), when=True),
        "item": DataKey(gettext_lazy("item (料号)")),
        "booked_on": DataKey(gettext_lazy("booked on")),
        "booked_quantity": DataKey(gettext_lazy("booked quantity")),
    }.items():
        for event in EVENTS:
            registry.register_data(key, data_key, event=event)

    registry.register_panel("complaint", Panel("fulfilment/_costs.html", cost_panel, order=25))
    registry.after_event(ledger.after_event)
    on_decided("decision", ledger.after_decision_approval)  # after decisions' (the version first)
    on_decided(services.CREDIT_STEP, services.credit_note_decided)
