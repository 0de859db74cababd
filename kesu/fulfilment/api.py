"""The fulfilment endpoints of /api/v1/: a complaint's fulfilment and cost ledger, and the month's
cost figures. Writes are complaint actions (``POST /complaints/{number}/actions`` with
``record_shipment``, ``deliver_shipment``, … — typed in the OpenAPI union). Amounts are strings
with two decimals (CNY)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from kesu.complaints.schemas import ErrorOut, LocalDateTime
from kesu.complaints.selectors import complaint_visible_to, complaints_visible_to
from kesu.fulfilment.selectors import CostRow, Fulfilment, cost_figures, fulfilment_of

router = Router(tags=["fulfilment"])
UNAUTHORIZED = {401: ErrorOut, 429: ErrorOut}


class ShipmentOut(Schema):
    id: int
    carrier: str = Field(description="The carrier's code.")
    carrier_name: str
    waybill: str
    shipped_at: LocalDateTime
    delivered_at: LocalDateTime | None


class RepairStepOut(Schema):
    stage: Literal["received", "in_repair", "repaired", "checked"]
    at: LocalDateTime
    by: str = Field(description="Who recorded it (display name).")
    note: str


class CarrierClaimOut(Schema):
    id: int
    carrier: str
    amount: str
    outcome: Literal["open", "recovered", "rejected"]
    recovered: str


class ReturnSlipOut(Schema):
    id: int
    reason: str
    rule: str | None = Field(
        description="The return rule's code (e.g. liquor's mould_within_15_days), or null."
    )
    approved_quantity: int
    shipped_quantity: int | None
    returned_quantity: int | None = Field(description="Null until the warehouse signs for it.")
    unit_price: str
    amount: str = Field(description="Returned quantity × unit price (CNY).")
    tolerance_percent: str | None = Field(description="The over-delivery tolerance applied, if any.")
    mismatch: bool = Field(
        description="Returned beyond the approved quantity and the tolerance: flagged for a decision."
    )
    received_at: LocalDateTime | None


class CreditNoteOut(Schema):
    id: int
    number: str
    kind: Literal["allowance", "compensation"]
    amount: str
    status: Literal["proposed", "approved", "refused"]
    approval: int | None
    sealed_by: str
    sealed_at: LocalDateTime | None
    sent_to_accounting_at: LocalDateTime | None


class ReceivableOut(Schema):
    item: str
    amount: str


class CostPartOut(Schema):
    party: str
    label: str
    amount: str


class CostLineOut(Schema):
    line: Literal["loss_amount", "repair_budget", "compensation", "freight"]
    total: str
    parts: list[CostPartOut]


class CostLedgerOut(Schema):
    upheld: bool | None = Field(description="By the approved decision; null without one.")
    lines: list[CostLineOut] = Field(description="The approved decision's money lines split per party.")
    borne: dict[str, str] = Field(description="What each party bears of the decision's money (CNY).")
    returns: str
    credit_notes: str
    recovered_from_carriers: str
    spent: str = Field(description="Decision money + returns + credit notes − recovered (CNY).")


class FulfilmentOut(Schema):
    complaint: str
    shipments: list[ShipmentOut]
    repair_steps: list[RepairStepOut]
    carrier_claims: list[CarrierClaimOut]
    return_slips: list[ReturnSlipOut]
    credit_notes: list[CreditNoteOut]
    receivables: list[ReceivableOut]
    collection_terms: Literal["undecided", "normal", "affected"] = Field(
        description="seed 002 (十三)3(3): normal unless an upheld complaint holds receivables up."
    )
    ledger: CostLedgerOut | None


def _money(value: Any) -> str:
    return f"{value:.2f}"


def _out(number: str, f: Fulfilment) -> dict[str, Any]:
    cost = f.cost
    return {
        "complaint": number,
        "shipments": [
            {
                "id": s.pk,
                "carrier": s.carrier.code,
                "carrier_name": s.carrier.name,
                "waybill": s.waybill,
                "shipped_at": s.shipped_at,
                "delivered_at": s.delivered_at,
            }
            for s in f.shipments
        ],
        "repair_steps": [
            {"stage": r.stage, "at": r.at, "by": r.by.display_name, "note": r.note} for r in f.repair_steps
        ],
        "carrier_claims": [
            {
                "id": c.pk,
                "carrier": c.carrier.code,
                "amount": _money(c.amount),
                "outcome": c.outcome,
                "recovered": _money(c.recovered),
            }
            for c in f.claims
        ],
        "return_slips": [
            {
                "id": r.pk,
                "reason": r.reason,
                "rule": r.rule.code if r.rule else None,
                "approved_quantity": r.approved_quantity,
                "shipped_quantity": r.shipped_quantity,
                "returned_quantity": r.returned_quantity,
                "unit_price": _money(r.unit_price),
                "amount": _money(r.amount),
                "tolerance_percent": None if r.tolerance_percent is None else _money(r.tolerance_percent),
                "mismatch": r.mismatch,
                "booked_on": r.booked_on,
                "received_at": r.received_at,
            }
            for r in f.returns
        ],
        "credit_notes": [
            {
                "id": n.pk,
                "number": n.number,
                "kind": n.kind,
                "amount": _money(n.amount),
                "status": n.status,
                "approval": n.approval_id,
                "sealed_by": n.sealed_by,
                "sealed_at": n.sealed_at,
                "sent_to_accounting_at": n.sent_to_accounting_at,
            }
            for n in f.credit_notes
        ],
        "receivables": [{"item": r.item, "amount": _money(r.amount)} for r in f.receivables],
        "collection_terms": f.collection_terms,
        "ledger": None
        if cost is None
        else {
            "upheld": cost.upheld,
            "lines": [
                {
                    "line": line["line"],
                    "total": _money(line["total"]),
                    "parts": [
                        {"party": p.party, "label": p.label, "amount": _money(p.amount)}
                        for p in line["parts"]
                    ],
                }
                for line in f.lines
            ],
            "borne": {label: _money(amount) for label, amount in f.borne},
            "returns": _money(cost.returns_amount),
            "credit_notes": _money(cost.credit_amount),
            "recovered_from_carriers": _money(cost.recovered_amount),
            "spent": _money(f.spent),
        },
    }


@router.get(
    "/complaints/{number}/fulfilment",
    response={200: FulfilmentOut, 404: ErrorOut, **UNAUTHORIZED},
    summary="A complaint's fulfilment and cost ledger",
)
def show(request: HttpRequest, number: str) -> dict[str, Any]:
    """Shipments, repair progress, carrier claims, return slips (成品退货单), allowance
    certificates (销货折让证明单), receivables affected and the cost ledger (what was spent and on
    whom it falls). 404 for a complaint the caller may not see."""
    complaint = complaint_visible_to(staff=request.auth, number=number)
    if complaint is None:
        raise Http404(number)
    return _out(complaint.number, fulfilment_of(complaint))


class CostFiguresParams(Schema):
    month: str | None = Field(
        None,
        pattern=r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])$",
        description="YYYY-MM: the complaints received in that local month; default: this month.",
    )
    by: Literal["category", "product", "customer", "party"] = Field(
        "category", description="Group by class, product, customer or responsible party."
    )


class CostRowOut(Schema):
    key: str = Field(description="The class, product, customer or party; — when not set.")
    upheld: int = Field(description="Complaints upheld by their approved decision.")
    not_upheld: int
    loss_amount: str
    decided: str = Field(
        description="All the decisions' money lines (loss, repair budget, compensation, freight)."
    )
    borne: dict[str, str] = Field(description="What each department (and customer, carrier, supplier) bears.")
    returns: str = Field(description="Goods returned (received return slips), CNY.")
    credit_notes: str = Field(description="Approved allowance certificates / credit notes, CNY.")
    recovered: str = Field(description="Paid back by carriers, CNY.")


class CostFiguresOut(Schema):
    month: str
    by: str
    columns: list[str] = Field(description="The parties bearing costs, departments first.")
    rows: list[CostRowOut]
    total: CostRowOut = Field(
        description="The month's totals: they reconcile with the complaints' ledgers to the fen."
    )


def _row(r: CostRow) -> dict[str, Any]:
    return {
        "key": r.key,
        "upheld": r.upheld,
        "not_upheld": r.not_upheld,
        "loss_amount": _money(r.loss_amount),
        "decided": _money(r.decided),
        "borne": {k: _money(v) for k, v in r.borne.items()},
        "returns": _money(r.returns),
        "credit_notes": _money(r.credit_notes),
        "recovered": _money(r.recovered),
    }


def parse_month(text: str | None) -> date:
    if not text:
        return timezone.localdate().replace(day=1)
    year, month = text.split("-")
    return date(int(year), int(month), 1)


@router.get(
    "/cost-figures",
    response={200: CostFiguresOut, 422: ErrorOut, **UNAUTHORIZED},
    summary="Cost figures of a month",
)
def figures(request: HttpRequest, params: Query[CostFiguresParams]) -> dict[str, Any]:
    """Per class, product, customer or responsible party, over the complaints received in the month
    that the caller may see: complaints upheld / not upheld, the loss, what each department bears,
    goods returned and credit notes; ``total`` is the month's sum."""
    result = cost_figures(
        month=parse_month(params.month), by=params.by, complaints=complaints_visible_to(staff=request.auth)
    )
    return {
        "month": f"{result.month:%Y-%m}",
        "by": result.by,
        "columns": result.columns,
        "rows": [_row(r) for r in result.rows],
        "total": _row(result.total),
    }
