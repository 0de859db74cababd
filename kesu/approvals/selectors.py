"""Reads: who may decide an approval now, and what waits for a person."""

from __future__ import annotations

from django.db.models import Q

from kesu.approvals import authority
from kesu.approvals.models import Approval, ApprovalDecision, ApprovalStatus
from kesu.complaints import workflow
from kesu.complaints.models import Complaint
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
            accused=workflow.accused_ids(approval.complaint),
            capacities=capacities,
        )
        is not None
    ]


def may_decide(*, approval: Approval, staff: Staff) -> bool:
    """Whether ``staff`` may decide ``approval`` now, in some capacity."""
    return authority.standing_of(approval=approval, staff=staff) is not None


def complaints_visible_through_approvals(*, staff: Staff | None) -> Q:
    """Complaints ``staff`` sees because they approve them (核决权限): they fit an approver of any
    level of a pending approval of the complaint (as themselves or as the deputy of an absent
    principal who does), or they decided one (or it was decided for them). Never a complaint they
    or that principal are complained about (回避). One query: the pending approvals' levels,
    checked here (they are few; the levels are JSON, which SQLite cannot search)."""
    nothing = Q(pk__in=[])
    if staff is None:
        return nothing
    decided = ApprovalDecision.objects.filter(Q(actor=staff) | Q(acting_for=staff))
    scope = Q(pk__in=decided.values("approval__complaint_id"))
    pending = Approval.objects.filter(status=ApprovalStatus.PENDING).values_list(
        "complaint_id", "complaint__handling_department_id", "levels"
    )
    capacities = capacities_of(staff=staff)
    by_principal: dict[int, set[int]] = {}
    for complaint_id, department_id, levels in pending:
        complaint = Complaint(pk=complaint_id, handling_department_id=department_id)
        for capacity in capacities:
            if any(
                authority.fits(entry, capacity.principal, complaint)
                for level in levels
                for entry in level.get("entries", ())
            ):
                by_principal.setdefault(capacity.principal.pk, set()).add(complaint_id)
    through = Complaint.accused_staff.through.objects
    for principal_id, complaint_ids in by_principal.items():
        accused = through.filter(staff_id__in={principal_id, staff.pk}).values("complaint_id")
        scope |= Q(pk__in=sorted(complaint_ids)) & ~Q(pk__in=accused)
    return scope
