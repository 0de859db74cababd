"""The decision's approval by amount (核决权限) decides the procedure's approval step.

Where a complaint's procedure lists ``approve_resolution`` and the rule book has approval rules
for step "decision" (kesu.decisions.services.STEP), the fixed roles of the approve step are not
who decides; the approval by amount of the handling decision is:

- the department proposes its resolution (``propose_resolution``, text, as everywhere) and the
  handling decision (``kesu.decisions.services.propose_decision``: cause, shares, remedies and
  money — its amount at stake picks the approval rule), in either order;
- when that approval ends approved, the complaint moves to ``resolution_approved``; refused, the
  step goes back (``return_resolution``: back to investigating) with the refusal's reason. Both
  are timeline entries by the last approver, written through the complaint's own service path
  (``record_action``: version bump, clocks, notifications) in decide_approval's transaction;
- nobody takes ``approve_resolution`` or ``return_resolution`` by hand (a registry guard whose
  reason names who must decide, or says the decision is still to be proposed);
- where the procedure requires the approve step, the approval cannot be approved before the
  resolution is proposed (the decision would be approved with nothing to move on): the approver
  is told so and nothing is saved. A refusal is taken at any time (the version is refused; the
  complaint moves back only if its resolution was proposed).

Where the rule book has no "decision" rule for the complaint's class (telecom, liquor, law firm;
furniture's unclassified complaints) nothing here applies.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from kesu.approvals.authority import approvers_now
from kesu.approvals.models import Approval, ApprovalRule, ApprovalStatus
from kesu.approvals.rules import class_chain
from kesu.complaints.models import Complaint, Status
from kesu.complaints.services import record_action
from kesu.complaints.workflow import rules_for
from kesu.decisions.models import DecisionVersion
from kesu.organization.selectors import Capacity

STEP = "decision"
APPROVE_STEP = "approve_resolution"
RETURN_STEP = "return_resolution"


def decided_by_amount(complaint: Complaint) -> bool:
    """Whether the complaint's approve step is decided by the decision's approval by amount: the
    procedure lists the step and an approval rule for step "decision" covers the complaint's class
    (its own, an ancestor's, or one for every class). Furniture has rules for grievances,
    suggestions and quality only: an unclassified complaint keeps the procedure's approver."""
    if not rules_for(complaint).lists(APPROVE_STEP):
        return False
    return ApprovalRule.objects.filter(
        Q(category__in=class_chain(complaint.category)) | Q(category__isnull=True), step=STEP
    ).exists()


def pending_approval(complaint: Complaint) -> Approval | None:
    return (
        Approval.objects.filter(complaint=complaint, step=STEP, status=ApprovalStatus.PENDING)
        .select_related("complaint")
        .first()
    )


def not_by_hand(complaint: Complaint) -> str | None:
    """Guard of approve_resolution and return_resolution (kesu.complaints.registry.guard)."""
    if not decided_by_amount(complaint):
        return None
    approval = pending_approval(complaint)
    if approval is not None:
        names = "、".join(p.display_name for p in approvers_now(approval)) or _("nobody (see the approval)")
        return _(
            "The decision is approved by amount (核决权限): the approval of ¥%(amount)s waits for"
            " %(approvers)s, whose decision moves the complaint on."
        ) % {"amount": f"{approval.amount:,.2f}", "approvers": names}
    return _(
        "The decision is approved by amount (核决权限): propose the handling decision (cause,"
        " responsibility, remedy, amounts); its amount picks who approves, and their decision moves"
        " the complaint on."
    )


def move_step(approval: Approval) -> None:
    """approvals' on_decided callback for step "decision" (after the version's own): move the
    complaint's approve step by the approval's outcome, as its last approver."""
    complaint = approval.complaint
    if not DecisionVersion.objects.filter(approval=approval).exists() or not decided_by_amount(complaint):
        return  # an approval of step "decision" asked for without a decision moves no step
    last = approval.decisions.select_related("actor", "acting_for").order_by("-at", "-pk").first()
    if last is None:  # decided without a decision row: cannot happen through decide_approval
        return
    capacity = Capacity(actor=last.actor, principal=last.acting_for or last.actor)
    data = {"approval": approval.pk, "amount": str(approval.amount)}
    if approval.status == ApprovalStatus.APPROVED:
        if complaint.status == Status.RESOLUTION_PROPOSED:
            record_action(
                complaint,
                capacity,
                APPROVE_STEP,
                comment=last.reason,
                data=data,
                to_status=Status.RESOLUTION_APPROVED,
            )
        elif rules_for(complaint).requires(APPROVE_STEP):
            raise ValidationError(
                {
                    "approve": [
                        _(
                            "The responsible department has not proposed its resolution yet (the"
                            " complaint is “%(status)s”): approve the decision once it has."
                        )
                        % {"status": complaint.get_status_display()}
                    ]
                }
            )
    elif approval.status == ApprovalStatus.REFUSED and complaint.status == Status.RESOLUTION_PROPOSED:
        record_action(
            complaint, capacity, RETURN_STEP, comment=last.reason, data=data, to_status=Status.INVESTIGATING
        )
