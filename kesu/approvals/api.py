"""The approvals endpoints of /api/v1/: what waits for my decision, and deciding it (核决).
Parse, call one service or selector, render; errors as in kesu.api (ErrorOut)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Path, Router, Schema
from pydantic import Strict

from kesu.approvals import selectors, services
from kesu.approvals.authority import approvers_now
from kesu.approvals.models import Approval
from kesu.complaints.schemas import MAX_INT, ErrorOut, LocalDateTime, StaffRef, bounded
from kesu.complaints.selectors import complaints_visible_to
from kesu.organization.models import Staff

router = Router(tags=["approvals"])


class DecisionIn(Schema):
    approve: Annotated[bool, Strict()] = Field(description="true: approve; false: refuse (needs a reason).")
    reason: bounded("reason") = Field("", description="Why; required to refuse.")


class DecisionOut(Schema):
    level: int
    by: StaffRef
    acting_for: StaffRef | None = Field(description="The absent approver a deputy decided for.")
    approve: bool
    reason: str
    at: LocalDateTime


class ApprovalOut(Schema):
    id: int
    complaint: str = Field(description="The complaint's number.")
    step: str
    amount: str = Field(description='CNY with two decimals, as a string (e.g. "5000.00").')
    status: Literal["pending", "approved", "refused"]
    current_level: int
    levels: int = Field(description="How many levels decide in sequence.")
    mode: Literal["all", "any"] = Field(description="The current level: all of (会签) or any of (或签).")
    subject: str
    requested_by: StaffRef
    created_at: LocalDateTime
    decided_at: LocalDateTime | None
    rule_source: str = Field(description="The rule book clause the chosen rule cites.")
    approvers: list[StaffRef] = Field(description="Who may decide now (deputies of absent ones included).")
    decisions: list[DecisionOut]


class ApprovalListOut(Schema):
    items: list[ApprovalOut]


class NotAnApproverOut(ErrorOut):
    approvers: list[StaffRef] = Field(description="Who may decide this approval now.")


UNAUTHORIZED = {401: ErrorOut, 429: ErrorOut}


def _ref(staff: Staff | None) -> dict[str, str] | None:
    return None if staff is None else {"username": staff.user.get_username(), "name": staff.display_name}


def _out(approval: Approval) -> dict[str, Any]:
    return {
        "id": approval.pk,
        "complaint": approval.complaint.number,
        "step": approval.step,
        "amount": f"{approval.amount:.2f}",
        "status": approval.status,
        "current_level": approval.current_level,
        "levels": len(approval.levels),
        "mode": approval.level_spec()["mode"],
        "subject": approval.subject,
        "requested_by": _ref(approval.requested_by),
        "created_at": approval.created_at,
        "decided_at": approval.decided_at,
        "rule_source": approval.rule.source if approval.rule else "",
        "approvers": [_ref(s) for s in approvers_now(approval)],
        "decisions": [
            {
                "level": d.level,
                "by": _ref(d.actor),
                "acting_for": _ref(d.acting_for),
                "approve": d.approve,
                "reason": d.reason,
                "at": d.at,
            }
            for d in approval.decisions.all()  # prefetched by the list; one query for one approval
        ],
    }


@router.get("/approvals", response={200: ApprovalListOut, **UNAUTHORIZED}, summary="Approvals waiting for me")
def waiting(request: HttpRequest) -> dict[str, Any]:
    """The pending approvals the caller may decide now, as themselves or as a deputy, oldest first."""
    staff: Staff = request.auth
    return {"items": [_out(a) for a in selectors.approvals_waiting_for(staff=staff)]}


@router.post(
    "/approvals/{approval_id}/decision",
    response={
        200: ApprovalOut,
        403: NotAnApproverOut | ErrorOut,  # ErrorOut: a session write without CSRF token
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        **UNAUTHORIZED,
    },
    summary="Decide an approval",
)
def decide(
    request: HttpRequest,
    approval_id: Annotated[int, Path(ge=1, le=MAX_INT)],
    payload: DecisionIn,
) -> dict[str, Any]:
    """Approve or refuse (with a reason) the current level of an approval. 403 names who may
    decide now; 404 when it does not exist or the caller may neither decide nor see its complaint;
    409 when it is already decided."""
    staff: Staff = request.auth
    approval = (
        Approval.objects.select_related("complaint", "rule", "requested_by__user")
        .filter(pk=approval_id)
        .first()
    )
    if approval is None or not (
        selectors.may_decide(approval=approval, staff=staff)
        or complaints_visible_to(staff=staff).filter(pk=approval.complaint_id).exists()
    ):
        raise Http404(str(approval_id))
    decided = services.decide_approval(
        approval=approval, by=staff, approve=payload.approve, reason=payload.reason
    )
    return _out(decided)
