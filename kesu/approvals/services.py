"""Writes: asking for an approval and deciding it (核决). Keyword-only, validated before saving,
one transaction each with its timeline entry on the complaint.

Locks, always in this order: the complaint row, then the approval row — the same order as every
complaint action (which locks the complaint first), so two decisions on one approval, or a
decision and an action on its complaint, queue instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.approvals import authority
from kesu.approvals.errors import ApprovalClosed, NotAnApprover
from kesu.approvals.models import (
    AMOUNT_DIGITS,
    AMOUNT_PLACES,
    STEP_CODE,
    Approval,
    ApprovalDecision,
    ApprovalStatus,
)
from kesu.approvals.rules import choose_rule, levels_of
from kesu.complaints import workflow
from kesu.complaints.models import Complaint
from kesu.complaints.services import append_event
from kesu.complaints.workflow import refuse_accused
from kesu.core import limits
from kesu.organization.models import Staff
from kesu.organization.selectors import Capacity

MAX_AMOUNT = Decimal(10 ** (AMOUNT_DIGITS - AMOUNT_PLACES)) - Decimal("0.01")

# What an app does when an approval of its step is decided (approved or refused), keyed by step
# code. Called inside decide_approval's transaction, with the complaint and the approval locked,
# after the approval is saved and its timeline entry written: an error undoes the decision.
DecidedCallback = Callable[[Approval], None]
_on_decided: dict[str, list[DecidedCallback]] = {}


def on_decided(step: str, callback: DecidedCallback) -> None:
    """Call ``callback(approval)`` whenever an approval of ``step`` ends approved or refused, in
    the same transaction (idempotent: ready() may run twice)."""
    callbacks = _on_decided.setdefault(step, [])
    if callback not in callbacks:
        callbacks.append(callback)


def _text(errors: dict[str, list[str]], name: str, value: str, *, required: bool) -> str:
    value = value.strip()
    if required and not value:
        errors[name] = [_("This field is required.")]
    elif len(value) > limits.HANDLING_TEXT:
        errors[name] = [
            _("At most %(max)d characters (this has %(count)d).")
            % {"max": limits.HANDLING_TEXT, "count": len(value)}
        ]
    elif problem := limits.unstorable(value):
        errors[name] = [problem]
    return value


def _amount(errors: dict[str, list[str]], amount: Decimal) -> Decimal:
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        errors["amount"] = [_("Enter an amount in CNY, e.g. 1234.50.")]
        return Decimal("0")
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT:
        errors["amount"] = [_("The amount must be between 0 and %(max)s CNY.") % {"max": f"{MAX_AMOUNT:,}"}]
    elif value != value.quantize(Decimal("0.01")):
        errors["amount"] = [_("At most 2 decimal places (fen).")]
    return value


def _locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update(of=("self",)).select_related("category").get(pk=complaint.pk)


def request_approval(
    *, complaint: Complaint, step: str, amount: Decimal, by: Staff, subject: str
) -> Approval:
    """Ask for the approval of ``step`` on ``complaint`` for ``amount`` CNY (依核决权限呈核).

    Picks the rule by the complaint's class and the amount (kesu.approvals.rules.choose_rule) and
    keeps its levels on the request. One pending request per complaint and step. Whether ``by``
    may take the step is the step's own check (the caller's); here ``by`` must not be complained
    about in the complaint (回避)."""
    errors: dict[str, list[str]] = {}
    step = (step or "").strip()
    if not step or len(step) > STEP_CODE:
        errors["step"] = [_("Give the step code (at most %(max)d characters).") % {"max": STEP_CODE}]
    value = _amount(errors, amount)
    subject = _text(errors, "subject", subject, required=True)
    if errors:
        raise ValidationError(errors)
    refuse_accused(complaint, requested_by=by)
    with transaction.atomic():
        locked = _locked(complaint)
        if not locked.is_open:
            raise ValidationError({"complaint": [_("The complaint is no longer open.")]})
        if Approval.objects.filter(complaint=locked, step=step, status=ApprovalStatus.PENDING).exists():
            raise ValidationError(
                {"step": [_("An approval of this step is already waiting for this complaint.")]}
            )
        rule = choose_rule(step=step, category=locked.category, amount=value)
        levels = levels_of(rule)
        if not levels:  # saved outside the admin and the presets, which refuse it
            raise ValidationError(
                {"step": [_("The approval rule %(rule)s names no approver.") % {"rule": rule}]}
            )
        try:
            with transaction.atomic():  # a concurrent request for the same step: the constraint decides
                approval = Approval.objects.create(
                    complaint=locked,
                    step=step,
                    amount=value,
                    rule=rule,
                    levels=levels,
                    subject=subject,
                    requested_by=by,
                )
        except IntegrityError:
            raise ValidationError(
                {"step": [_("An approval of this step is already waiting for this complaint.")]}
            ) from None
        append_event(
            complaint=locked,
            capacity=Capacity(actor=by, principal=by),
            action="approval_requested",
            comment=subject,
            data={
                "approval": approval.pk,
                "step": step,
                "amount": str(value),
                "rule": rule.pk,
                "levels": len(approval.levels),
            },
        )
    return approval


def decide_approval(*, approval: Approval, by: Staff, approve: bool, reason: str = "") -> Approval:
    """Approve or refuse the current level of ``approval`` as one of its approvers.

    Any-of (或签): the first approval completes the level; all-of (会签): every approver of the
    level must approve. Completing the last level approves the request; a refusal (which needs a
    reason) ends it as refused. Someone who may not decide now gets NotAnApprover naming who may."""
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, required=not approve)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        complaint = _locked(approval.complaint)
        locked = Approval.objects.select_for_update().get(pk=approval.pk)
        locked.complaint = complaint
        if not locked.is_pending:
            raise ApprovalClosed(status=locked.get_status_display())
        accused = workflow.accused_ids(complaint)
        standing = authority.standing_of(approval=locked, staff=by, accused=accused)
        if standing is None:
            why = (
                _("You are complained about in this complaint and must recuse yourself (回避).")
                if by.pk in accused
                else ""
            )
            raise NotAnApprover(approvers=authority.approvers_now(locked), reason=str(why))
        level = locked.current_level
        ApprovalDecision.objects.create(
            approval=locked,
            level=level,
            actor=standing.capacity.actor,
            acting_for=standing.capacity.acting_for,
            approve=approve,
            reason=reason,
            entries=list(standing.entries),
        )
        if not approve:
            locked.status = ApprovalStatus.REFUSED
        else:
            approved = {i for d in locked.decisions.filter(level=level, approve=True) for i in d.entries}
            if authority.level_complete(locked, approved):
                if level >= len(locked.levels):
                    locked.status = ApprovalStatus.APPROVED
                else:
                    locked.current_level = level + 1
        if not locked.is_pending:
            locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "current_level", "decided_at"])
        append_event(
            complaint=complaint,
            capacity=standing.capacity,
            action="approval_decided",
            comment=reason,
            data={
                "approval": locked.pk,
                "step": locked.step,
                "amount": str(locked.amount),
                "level": level,
                "approve": approve,
                "approval_status": locked.status,
            },
        )
        if not locked.is_pending:
            for callback in _on_decided.get(locked.step, []):
                callback(locked)
    return locked
