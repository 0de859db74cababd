"""Reads: a complaint's fulfilment (shipments, repair steps, claims, returns, credit notes,
receivables) with its cost ledger, in a fixed number of queries; and the cost figures of a month
(§4 of issue 9), computed by the database from the ledger (kesu.fulfilment.ledger)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesu.complaints.models import Complaint
from kesu.decisions.models import PartyKind
from kesu.decisions.selectors import LINE_LABELS
from kesu.fulfilment.models import (
    CarrierClaim,
    ComplaintCost,
    CostShare,
    CreditNote,
    Receivable,
    RepairStep,
    ReturnSlip,
    Shipment,
)

ZERO = Decimal("0.00")


@dataclass
class Fulfilment:
    shipments: list[Shipment]
    repair_steps: list[RepairStep]
    claims: list[CarrierClaim]
    returns: list[ReturnSlip]
    credit_notes: list[CreditNote]
    receivables: list[Receivable]
    cost: ComplaintCost | None
    shares: list[CostShare]

    @property
    def lines(self) -> list[dict[str, Any]]:
        """Each decision money line with its parts per party, in the shares' order."""
        by_line: dict[str, list[CostShare]] = defaultdict(list)
        for share in self.shares:
            by_line[share.line].append(share)
        return [
            {
                "line": line,
                "label": LINE_LABELS.get(line, line),
                "total": sum((s.amount for s in parts), ZERO),
                "parts": parts,
            }
            for line, parts in by_line.items()
        ]

    @property
    def borne(self) -> list[tuple[str, Decimal]]:
        """What each party bears of the decision's money, in the shares' order."""
        totals: dict[str, Decimal] = {}
        for share in sorted(self.shares, key=lambda s: s.position):
            totals[share.label] = totals.get(share.label, ZERO) + share.amount
        return list(totals.items())

    @property
    def spent(self) -> Decimal:
        """Everything the complaint cost: the decision's money lines, the goods returned and the
        credit notes, less what carriers paid back."""
        if self.cost is None:
            return ZERO
        c = self.cost
        return c.decided_total + c.returns_amount + c.credit_amount - c.recovered_amount

    @property
    def collection_terms(self) -> str:
        """seed 002 (十三)3(3): normal terms unless an upheld complaint holds receivables up."""
        if self.cost is None or self.cost.upheld is None:
            return "undecided"
        return "affected" if self.cost.upheld and self.receivables else "normal"

    @property
    def receivable_total(self) -> Decimal:
        return sum((r.amount for r in self.receivables), ZERO)


_UNREAD = object()


def fulfilment_of(complaint: Complaint, cost: Any = _UNREAD) -> Fulfilment:
    """Everything carried out on the complaint and its ledger: eight queries (seven when the
    ledger row is given), whatever the numbers."""
    of = {"complaint_id": complaint.pk}
    return Fulfilment(
        shipments=list(
            Shipment.objects.filter(**of)
            .select_related("carrier", "recorded_by", "delivery_recorded_by")
            .order_by("shipped_at", "pk")
        ),
        repair_steps=list(RepairStep.objects.filter(**of).select_related("by").order_by("at", "pk")),
        claims=list(CarrierClaim.objects.filter(**of).select_related("carrier").order_by("filed_at", "pk")),
        returns=list(
            ReturnSlip.objects.filter(**of).select_related("rule", "received_by").order_by("created_at", "pk")
        ),
        credit_notes=list(CreditNote.objects.filter(**of).order_by("issued_at", "pk")),
        receivables=list(Receivable.objects.filter(**of).order_by("item")),
        cost=ComplaintCost.objects.filter(**of).first() if cost is _UNREAD else cost,
        shares=list(CostShare.objects.filter(**of).order_by("position", "pk")),
    )


# ---------------------------------------------------------------------------------------------
# Cost figures


DIMENSIONS = {
    "category": ("category__name", gettext_lazy("class")),
    "product": ("product__name", gettext_lazy("product")),
    "customer": ("customer__name", gettext_lazy("customer")),
    "party": ("party", gettext_lazy("responsible party")),
}
NOT_SET = "—"


@dataclass
class CostRow:
    key: str
    upheld: int = 0
    not_upheld: int = 0
    loss_amount: Decimal = ZERO
    decided: Decimal = ZERO  # all the decision's money lines
    returns: Decimal = ZERO
    credit_notes: Decimal = ZERO
    recovered: Decimal = ZERO
    borne: dict[str, Decimal] = field(default_factory=dict)  # column (department / party) → amount


@dataclass
class CostFigures:
    month: date
    by: str
    rows: list[CostRow]
    columns: list[str]  # the parties bearing costs: departments first, then other parties
    total: CostRow


def _party_column(party: str, department: str | None) -> str:
    if department:
        return department
    return str(PartyKind(party).label) if party in PartyKind.values else party


def cost_figures(*, month: date, by: str, complaints: QuerySet[Complaint] | None = None) -> CostFigures:
    """The month's figures (complaints received in that local month) by class, product, customer or
    responsible party: complaints upheld / not upheld (by their approved decision), the loss, what
    each department (and the customer, carriers, suppliers) bears of the decision's money, the
    goods returned and the credit notes. Two grouped queries over the ledger, whatever the number
    of complaints; ``complaints`` scopes them to what the viewer may see."""
    if by not in DIMENSIONS:
        raise ValueError(f"by must be one of {sorted(DIMENSIONS)}")
    month = month.replace(day=1)
    # order_by(): no default ordering (CostShare's would join the complaints to sort by them)
    costs = ComplaintCost.objects.filter(month=month).order_by()
    shares = CostShare.objects.filter(month=month).order_by()
    if complaints is not None and complaints.query.where:
        # Per ledger row of the month, is its complaint one the viewer may see: a correlated scalar
        # subquery (a primary-key probe per row, the visibility conditions checked on that row),
        # which the database cannot turn into a scan of every complaint the viewer may see, ever,
        # as it does an IN or EXISTS (a department sees a third of a million complaints).
        probe = Subquery(complaints.order_by().filter(pk=OuterRef("complaint_id")).values("pk")[:1])
        costs = costs.alias(seen=probe).filter(seen__isnull=False)
        shares = shares.filter(complaint_id__in=costs.values("complaint_id"))  # one probe per complaint
    key = DIMENSIONS[by][0]
    rows: dict[str, CostRow] = {}

    def row(value: Any) -> CostRow:
        name = NOT_SET if value in (None, "") else str(value)
        return rows.setdefault(name, CostRow(key=name))

    if by == "party":
        grouped = shares.values("party", "department__name").annotate(
            n_upheld=Count("complaint", distinct=True, filter=Q(upheld=True)),
            n_not_upheld=Count("complaint", distinct=True, filter=Q(upheld=False)),
            loss=Sum("amount", filter=Q(line="loss_amount")),
            borne=Sum("amount"),
        )
        for g in grouped:
            column = _party_column(g["party"], g["department__name"])
            r = row(column)
            r.upheld += g["n_upheld"]
            r.not_upheld += g["n_not_upheld"]
            r.loss_amount += g["loss"] or ZERO
            r.decided += g["borne"] or ZERO
            r.borne[column] = r.borne.get(column, ZERO) + (g["borne"] or ZERO)
        totals = costs.aggregate(
            n_upheld=Count("pk", filter=Q(upheld=True)),
            n_not_upheld=Count("pk", filter=Q(upheld=False)),
            loss=Sum("loss_amount"),
            decided=Sum("decided_total"),
            returns=Sum("returns_amount"),
            credits=Sum("credit_amount"),
            recovered=Sum("recovered_amount"),
        )
        total = CostRow(
            key=_("Total"),
            upheld=totals["n_upheld"],
            not_upheld=totals["n_not_upheld"],
            loss_amount=totals["loss"] or ZERO,
            decided=totals["decided"] or ZERO,
            returns=totals["returns"] or ZERO,
            credit_notes=totals["credits"] or ZERO,
            recovered=totals["recovered"] or ZERO,
        )
    else:
        for g in costs.values(key).annotate(
            n_upheld=Count("pk", filter=Q(upheld=True)),
            n_not_upheld=Count("pk", filter=Q(upheld=False)),
            loss=Sum("loss_amount"),
            decided=Sum("decided_total"),
            returns=Sum("returns_amount"),
            credits=Sum("credit_amount"),
            recovered=Sum("recovered_amount"),
        ):
            r = row(g[key])
            r.upheld, r.not_upheld = g["n_upheld"], g["n_not_upheld"]
            r.loss_amount, r.decided = g["loss"] or ZERO, g["decided"] or ZERO
            r.returns, r.credit_notes = g["returns"] or ZERO, g["credits"] or ZERO
            r.recovered = g["recovered"] or ZERO
        for g in shares.values(key, "party", "department__name").annotate(borne=Sum("amount")):
            column = _party_column(g["party"], g["department__name"])
            r = row(g[key])
            r.borne[column] = r.borne.get(column, ZERO) + (g["borne"] or ZERO)
        total = CostRow(key=_("Total"))
        for r in rows.values():  # the groups (a handful), not the complaints
            total.upheld += r.upheld
            total.not_upheld += r.not_upheld
            total.loss_amount += r.loss_amount
            total.decided += r.decided
            total.returns += r.returns
            total.credit_notes += r.credit_notes
            total.recovered += r.recovered
    for r in rows.values():
        for column, amount in r.borne.items():
            total.borne[column] = total.borne.get(column, ZERO) + amount
    departments = sorted({c for c in total.borne if c not in {str(p.label) for p in PartyKind}})
    others = [str(p.label) for p in PartyKind if str(p.label) in total.borne]
    return CostFigures(
        month=month,
        by=by,
        rows=sorted(rows.values(), key=lambda r: (r.key == NOT_SET, r.key)),
        columns=departments + others,
        total=total,
    )
