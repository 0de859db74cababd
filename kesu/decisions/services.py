"""Writes about the handling decision (处理决定): propose (and rework), the approval's outcome, the
customer's countersign (客户签字确认) or refusal. Keyword-only, validated before saving, one
transaction each, the complaint row locked first, a timeline entry in the same transaction.

Amount at stake (what the approval by amount is asked for, 核决权限): the loss amount plus what
the customer receives in money — the compensation and the remedies' amounts (refund, allowance,
credit note, …). The repair-cost budget and the freight are costs the company spends, not money the
customer receives, so they do not raise the amount at stake; they are split like every money line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.approvals.models import Approval, ApprovalRule, ApprovalStatus
from kesu.approvals.rules import class_chain
from kesu.approvals.services import request_approval
from kesu.complaints import workflow
from kesu.complaints.models import Complaint
from kesu.complaints.services import Intake, append_event, register_complaint
from kesu.complaints.workflow import register_capacity
from kesu.core import limits
from kesu.decisions import selectors
from kesu.decisions.errors import DecisionConflict, MayNotDecide
from kesu.decisions.models import (
    MAX_AMOUNT,
    MONEY_LINES,
    Cause,
    CountersignHow,
    CustomerAnswer,
    Decision,
    DecisionVersion,
    ObjectionStatus,
    PartyKind,
    Remedy,
    RemedyKind,
    ResponsibilityShare,
    VersionStatus,
)
from kesu.decisions.split import FEN, HUNDRED
from kesu.organization.models import Department, Staff
from kesu.organization.selectors import Capacity

STEP = "decision"  # the approval step code (approval rules for "decision" in the presets)
MAX_PARTIES = 20
MAX_REMEDIES = 20


@dataclass(frozen=True)
class ShareIn:
    """One responsible party: a department (by code), a person (by username) or a customer,
    carrier or supplier (by name), and its share in percent with at most 2 decimals."""

    party: str
    share: Decimal | str
    department: str = ""
    staff: str = ""
    name: str = ""


@dataclass(frozen=True)
class RemedyIn:
    kind: str  # a remedy kind's code
    quantity: int | None = None
    amount: Decimal | str | None = None


@dataclass(frozen=True)
class MoneyIn:
    loss_amount: Decimal | str = Decimal("0")
    repair_budget: Decimal | str = Decimal("0")
    compensation: Decimal | str = Decimal("0")
    freight: Decimal | str = Decimal("0")


@dataclass
class _Checked:
    cause: Cause | None = None
    shares: list[ResponsibilityShare] = field(default_factory=list)
    remedies: list[Remedy] = field(default_factory=list)
    money: dict[str, Decimal] = field(default_factory=dict)
    note: str = ""


def _amount(errors: dict[str, list[str]], name: str, value: Any, *, required: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            errors[name] = [_("This field is required.")]
        return None
    amount: Decimal | None = None
    if not isinstance(value, bool):  # True is not 1 CNY
        try:
            amount = Decimal(str(value) if isinstance(value, float) else value)
        except (InvalidOperation, TypeError, ValueError):
            amount = None
    if amount is None or not amount.is_finite():
        errors[name] = [_("Enter an amount in CNY, e.g. 1234.50.")]
        return None
    if amount < 0 or amount > MAX_AMOUNT:
        errors[name] = [_("The amount must be between 0 and %(max)s CNY.") % {"max": f"{MAX_AMOUNT:,}"}]
    elif amount != amount.quantize(FEN):
        errors[name] = [_("At most 2 decimal places (fen).")]
    return amount.quantize(FEN) if name not in errors else None


def _text(errors: dict[str, list[str]], name: str, value: str, max_length: int, *, required: bool) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if required and not value:
        errors[name] = [_("This field is required.")]
    else:
        try:
            limits.check_text(value, max_length=max_length)
        except ValidationError as exc:
            errors[name] = list(exc.messages)
    return value


def _check_shares(errors: dict[str, list[str]], shares: list[ShareIn]) -> list[ResponsibilityShare]:
    if not shares:
        errors["shares"] = [_("Name at least one responsible party (the shares add up to 100 %).")]
        return []
    if len(shares) > MAX_PARTIES:
        errors["shares"] = [_("At most %(max)d parties.") % {"max": MAX_PARTIES}]
        return []
    rows, total, bad = [], Decimal("0"), False
    departments = {
        d.code: d for d in Department.objects.filter(code__in=[s.department for s in shares if s.department])
    }
    people = {
        s.user.get_username(): s
        for s in Staff.objects.select_related("user").filter(
            user__username__in=[s.staff for s in shares if s.staff]
        )
    }
    for i, spec in enumerate(shares):
        where = f"shares.{i}"
        share = _amount(errors, f"{where}.share", spec.share)
        if share is not None and not (Decimal("0") < share <= HUNDRED):
            errors[f"{where}.share"] = [_("A share is a percentage above 0 and at most 100.")]
            share = None
        if share is None:
            bad = True
        else:
            total += share
        row = ResponsibilityShare(position=i + 1, party=spec.party, share=share or Decimal("0"))
        if spec.party not in PartyKind.values:
            errors[f"{where}.party"] = [
                _("Unknown party kind %(kind)r: one of %(kinds)s.")
                % {"kind": spec.party, "kinds": ", ".join(PartyKind.values)}
            ]
        elif spec.party == PartyKind.DEPARTMENT:
            row.department = departments.get(spec.department)
            if row.department is None:
                errors[f"{where}.department"] = [_("Give an existing department code.")]
        elif spec.party == PartyKind.STAFF:
            row.staff = people.get(spec.staff)
            if row.staff is None:
                errors[f"{where}.staff"] = [_("Give an existing staff username.")]
        elif spec.party in (PartyKind.CARRIER, PartyKind.SUPPLIER):
            _text(errors, f"{where}.name", spec.name, limits.PARTY_NAME, required=True)
        row.name = _text(errors, f"{where}.name", spec.name, limits.PARTY_NAME, required=False)
        rows.append(row)
    if not bad and total != HUNDRED:
        errors["shares"] = [
            _("The shares must add up to exactly 100.00 %% (they add up to %(total)s %%).")
            % {"total": f"{total:.2f}"}
        ]
    return rows


def _check_remedies(errors: dict[str, list[str]], remedies: list[RemedyIn]) -> list[Remedy]:
    if not remedies:
        errors["remedies"] = [_("Name at least one remedy (apology/explanation only is one).")]
        return []
    if len(remedies) > MAX_REMEDIES:
        errors["remedies"] = [_("At most %(max)d remedies.") % {"max": MAX_REMEDIES}]
        return []
    kinds = {
        k.code: k for k in RemedyKind.objects.filter(is_active=True, code__in=[r.kind for r in remedies])
    }
    rows = []
    for i, spec in enumerate(remedies):
        where = f"remedies.{i}"
        kind = kinds.get(spec.kind)
        if kind is None:
            errors[f"{where}.kind"] = [
                _("Unknown remedy kind %(code)r (see the rule book's list).") % {"code": spec.kind}
            ]
        quantity = spec.quantity
        if quantity is not None and (
            isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 <= quantity <= 2_147_483_647
        ):
            errors[f"{where}.quantity"] = [_("A quantity is a whole number, 0 or more.")]
            quantity = None
        amount = _amount(errors, f"{where}.amount", spec.amount, required=False)
        rows.append(Remedy(position=i + 1, kind=kind, quantity=quantity, amount=amount))
    return rows


def _check(
    cause: str, shares: list[ShareIn], remedies: list[RemedyIn], money: MoneyIn, note: str
) -> _Checked:
    errors: dict[str, list[str]] = {}
    checked = _Checked()
    checked.cause = (
        Cause.objects.filter(code=cause, is_active=True).first() if isinstance(cause, str) else None
    )
    if checked.cause is None:
        errors["cause"] = [_("Unknown cause %(code)r (see the rule book's list).") % {"code": cause}]
    checked.shares = _check_shares(errors, shares)
    checked.remedies = _check_remedies(errors, remedies)
    for line in MONEY_LINES:
        value = _amount(errors, f"money.{line}", getattr(money, line))
        checked.money[line] = value if value is not None else Decimal("0.00")
    checked.note = _text(errors, "note", note, limits.DECISION_NOTE, required=False)
    if errors:
        raise ValidationError(errors)
    return checked


def amount_at_stake(version: DecisionVersion) -> Decimal:
    """The loss plus what the customer receives in money (compensation, remedies' amounts)."""
    remedies = sum((r.amount or Decimal("0") for r in version.remedies.all()), Decimal("0"))
    return version.loss_amount + version.compensation + remedies


def _deciding_capacity(complaint: Complaint, by: Staff) -> Capacity:
    """Who may propose (selectors.proposing_capacity), or MayNotDecide saying why not."""
    capacity = selectors.proposing_capacity(complaint=complaint, staff=by)
    if capacity is not None:
        return capacity
    if by.pk in workflow.accused_ids(complaint):
        raise MayNotDecide(_("You are complained about in this complaint and must recuse yourself (回避)."))
    raise MayNotDecide(
        _(
            "Only the responsible department's head or handler, or the customer-service director, may"
            " propose or record the decision."
        )
    )


def _recording_capacity(complaint: Complaint, by: Staff) -> Capacity:
    """Who may record the customer's answer (selectors.answering_capacity), or MayNotDecide."""
    capacity = selectors.answering_capacity(complaint=complaint, staff=by)
    if capacity is not None:
        return capacity
    return _deciding_capacity(complaint, by)  # raises, saying why


def _locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update(of=("self",)).select_related("category").get(pk=complaint.pk)


def propose_decision(
    *,
    complaint: Complaint,
    by: Staff,
    cause: str,
    shares: list[ShareIn],
    remedies: list[RemedyIn],
    money: MoneyIn,
    note: str = "",
    draft: bool = False,
) -> DecisionVersion:
    """Propose a decision (or rework one): a new version, kept for good. Then the approval by
    amount (核决权限) is asked for when the rule book has approval rules for step "decision";
    with no such rule at all the version is approved at once (the event says why). A version
    waiting for approval, or one the customer countersigned, cannot be reworked (409).

    ``draft``: the version is kept as a draft (e.g. a committee's determination its members have
    still to agree to, kesu.committees) and goes to approval only through ``submit_draft``; a
    later version supersedes a draft."""
    checked = _check(cause, shares, remedies, money, note)
    with transaction.atomic():
        locked = _locked(complaint)
        if not locked.is_open:
            raise ValidationError({"complaint": [_("The complaint is no longer open.")]})
        capacity = _deciding_capacity(locked, by)
        decision, _created = Decision.objects.get_or_create(complaint=locked)
        current = decision.versions.order_by("-number").first()
        if current is not None and current.status == VersionStatus.PROPOSED:
            raise DecisionConflict(
                _("Version %(n)d waits for approval: it cannot be reworked now.") % {"n": current.number}
            )
        if current is not None and current.customer_answer == CustomerAnswer.SIGNED:
            raise DecisionConflict(
                _("The customer countersigned version %(n)d: the decision is final.") % {"n": current.number}
            )
        version = DecisionVersion.objects.create(
            decision=decision,
            number=(current.number + 1) if current else 1,
            status=VersionStatus.DRAFT if draft else VersionStatus.PROPOSED,
            cause=checked.cause,
            note=checked.note,
            proposed_by=by,
            **checked.money,
        )
        for row in checked.shares:
            row.version = version
        ResponsibilityShare.objects.bulk_create(checked.shares)
        for remedy in checked.remedies:
            remedy.version = version
        Remedy.objects.bulk_create(checked.remedies)
        if draft:
            append_event(
                complaint=locked,
                capacity=capacity,
                action="decision_drafted",
                comment=checked.note,
                data=_summary(version, checked.shares),
            )
        else:
            _put_to_approval(locked, capacity, version, by)
    return version


def _summary(version: DecisionVersion, shares: list[ResponsibilityShare]) -> dict[str, Any]:
    return {
        "decision_version": version.number,
        "cause": version.cause.code,
        "amount_at_stake": str(amount_at_stake(version)),
        "shares": [f"{r.label} {r.share}%" for r in shares],
    }


def _put_to_approval(locked: Complaint, capacity: Capacity, version: DecisionVersion, by: Staff) -> None:
    """Ask for the approval by amount, or approve at once where the rule book has no rule for
    step "decision" for the complaint's class (its own, a parent's, or one for every class); the
    timeline entry ``decision_proposed`` either way. A class with rules whose amounts leave a gap
    is refused by the approvals app (an administrator closes the gap), never approved silently."""
    data = _summary(version, list(version.shares.all()))
    chain = class_chain(locked.category)
    for_class = Q(category__in=chain) | Q(category__isnull=True)
    if ApprovalRule.objects.filter(for_class, step=STEP).exists():
        approval = request_approval(
            complaint=locked,
            step=STEP,
            amount=amount_at_stake(version),
            by=by,
            subject=_("Decision v%(n)d: %(cause)s") % {"n": version.number, "cause": version.cause.name},
        )
        version.status = VersionStatus.PROPOSED
        version.approval = approval
        version.save(update_fields=["status", "approval"])
        data["approval"] = approval.pk
    else:
        version.status = VersionStatus.APPROVED
        version.decided_at = timezone.now()
        version.save(update_fields=["status", "decided_at"])
        data["approved_without_approval"] = (
            "the rule book has no approval rule for step decision for this class"
        )
    append_event(
        complaint=locked, capacity=capacity, action="decision_proposed", comment=version.note, data=data
    )


def submit_draft(*, version: DecisionVersion, by: Staff, capacity: Capacity | None = None) -> DecisionVersion:
    """A draft version goes to approval (or is approved at once, as ``propose_decision``). Only
    the current version, only a draft (409 otherwise). ``capacity``: the caller's own check of who
    submits (e.g. a committee member whose agreement completes the determination); without it,
    ``by`` must be someone who may propose."""
    with transaction.atomic():
        locked = _locked(version.decision.complaint)
        capacity = capacity or _deciding_capacity(locked, by)
        version = DecisionVersion.objects.select_for_update().get(pk=version.pk)
        last = DecisionVersion.objects.filter(decision_id=version.decision_id).order_by("-number").first()
        if version.status != VersionStatus.DRAFT or last is None or last.pk != version.pk:
            raise DecisionConflict(_("Only the current draft goes to approval."))
        _put_to_approval(locked, capacity, version, by)
    return version


def approval_decided(approval: Approval) -> None:
    """approvals' on_decided callback for step "decision": the version waiting for this approval
    becomes approved or refused (same transaction as the approval's decision)."""
    version = DecisionVersion.objects.select_for_update().filter(approval=approval).first()
    if version is None or version.status != VersionStatus.PROPOSED:
        return
    version.status = (
        VersionStatus.APPROVED if approval.status == ApprovalStatus.APPROVED else VersionStatus.REFUSED
    )
    version.decided_at = approval.decided_at or timezone.now()
    version.save(update_fields=["status", "decided_at"])


def _current_locked(decision: Decision, by: Staff) -> tuple[Complaint, Capacity, DecisionVersion]:
    complaint = _locked(decision.complaint)
    capacity = _recording_capacity(complaint, by)
    version = (
        DecisionVersion.objects.select_for_update().filter(decision=decision).order_by("-number").first()
    )
    if version is None or version.status != VersionStatus.APPROVED:
        raise DecisionConflict(_("Only an approved decision is put to the customer."))
    if version.customer_answer:
        raise DecisionConflict(
            _("The customer's answer to version %(n)d is already recorded (%(answer)s).")
            % {"n": version.number, "answer": version.get_customer_answer_display()}
        )
    if version.objections.filter(status=ObjectionStatus.PENDING).exists():
        raise DecisionConflict(_("An objection (签呈) to this decision is pending: its outcome comes first."))
    return complaint, capacity, version


def record_countersign(
    *, decision: Decision, by: Staff, how: str, signed_by: str, at: datetime
) -> DecisionVersion:
    """The customer countersigns the approved decision (客户签字确认, seed 000 4.2.3.3): who
    signed, when (not in the future) and how (signed memo, phone, e-mail)."""
    errors: dict[str, list[str]] = {}
    if how not in CountersignHow.values:
        errors["how"] = [_("One of %(values)s.") % {"values": ", ".join(CountersignHow.values)}]
    signed_by = _text(errors, "signed_by", signed_by, limits.PERSON_NAME, required=True)
    if not isinstance(at, datetime) or timezone.is_naive(at):
        errors["at"] = [_("Give the date and time with its time zone.")]
    elif at > timezone.now() + timedelta(minutes=5):
        errors["at"] = [_("The countersign cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        complaint, capacity, version = _current_locked(decision, by)
        version.customer_answer = CustomerAnswer.SIGNED
        version.countersign_how = how
        version.countersigned_by = signed_by
        version.answered_at = at
        version.answer_recorded_by = by
        version.save(
            update_fields=[
                "customer_answer",
                "countersign_how",
                "countersigned_by",
                "answered_at",
                "answer_recorded_by",
            ]
        )
        append_event(
            complaint=complaint,
            capacity=capacity,
            action="decision_countersigned",
            data={
                "decision_version": version.number,
                "how": how,
                "signed_by": signed_by,
                "at": at.isoformat(),
            },
        )
    return version


def record_refusal(*, decision: Decision, by: Staff, reason: str) -> tuple[DecisionVersion, Complaint]:
    """The customer does not accept the approved decision. Seed 002 (九)9: 若客户未能理解时业务部门
    应再填一份新的"客户抱怨处理表"附原抱怨表一并呈报处理 — in the same transaction the refusal is
    recorded and a new complaint is registered with this one attached (its ``parent``: a secondary
    complaint, 二次投诉), each with its timeline entry naming the other. The new complaint is
    registered by the one window, so only the desk records a refusal (403 for others). Returns
    the version and the new complaint."""
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, limits.HANDLING_TEXT, required=True)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        complaint, capacity, version = _current_locked(decision, by)
        if register_capacity(by) is None:
            raise MayNotDecide(
                _(
                    "A refusal files a new complaint with this one attached (seed 002 (九)9), and only"
                    " the customer-service desk registers complaints: the desk records the refusal."
                )
            )
        version.customer_answer = CustomerAnswer.REFUSED
        version.refusal_reason = reason
        version.answered_at = timezone.now()
        version.answer_recorded_by = by
        version.save(update_fields=["customer_answer", "refusal_reason", "answered_at", "answer_recorded_by"])
        refiled = register_complaint(
            by=by,
            intake=Intake(
                channel=complaint.channel,
                received_at=version.answered_at,
                complainant_name=complaint.complainant_name,
                complainant_phone=complaint.complainant_phone,
                complainant_address=complaint.complainant_address,
                customer=complaint.customer,
                product=complaint.product,
                product_model=complaint.product_model,
                batch_number=complaint.batch_number,
                order_number=complaint.order_number,
                description=_(
                    "The customer does not accept decision v%(n)d of complaint %(number)s: %(reason)s"
                )
                % {"n": version.number, "number": complaint.number, "reason": reason},
                category=complaint.category,
                severity=complaint.severity,
            ),
            parent=complaint,
            accused_staff=list(complaint.accused_staff.all()),
        )
        append_event(
            complaint=complaint,
            capacity=capacity,
            action="decision_refused_by_customer",
            comment=reason,
            data={"decision_version": version.number, "secondary": refiled.number},
        )
        append_event(
            complaint=refiled,
            capacity=capacity,
            action="refiled_after_refusal",
            comment=reason,
            data={"original": complaint.number, "decision_version": version.number},
        )
    return version, refiled
