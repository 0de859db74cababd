"""Reads: who may decide an approval now, and what waits for a person."""

from __future__ import annotations

from kesu.approvals import authority
from kesu.approvals.models import Approval, ApprovalStatus
from kesu.organization.models import Staff
from kesu.organization.selectors import capacities_of


def approvers_for(*, approval: Approval) -> list[Staff]:
    """The people who may decide ``approval`` now: those who fit an approver of its current level
    still waiting, and the deputies of the absent ones; nobody complained about (回避). Empty once
    it is decided."""
    return authority.approvers_now(approval)


def approvals_waiting_for(*, staff: Staff) -> list[Approval]:
    """The pending approvals ``staff`` may decide now (as themselves or as a deputy), oldest first.
    Reads every pending approval once (with its complaint, decisions and people complained about):
    pending approvals are few, and whether one waits for a person depends on their capacities now."""
    pending = (
        Approval.objects.filter(status=ApprovalStatus.PENDING)
        .select_related("complaint__category", "complaint__handling_department", "requested_by__user", "rule")
        .prefetch_related("decisions__actor__user", "decisions__acting_for__user", "complaint__accused_staff")
        .order_by("created_at", "pk")
    )
    capacities = capacities_of(staff=staff)
    return [
        approval
        for approval in pending
        if authority.standing_of(
            approval=approval,
            staff=staff,
            accused=authority.accused_ids(approval.complaint),
            capacities=capacities,
        )
        is not None
    ]


def may_decide(*, approval: Approval, staff: Staff) -> bool:
    """Whether ``staff`` may decide ``approval`` now, in some capacity."""
    return authority.standing_of(approval=approval, staff=staff) is not None
