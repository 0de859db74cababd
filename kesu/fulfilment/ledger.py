"""The cost ledger (§4 of issue 9), kept in step with its facts in the same transaction.

``rebuild(complaint)`` rewrites the complaint's ComplaintCost row and its CostShare rows from
the facts: the last APPROVED decision version (a proposal still waiting or refused costs nothing
yet), each of its money lines split by the responsibility shares (kesu.decisions.split: largest
remainder, to the fen, so the parts sum to the line to the fen), the return slips received
(amount = returned quantity × unit price), the approved credit notes and what carriers paid back.
It runs after every act that changes one of these (kesu.fulfilment.services, the decision's
proposal and approval, a correction or reclassification of the complaint) — a fixed number of
queries per complaint. The month is the local month of the complaint's receipt.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.decisions.models import MONEY_LINES, DecisionVersion, PartyKind, VersionStatus
from kesu.decisions.split import split_amount
from kesu.fulfilment.models import (
    CarrierClaim,
    ClaimOutcome,
    ComplaintCost,
    CostShare,
    CreditNote,
    CreditStatus,
    ReturnSlip,
    Shipment,
)

ZERO = Decimal("0.00")

# Timeline entries after which the ledger is rewritten (besides fulfilment's own acts): the
# decision's proposal (approved at once without approval rules) and what moves a complaint's
# month, class, product or customer.
REBUILT_AFTER = frozenset({"decision_proposed", "correct", "classify"})


def month_of(complaint: Complaint) -> date:
    return timezone.localtime(complaint.received_at).date().replace(day=1)


def approved_version(complaint: Complaint) -> DecisionVersion | None:
    return (
        DecisionVersion.objects.filter(decision__complaint=complaint, status=VersionStatus.APPROVED)
        .select_related("cause")
        .prefetch_related("shares__staff", "shares__department")
        .order_by("-number")
        .first()
    )


def rebuild(complaint: Complaint) -> None:
    given = complaint
    complaint = Complaint.objects.only("pk", "received_at", "category_id", "product_id", "customer_id").get(
        pk=complaint.pk
    )
    version = approved_version(complaint)
    returns = ReturnSlip.objects.filter(complaint=complaint, received_at__isnull=False).aggregate(
        s=Sum("amount")
    )["s"]
    credits = CreditNote.objects.filter(complaint=complaint, status=CreditStatus.APPROVED).aggregate(
        s=Sum("amount")
    )["s"]
    recovered = CarrierClaim.objects.filter(complaint=complaint).aggregate(
        s=Sum("recovered"), waiting=Count("pk", filter=Q(outcome=ClaimOutcome.OPEN))
    )
    notes = CreditNote.objects.filter(complaint=complaint, status=CreditStatus.APPROVED).aggregate(
        to_seal=Count("pk", filter=Q(sealed_at__isnull=True)),
        to_send=Count("pk", filter=Q(sealed_at__isnull=False, sent_to_accounting_at__isnull=True)),
    )
    where = {
        "month": month_of(complaint),
        "category_id": complaint.category_id,
        "product_id": complaint.product_id,
        "customer_id": complaint.customer_id,
    }
    CostShare.objects.filter(complaint=complaint).delete()
    shares: list[CostShare] = []
    if version is not None:
        parties = list(version.shares.all())
        for line in MONEY_LINES:
            total = getattr(version, line)
            if not total:
                continue
            for party, part in zip(parties, split_amount(total, [p.share for p in parties]), strict=True):
                department_id = party.department_id
                if party.party == PartyKind.STAFF and party.staff is not None:
                    department_id = party.staff.department_id  # a person's share falls on his department
                shares.append(
                    CostShare(
                        complaint=complaint,
                        upheld=version.cause.upheld,
                        line=line,
                        position=party.position,
                        party=party.party,
                        department_id=department_id,
                        label=party.label[:200],
                        amount=part,
                        **where,
                    )
                )
    CostShare.objects.bulk_create(shares)
    values = {
        **where,
        "version": version,
        "upheld": None if version is None else version.cause.upheld,
        "loss_amount": ZERO if version is None else version.loss_amount,
        "decided_total": ZERO if version is None else sum(version.money().values(), ZERO),
        "returns_amount": returns or ZERO,
        "credit_amount": credits or ZERO,
        "recovered_amount": recovered["s"] or ZERO,
        "open_shipments": Shipment.objects.filter(complaint=complaint, delivered_at__isnull=True).count(),
        "open_claims": recovered["waiting"],
        "open_returns": ReturnSlip.objects.filter(complaint=complaint, received_at__isnull=True).count(),
        "flagged_returns": ReturnSlip.objects.filter(
            complaint=complaint, mismatch=True, booked_on=""
        ).count(),
        "notes_to_seal": notes["to_seal"],
        "notes_to_send": notes["to_send"],
    }
    row, _created = ComplaintCost.objects.update_or_create(complaint=complaint, defaults=values)
    given.__dict__[_CACHE] = (given.version, row)


_CACHE = "_fulfilment_cost"


def cost_of(complaint: Complaint) -> ComplaintCost | None:
    """The complaint's ledger row, read once per complaint object and version (the guards of every
    action and the page's panel share it; a service's freshly locked complaint reads it anew, and
    ``rebuild`` leaves the new row on the object it was given)."""
    kept = complaint.__dict__.get(_CACHE)
    if kept is None or kept[0] != complaint.version:
        kept = (complaint.version, ComplaintCost.objects.filter(complaint_id=complaint.pk).first())
        complaint.__dict__[_CACHE] = kept
    return kept[1]


def after_event(event: ComplaintEvent) -> None:
    """complaints' after_event handler: rewrite the ledger after the entries that change it (a
    reclassification or correction only where the complaint has a ledger already)."""
    if event.action == "decision_proposed" or (
        event.action in REBUILT_AFTER
        and ComplaintCost.objects.filter(complaint_id=event.complaint_id).exists()
    ):
        rebuild(event.complaint)


def after_decision_approval(approval: object) -> None:
    """approvals' on_decided("decision") callback, after decisions' own (the version's status)."""
    complaint_id = getattr(approval, "complaint_id", None)
    if complaint_id is not None:
        rebuild(Complaint(pk=complaint_id))
