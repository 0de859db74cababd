"""The decision on the complaint page (registry.register_panel("complaint", …)) and the approved
decision a reply quotes (registry.register_initial). A fixed number of queries whatever the number
of versions, parties, remedies or approval decisions."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from kesu.approvals.authority import approvers_now
from kesu.approvals.models import Approval, ApprovalDecision
from kesu.complaints.models import Complaint
from kesu.decisions.selectors import LINE_LABELS, approved_text_of, ledger_of, versions_of


def decision_panel(complaint: Complaint) -> dict[str, Any]:
    """The current version (cause, shares, remedies, each money line split per party), its
    approval (who must decide now) and every version with its approval's history, newest first."""
    versions = versions_of(complaint=complaint)
    if not versions:
        return {"complaint": complaint, "versions": []}
    approvals = {
        a.pk: a
        for a in Approval.objects.filter(pk__in=[v.approval_id for v in versions if v.approval_id])
        .select_related("complaint")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=ApprovalDecision.objects.select_related("actor", "acting_for").order_by("at", "pk"),
            )
        )
    }
    current = versions[-1]
    approval = approvals.get(current.approval_id) if current.approval_id else None
    waiting_for = approvers_now(approval) if approval is not None and approval.is_pending else []
    return {
        "complaint": complaint,
        "current": current,
        "approval": approval,
        "waiting_for": waiting_for,
        "ledger": [
            {"label": LINE_LABELS[line.line], "total": line.total, "parts": line.parts}
            for line in ledger_of(current)
        ],
        "versions": [
            {"version": v, "approval": approvals.get(v.approval_id) if v.approval_id else None}
            for v in reversed(versions)
        ],
        "approved_text": approved_text_of(versions),
    }


def reply_quotes_the_decision(complaint: Complaint) -> str:
    """The reply's initial text: the approved decision (seed 002 (九)11: sales may promise nothing
    beyond it), or "" (no proposal) when none is approved."""
    return approved_text_of(versions_of(complaint=complaint))
