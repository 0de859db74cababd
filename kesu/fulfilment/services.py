"""Writes about carrying the decision out (issue 9 §3). Each is a complaint action (registered in
kesu.fulfilment.contributions, so the web form, the API's typed inputs and ``kesu act`` follow):
keyword-only, inputs checked before anything is written, one transaction with the complaint row
locked and permission checked (``lock_for_action``), a timeline entry, and the cost ledger
(kesu.fulfilment.ledger) rewritten in the same transaction. Bad input is a ValidationError by
field (form message, API 422, CLI exit 1); nothing is half-saved.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.approvals.models import Approval, ApprovalRule, ApprovalStatus
from kesu.approvals.services import request_approval
from kesu.complaints.models import Complaint
from kesu.complaints.services import lock_for_action, record_action
from kesu.deadlines import clock_actions
from kesu.decisions.split import FEN
from kesu.fulfilment import ledger
from kesu.fulfilment.models import (
    STAGE_ORDER,
    Carrier,
    CarrierClaim,
    ClaimOutcome,
    CreditNote,
    CreditStatus,
    DocumentNumbering,
    OverDeliveryTolerance,
    Receivable,
    RepairStage,
    RepairStep,
    ReturnRule,
    ReturnSlip,
    Shipment,
)
from kesu.organization.models import Staff
from kesu.rulebook.models import NumberCounter
from kesu.rulebook.numbering import format_number, period_key

CREDIT_STEP = "credit_note"  # the approval step (approval rules for "credit_note" in the presets)
HUNDRED = Decimal("100")


def _not_future(name: str, value: datetime) -> None:
    if value > timezone.now() + timedelta(minutes=5):
        raise ValidationError({name: [_("Cannot be in the future.")]})


def _on(complaint: Complaint, model: type, pk: int, name: str, **extra: Any) -> Any:
    """The complaint's row ``pk`` of ``model``, locked, or a field error (another complaint's row is
    as unknown as a missing one)."""
    found = model.objects.select_for_update().filter(pk=pk, complaint=complaint, **extra).first()
    if found is None:
        raise ValidationError({name: [_("No such record on this complaint.")]})
    return found


# ---------------------------------------------------------------------------------------------
# Shipments and repairs


def record_shipment(
    *,
    complaint: Complaint,
    by: Staff,
    carrier: Carrier,
    waybill: str,
    shipped_at: datetime,
    comment: str = "",
    version: int | None = None,
) -> Complaint:
    """The repaired or replacement goods left with ``carrier`` under ``waybill`` (seed 000
    4.2.3.3 ②: 跟踪返修产品的发货整个进度)."""
    waybill = (waybill or "").strip()
    if not waybill:
        raise ValidationError({"waybill": [_("This field is required.")]})
    _not_future("shipped_at", shipped_at)
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "record_shipment", by, version)
        if shipped_at < locked.received_at:
            raise ValidationError({"shipped_at": [_("Cannot be before the complaint was received.")]})
        shipment = Shipment.objects.create(
            complaint=locked, carrier=carrier, waybill=waybill, shipped_at=shipped_at, recorded_by=by
        )
        ledger.rebuild(locked)
        return record_action(
            locked,
            capacity,
            "record_shipment",
            comment=comment,
            data={
                "shipment": shipment.pk,
                "carrier": carrier.name,
                "waybill": waybill,
                "shipped_at": shipped_at.isoformat(),
            },
        )


def deliver_shipment(
    *,
    complaint: Complaint,
    by: Staff,
    shipment: int,
    delivered_at: datetime,
    comment: str = "",
    version: int | None = None,
) -> Complaint:
    """The shipment reached the customer at ``delivered_at`` (the day given, not the day typed).
    Recorded through deadlines' own ``record_delivery`` (its permission check, its timeline entry
    and the follow-up clock it starts or moves: seed 000 4.4 1) 返修产品交货期第2天回访); a
    delivery before the shipment is refused."""
    _not_future("delivered_at", delivered_at)
    with transaction.atomic():
        row: Shipment = _on(complaint, Shipment, shipment, "shipment")
        if delivered_at < row.shipped_at:
            raise ValidationError(
                {
                    "delivered_at": [
                        _("The delivery cannot come before the shipment (shipped %(at)s).")
                        % {"at": timezone.localtime(row.shipped_at).strftime("%Y-%m-%d %H:%M")}
                    ]
                }
            )
        row.delivered_at, row.delivery_recorded_by = delivered_at, by
        row.save(update_fields=["delivered_at", "delivery_recorded_by"])
        note = comment or _("Shipment %(carrier)s %(waybill)s delivered") % {
            "carrier": row.carrier.name,
            "waybill": row.waybill,
        }
        delivered = clock_actions.record_delivery(
            complaint=complaint, by=by, delivered_at=delivered_at, comment=note, version=version
        )
        ledger.rebuild(delivered)
        return delivered


def record_repair_progress(
    *,
    complaint: Complaint,
    by: Staff,
    stage: str,
    at: datetime | None = None,
    comment: str = "",
    version: int | None = None,
) -> Complaint:
    """One step of the repair or re-process: received → in repair → repaired → checked, each in
    turn (a stage may be recorded again, e.g. repaired again after a failed check)."""
    at = at or timezone.now()
    _not_future("at", at)
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "record_repair_progress", by, version)
        last = RepairStep.objects.filter(complaint=locked).order_by("-at", "-pk").first()
        allowed = {STAGE_ORDER[0]} if last is None else _next_stages(last.stage)
        if stage not in allowed:
            raise ValidationError(
                {
                    "stage": [
                        _("Next is %(allowed)s.")
                        % {
                            "allowed": " / ".join(
                                str(RepairStage(s).label) for s in STAGE_ORDER if s in allowed
                            )
                        }
                    ]
                }
            )
        if last is not None and at < last.at:
            raise ValidationError({"at": [_("Cannot be before the previous step.")]})
        RepairStep.objects.create(complaint=locked, stage=stage, at=at, by=by, note=comment)
        ledger.rebuild(locked)
        return record_action(
            locked,
            capacity,
            "record_repair_progress",
            comment=comment,
            data={"stage": stage, "at": at.isoformat()},
        )


def _next_stages(stage: str) -> set[str]:
    index = STAGE_ORDER.index(stage)
    following = {STAGE_ORDER[index + 1]} if index + 1 < len(STAGE_ORDER) else set()
    if stage == RepairStage.CHECKED:
        following = {RepairStage.IN_REPAIR}  # failed the check: repaired again
    return following | ({RepairStage.IN_REPAIR} if stage == RepairStage.REPAIRED else set())


# ---------------------------------------------------------------------------------------------
# Carrier claims (appearance/packaging complaints, seed 000 4.2.3.4)


def file_carrier_claim(
    *,
    complaint: Complaint,
    by: Staff,
    carrier: Carrier,
    amount: Decimal,
    comment: str = "",
    version: int | None = None,
) -> Complaint:
    if amount <= 0:
        raise ValidationError({"amount": [_("Must be more than zero.")]})
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "file_carrier_claim", by, version)
        claim = CarrierClaim.objects.create(complaint=locked, carrier=carrier, amount=amount, filed_by=by)
        ledger.rebuild(locked)
        return record_action(
            locked,
            capacity,
            "file_carrier_claim",
            comment=comment,
            data={"claim": claim.pk, "carrier": carrier.name, "amount": str(amount)},
        )


def settle_carrier_claim(
    *,
    complaint: Complaint,
    by: Staff,
    claim: int,
    outcome: str,
    recovered: Decimal | None = None,
    comment: str = "",
    version: int | None = None,
) -> Complaint:
    """The carrier paid ``recovered`` (at most the amount claimed) or rejected the claim."""
    recovered = recovered if recovered is not None else Decimal("0.00")
    if outcome == ClaimOutcome.REJECTED and recovered:
        raise ValidationError({"recovered": [_("A rejected claim recovers nothing.")]})
    if outcome == ClaimOutcome.RECOVERED and recovered <= 0:
        raise ValidationError({"recovered": [_("Give the amount the carrier paid.")]})
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "settle_carrier_claim", by, version)
        row: CarrierClaim = _on(locked, CarrierClaim, claim, "claim", outcome=ClaimOutcome.OPEN)
        if recovered > row.amount:
            raise ValidationError(
                {
                    "recovered": [
                        _("At most the amount claimed (¥%(amount)s).") % {"amount": f"{row.amount:.2f}"}
                    ]
                }
            )
        row.outcome, row.recovered, row.settled_at = outcome, recovered, timezone.now()
        row.save(update_fields=["outcome", "recovered", "settled_at"])
        ledger.rebuild(locked)
        return record_action(
            locked,
            capacity,
            "settle_carrier_claim",
            comment=comment,
            data={"claim": row.pk, "outcome": outcome, "recovered": str(recovered)},
        )


# ---------------------------------------------------------------------------------------------
# Finished-goods returns (seed 002 (十三)1(2), 2; liquor seed 000 3.2)


def tolerance_for(complaint: Complaint) -> Decimal | None:
    """The customer's over-delivery tolerance (超量允收比率), else the company's rule (依本公司规定),
    else None (no tolerance at all)."""
    rows = {
        t.customer_id: t.percent
        for t in OverDeliveryTolerance.objects.filter(
            Q(customer__isnull=True) | Q(customer_id=complaint.customer_id or 0)
        )
    }
    if complaint.customer_id is not None and complaint.customer_id in rows:
        return rows[complaint.customer_id]
    return rows.get(None)


def _check_rule(rule: ReturnRule | None, shipped_on: date | None, complaint: Complaint) -> None:
    if rule is None:
        return
    if not rule.returned:
        raise ValidationError(
            {
                "rule": [
                    _("“%(rule)s” is not returned (%(source)s).")
                    % {"rule": rule.name, "source": rule.source[:200]}
                ]
            }
        )
    if rule.within_days is not None:
        if shipped_on is None:
            raise ValidationError({"shipped_on": [_("Give the day the goods were shipped out (出库).")]})
        found = timezone.localtime(complaint.received_at).date()
        days = (found - shipped_on).days
        if days < 0:
            raise ValidationError({"shipped_on": [_("Cannot be after the complaint was received.")]})
        if days > rule.within_days:
            raise ValidationError(
                {
                    "rule": [
                        _(
                            "Found %(days)d days after shipment: “%(rule)s” applies within %(within)d days"
                            " of shipment only."
                        )
                        % {"days": days, "rule": rule.name, "within": rule.within_days}
                    ]
                }
            )


def open_return_slip(
    *,
    complaint: Complaint,
    by: Staff,
    reason: str,
    approved_quantity: int,
    unit_price: Decimal | None = None,
    shipped_quantity: int | None = None,
    rule: ReturnRule | None = None,
    shipped_at: datetime | None = None,
    version: int | None = None,
) -> Complaint:
    """成品退货单: the reason, the approved quantity (核定量), optionally the quantity shipped and
    the unit price; a return rule (liquor) is checked against the days since shipment."""
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("This field is required.")]
    if approved_quantity <= 0:
        errors["approved_quantity"] = [_("Must be more than zero.")]
    if shipped_quantity is not None and approved_quantity > shipped_quantity:
        errors["approved_quantity"] = [
            _("More than was shipped (%(shipped)d).") % {"shipped": shipped_quantity}
        ]
    if errors:
        raise ValidationError(errors)
    shipped_on = timezone.localtime(shipped_at).date() if shipped_at else None
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "open_return_slip", by, version)
        _check_rule(rule, shipped_on, locked)
        slip = ReturnSlip.objects.create(
            complaint=locked,
            reason=reason,
            rule=rule,
            shipped_on=shipped_on,
            unit_price=unit_price or Decimal("0.00"),
            shipped_quantity=shipped_quantity,
            approved_quantity=approved_quantity,
            created_by=by,
        )
        ledger.rebuild(locked)
        return record_action(
            locked,
            capacity,
            "open_return_slip",
            comment=reason,
            data={"return_slip": slip.pk, "approved_quantity": approved_quantity},
        )


def receive_return(
    *,
    complaint: Complaint,
    by: Staff,
    return_slip: int,
    returned_quantity: int,
    comment: str = "",
    version: int | None = None,
) -> Complaint:
    """The finished-goods warehouse signs for the return (seed 002 (十三)2(2)) with the quantity
    actually returned (实退量). Booked on it when it is below the approved quantity or above it
    within the customer's over-delivery tolerance ((十三)2(1)); beyond it the slip is flagged
    for a decision. More than was shipped is an error unless a tolerance allows it."""
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "receive_return", by, version)
        slip: ReturnSlip = _on(locked, ReturnSlip, return_slip, "return_slip", received_at__isnull=True)
        tolerance = tolerance_for(locked)
        allowed = Decimal(1) + (tolerance or Decimal(0)) / HUNDRED
        if slip.shipped_quantity is not None and returned_quantity > slip.shipped_quantity * allowed:
            if tolerance is None:
                message = _(
                    "More than was shipped (%(shipped)d), and no over-delivery tolerance is set for"
                    " this customer or the company."
                ) % {"shipped": slip.shipped_quantity}
            else:
                message = _("More than was shipped (%(shipped)d) plus the tolerance of %(tolerance)s %%.") % {
                    "shipped": slip.shipped_quantity,
                    "tolerance": tolerance,
                }
            raise ValidationError({"returned_quantity": [message]})
        slip.returned_quantity = returned_quantity
        slip.tolerance_percent = tolerance
        slip.mismatch = returned_quantity > slip.approved_quantity * allowed
        # booked on the actual quantity ((十三)2(1)); a flagged one on the approved quantity until decided
        booked = slip.approved_quantity if slip.mismatch else returned_quantity
        slip.amount = (slip.unit_price * booked).quantize(FEN)
        slip.received_at, slip.received_by, slip.receipt_note = timezone.now(), by, comment
        try:
            slip.full_clean(exclude=["complaint", "created_by", "received_by", "rule"])
        except ValidationError as exc:
            raise ValidationError({"returned_quantity": exc.messages}) from None
        slip.save()
        ledger.rebuild(locked)
        return record_action(
            locked,
            capacity,
            "receive_return",
            comment=comment,
            data={
                "return_slip": slip.pk,
                "approved_quantity": slip.approved_quantity,
                "returned_quantity": returned_quantity,
                "mismatch": slip.mismatch,
            },
        )


def settle_return_mismatch(
    *,
    complaint: Complaint,
    by: Staff,
    return_slip: int,
    booked_on: str,
    comment: str,
    version: int | None = None,
) -> Complaint:
    """The decision on a flagged return (seed 002 (十三)2(2): 得请示后依实际状况签收): book it on the
    quantity actually returned or keep the approved quantity; the reason is required."""
    if booked_on not in ("actual", "approved"):
        raise ValidationError(
            {"booked_on": [_("Choose one of: %(values)s") % {"values": "actual, approved"}]}
        )
    if not (comment or "").strip():
        raise ValidationError({"comment": [_("This field is required.")]})
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "settle_return_mismatch", by, version)
        slip: ReturnSlip = _on(locked, ReturnSlip, return_slip, "return_slip", mismatch=True, booked_on="")
        quantity = slip.returned_quantity if booked_on == "actual" else slip.approved_quantity
        slip.booked_on = booked_on
        slip.amount = (slip.unit_price * (quantity or 0)).quantize(FEN)
        slip.save(update_fields=["booked_on", "amount"])
        ledger.rebuild(locked)
        return record_action(
            locked,
            capacity,
            "settle_return_mismatch",
            comment=comment,
            data={"return_slip": slip.pk, "booked_on": booked_on, "booked_quantity": quantity},
        )


# ---------------------------------------------------------------------------------------------
# Allowance certificates / credit notes (seed 002 (十三)1(1), 3(5))


def _draw_number(on: date) -> str:
    numbering = DocumentNumbering.objects.filter(kind=DocumentNumbering.Kind.CREDIT_NOTE).first()
    pattern, reset = (numbering.pattern, numbering.reset) if numbering else ("ZR{YYYY}{SEQ:4}", "yearly")
    # its own counters beside the complaint numbers' ("yearly:2026"); NumberCounter.period is 20 long
    period = f"cn:{reset}:{period_key(reset, on)}"
    NumberCounter.objects.bulk_create([NumberCounter(period=period, last_value=0)], ignore_conflicts=True)
    counter = NumberCounter.objects.select_for_update().get(period=period)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return format_number(pattern, on, counter.last_value)


def issue_credit_note(
    *,
    complaint: Complaint,
    by: Staff,
    kind: str,
    amount: Decimal,
    comment: str = "",
    version: int | None = None,
) -> Complaint:
    """A numbered allowance certificate (销货折让证明单): approved by the manager and the (vice)
    general manager through the approval rules for step ``credit_note`` (核决权限); without such
    rules it is approved at once (the timeline says so)."""
    if amount <= 0:
        raise ValidationError({"amount": [_("Must be more than zero.")]})
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "issue_credit_note", by, version)
        if CreditNote.objects.filter(complaint=locked, status=CreditStatus.PROPOSED).exists():
            raise ValidationError(
                {"amount": [_("A credit note of this complaint waits for approval already.")]}
            )
        note = CreditNote.objects.create(
            number=_draw_number(timezone.localdate()),
            complaint=locked,
            kind=kind,
            amount=amount,
            status=CreditStatus.PROPOSED,
            issued_by=by,
        )
        data: dict[str, Any] = {"credit_note": note.number, "kind": kind, "amount": str(amount)}
        if ApprovalRule.objects.filter(step=CREDIT_STEP).exists():
            try:
                approval = request_approval(
                    complaint=locked,
                    step=CREDIT_STEP,
                    amount=amount,
                    by=by,
                    subject=_("Allowance certificate %(number)s: ¥%(amount)s")
                    % {"number": note.number, "amount": f"{amount:.2f}"},
                )
            except ValidationError as exc:
                raise ValidationError({"amount": exc.messages}) from None
            note.approval = approval
            note.save(update_fields=["approval"])
        else:
            note.status, note.decided_at = CreditStatus.APPROVED, timezone.now()
            note.save(update_fields=["status", "decided_at"])
            data["approved_without_approval"] = "the rule book has no approval rule for step credit_note"
        ledger.rebuild(locked)
        return record_action(locked, capacity, "issue_credit_note", comment=comment, data=data)


def credit_note_decided(approval: Approval) -> None:
    """approvals' on_decided("credit_note") callback, in the approval's transaction."""
    note = CreditNote.objects.select_for_update().filter(approval=approval).first()
    if note is None or note.status != CreditStatus.PROPOSED:
        return
    note.status = (
        CreditStatus.APPROVED if approval.status == ApprovalStatus.APPROVED else CreditStatus.REFUSED
    )
    note.decided_at = approval.decided_at or timezone.now()
    note.save(update_fields=["status", "decided_at"])
    ledger.rebuild(note.complaint)


def seal_credit_note(
    *,
    complaint: Complaint,
    by: Staff,
    credit_note: int,
    sealed_by: str,
    sealed_at: datetime,
    comment: str = "",
    version: int | None = None,
) -> Complaint:
    """The customer sealed (签章) the approved certificate: who and when."""
    sealed_by = (sealed_by or "").strip()
    if not sealed_by:
        raise ValidationError({"sealed_by": [_("This field is required.")]})
    _not_future("sealed_at", sealed_at)
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "seal_credit_note", by, version)
        note: CreditNote = _on(locked, CreditNote, credit_note, "credit_note")
        if note.status != CreditStatus.APPROVED:
            raise ValidationError({"credit_note": [_("Only an approved certificate goes to the customer.")]})
        if note.sealed_at is not None:
            raise ValidationError({"credit_note": [_("The customer's seal is recorded already.")]})
        if sealed_at < note.issued_at:
            raise ValidationError({"sealed_at": [_("Cannot be before the certificate was issued.")]})
        note.sealed_by, note.sealed_at = sealed_by, sealed_at
        note.save(update_fields=["sealed_by", "sealed_at"])
        ledger.rebuild(locked)
        return record_action(
            locked,
            capacity,
            "seal_credit_note",
            comment=comment,
            data={"credit_note": note.number, "sealed_by": sealed_by, "sealed_at": sealed_at.isoformat()},
        )


def send_credit_note_to_accounting(
    *, complaint: Complaint, by: Staff, credit_note: int, comment: str = "", version: int | None = None
) -> Complaint:
    """One copy to accounting (一份送会计作帐), once the customer has sealed it."""
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "send_credit_note_to_accounting", by, version)
        note: CreditNote = _on(locked, CreditNote, credit_note, "credit_note")
        if note.sealed_at is None:
            raise ValidationError({"credit_note": [_("The customer has not sealed it yet.")]})
        if note.sent_to_accounting_at is not None:
            raise ValidationError({"credit_note": [_("Sent to accounting already.")]})
        note.sent_to_accounting_at, note.sent_by = timezone.now(), by
        note.save(update_fields=["sent_to_accounting_at", "sent_by"])
        ledger.rebuild(locked)
        return record_action(
            locked,
            capacity,
            "send_credit_note_to_accounting",
            comment=comment,
            data={"credit_note": note.number},
        )


# ---------------------------------------------------------------------------------------------
# Receivables (seed 002 (十三)3(3))


def record_receivable(
    *,
    complaint: Complaint,
    by: Staff,
    item: str,
    amount: Decimal,
    comment: str = "",
    version: int | None = None,
) -> Complaint:
    """The receivable amount of ``item`` (料号) the complaint holds up; only for an upheld
    decision — a complaint not upheld keeps the normal collection terms."""
    item = (item or "").strip()
    if not item:
        raise ValidationError({"item": [_("This field is required.")]})
    if amount <= 0:
        raise ValidationError({"amount": [_("Must be more than zero.")]})
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "record_receivable", by, version)
        version_row = ledger.approved_version(locked)
        if version_row is None or not version_row.cause.upheld:
            raise ValidationError(
                {
                    "item": [
                        _(
                            "Only an upheld complaint (an approved decision that upholds it) affects"
                            " receivables; otherwise the normal collection terms apply."
                        )
                    ]
                }
            )
        try:
            with transaction.atomic():
                Receivable.objects.create(complaint=locked, item=item, amount=amount, recorded_by=by)
        except IntegrityError:
            raise ValidationError({"item": [_("This item is recorded already.")]}) from None
        ledger.rebuild(locked)
        return record_action(
            locked, capacity, "record_receivable", comment=comment, data={"item": item, "amount": str(amount)}
        )
