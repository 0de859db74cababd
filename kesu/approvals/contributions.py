"""What the approvals app adds to a complaint through kesu.complaints.registry: who sees a
complaint because they approve it, the complaint page's approvals and the workbench's "awaiting
my decision"."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext

from kesu.approvals import selectors
from kesu.approvals.models import ApprovalStatus
from kesu.complaints import registry
from kesu.complaints.models import Complaint
from kesu.complaints.registry import Panel
from kesu.organization.models import Staff

WORKBENCH_APPROVALS = 20


def sees_as_approver(staff: Staff) -> Q:
    return selectors.complaints_visible_through_approvals(staff=staff)


def complaint_panel(complaint: Complaint) -> dict[str, Any]:
    """The complaint's approvals, newest first, each with who may decide it now in the rule's
    words (the current level's approvers, read from the request: no query per approval) and its
    decisions (two queries, whatever their number)."""
    approvals = list(
        complaint.approvals.select_related("requested_by__user")
        .prefetch_related("decisions__actor__user", "decisions__acting_for__user")
        .order_by("-created_at", "-pk")
    )
    rows = []
    for approval in approvals:
        waiting: list[str] = []
        if approval.is_pending:
            done = {
                index
                for decision in approval.decisions.all()
                if decision.level == approval.current_level and decision.approve
                for index in decision.entries
            }
            entries = approval.level_spec()["entries"]
            waiting = [str(e.get("label", "")) for i, e in enumerate(entries) if i not in done]
        rows.append(
            {"approval": approval, "waiting_for": waiting, "decisions": list(approval.decisions.all())}
        )
    return {"approval_rows": rows}


def workbench_panel(staff: Staff) -> dict[str, Any]:
    waiting = selectors.approvals_waiting_for(staff=staff)
    return {"approvals_waiting": waiting[:WORKBENCH_APPROVALS], "approvals_waiting_count": len(waiting)}


def no_approval_pending(complaint: Complaint) -> str | None:
    """A resolution waiting for approval by authority is sent back by its approver's refusal (with
    the reason, on the timeline), not around them: otherwise the approval would wait on for a
    step that no longer exists."""
    if complaint.approvals.filter(status=ApprovalStatus.PENDING).exists():
        return gettext(
            "An approval of this complaint is pending: its approver refuses it, with the reason, to send it back."
        )
    return None


def approvers_waiting(complaint: Complaint) -> list[Staff] | None:
    """Who may decide the complaint's oldest pending approval now: the reminders of its time limit
    (seed 002 (九)6: the approver decides within one day) go to them, not to the desk."""
    approval = complaint.approvals.filter(status=ApprovalStatus.PENDING).order_by("created_at", "pk").first()
    return selectors.approvers_for(approval=approval) if approval is not None else None


def contribute() -> None:
    registry.register_visibility(sees_as_approver)
    registry.register_clock_holders("approval", approvers_waiting)  # deadlines' ClockKind.APPROVAL
    registry.guard("return_for_rework", no_approval_pending)
    registry.register_panel(
        "complaint", Panel("approvals/_complaint_approvals.html", complaint_panel, order=35)
    )
    registry.register_panel(
        "workbench", Panel("approvals/_workbench_approvals.html", workbench_panel, order=25)
    )
