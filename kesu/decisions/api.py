"""The decision endpoints of /api/v1/: a complaint's decision (current version, history, cost
ledger), proposing (or reworking) it, and the customer's countersign or refusal. Parse, call one
service or selector, render; errors as in kesu.api (ErrorOut). Amounts and shares are decimals
(a JSON number or a numeric string) in, strings with two decimals out."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status as Reply

from kesu.complaints.schemas import Count, ErrorOut, InputDateTime, LocalDateTime, StaffRef, Text, bounded
from kesu.complaints.selectors import complaint_visible_to
from kesu.core import limits
from kesu.decisions import objections, selectors, services
from kesu.decisions.errors import DecisionConflict
from kesu.decisions.models import MAX_AMOUNT, Decision, DecisionVersion, Objection
from kesu.organization.models import Staff

router = Router(tags=["decisions"])

Money = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, max_digits=14, decimal_places=2)]
Share = Annotated[Decimal, Field(gt=0, le=100, max_digits=5, decimal_places=2)]
Code = Annotated[Text, Field(max_length=limits.CODE)]


class DecisionShareIn(Schema):
    party: Literal["department", "staff", "customer", "carrier", "supplier"]
    share: Share = Field(description="Percent with at most 2 decimals; the shares add up to exactly 100.00.")
    department: Code = Field("", description="The department's code (party department).")
    staff: Annotated[Text, Field(max_length=limits.USERNAME)] = Field(
        "", description="Username (party staff)."
    )
    name: bounded("party name") = Field(
        "", description="The party's name (required for a carrier or supplier)."
    )


class DecisionRemedyIn(Schema):
    kind: Code = Field(description="A remedy kind's code from the rule book (repair, refund, …).")
    quantity: Count | None = None
    amount: Money | None = Field(None, description="CNY, at most 2 decimals.")


class DecisionMoneyIn(Schema):
    loss_amount: Money = Decimal("0")
    repair_budget: Money = Decimal("0")
    compensation: Money = Decimal("0")
    freight: Money = Decimal("0")


class DecisionProposeIn(Schema):
    cause: Code = Field(description="A cause's code from the rule book.")
    shares: list[DecisionShareIn] = Field(min_length=1, max_length=services.MAX_PARTIES)
    remedies: list[DecisionRemedyIn] = Field(min_length=1, max_length=services.MAX_REMEDIES)
    money: DecisionMoneyIn
    note: bounded("decision note") = ""


class DecisionCountersignIn(Schema):
    how: Literal["memo", "phone", "email"] = Field(description="Signed memo, phone or e-mail.")
    signed_by: bounded("signed_by") = Field(description="Who countersigned for the customer.")
    at: InputDateTime = Field(description="When (ISO 8601 with time zone), not in the future.")


class DecisionRefusalIn(Schema):
    reason: bounded("refusal reason") = Field(description="Why the customer does not accept.")


class ObjectionIn(Schema):
    reason: bounded("objection reason") = Field(description="Why the department objects (签呈).")
    decider: Annotated[Text, Field(max_length=limits.USERNAME)] = Field(
        "", description="The decider's username; may be empty when one person alone holds the route."
    )


class ObjectionDecisionIn(Schema):
    uphold: bool = Field(description="true: the decision is to be reworked; false: it stands.")
    reason: bounded("objection outcome")


class ObjectionOut(Schema):
    id: int
    decision_version: int
    department: str
    raised_by: StaffRef
    reason: str
    raised_at: LocalDateTime
    decider: StaffRef
    status: Literal["pending", "upheld", "dismissed"]
    outcome: str
    decided_at: LocalDateTime | None


class DecisionShareOut(Schema):
    party: str
    department: str = Field(description="Department code, or empty.")
    staff: str = Field(description="Username, or empty.")
    name: str
    label: str
    share: str


class DecisionRemedyOut(Schema):
    kind: str
    kind_name: str
    quantity: int | None
    amount: str | None


class DecisionVersionOut(Schema):
    number: int
    status: Literal["draft", "proposed", "approved", "refused"]
    cause: str
    cause_name: str
    upheld: bool
    shares: list[DecisionShareOut]
    remedies: list[DecisionRemedyOut]
    money: dict[str, str] = Field(description="loss_amount, repair_budget, compensation, freight (CNY).")
    amount_at_stake: str
    note: str
    proposed_by: StaffRef
    proposed_at: LocalDateTime
    approval: int | None
    decided_at: LocalDateTime | None
    customer_answer: Literal["", "signed", "refused"]
    countersign_how: str
    countersigned_by: str
    answered_at: LocalDateTime | None
    refusal_reason: str


class DecisionLedgerPartOut(Schema):
    label: str
    share: str
    amount: str


class DecisionLedgerLineOut(Schema):
    line: str
    total: str
    parts: list[DecisionLedgerPartOut]


class HandlingDecisionOut(Schema):
    complaint: str
    current: DecisionVersionOut | None
    history: list[DecisionVersionOut] = Field(
        description="Every version, oldest first (the current one last)."
    )
    ledger: list[DecisionLedgerLineOut] = Field(
        description="The current version's money lines split per party."
    )
    approved_text: str = Field(
        description="What replies to the customer quote (seed 002 (九)11); empty if none."
    )
    objections: list[ObjectionOut] = Field(description="The 签呈 against the decision, oldest first.")
    refiled: str | None = Field(
        None, description="After a refusal: the number of the new complaint filed with this one attached."
    )


UNAUTHORIZED = {401: ErrorOut, 429: ErrorOut}
WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, **UNAUTHORIZED}


def _ref(staff: Staff) -> dict[str, str]:
    return {"username": staff.user.get_username(), "name": staff.display_name}


def _version(v: DecisionVersion) -> dict[str, Any]:
    return {
        "number": v.number,
        "status": v.status,
        "cause": v.cause.code,
        "cause_name": v.cause.name,
        "upheld": v.cause.upheld,
        "shares": [
            {
                "party": s.party,
                "department": s.department.code if s.department else "",
                "staff": s.staff.user.get_username() if s.staff else "",
                "name": s.name,
                "label": s.label,
                "share": f"{s.share:.2f}",
            }
            for s in v.shares.all()
        ],
        "remedies": [
            {
                "kind": r.kind.code,
                "kind_name": r.kind.name,
                "quantity": r.quantity,
                "amount": None if r.amount is None else f"{r.amount:.2f}",
            }
            for r in v.remedies.all()
        ],
        "money": {line: f"{amount:.2f}" for line, amount in v.money().items()},
        "amount_at_stake": f"{services.amount_at_stake(v):.2f}",
        "note": v.note,
        "proposed_by": _ref(v.proposed_by),
        "proposed_at": v.proposed_at,
        "approval": v.approval_id,
        "decided_at": v.decided_at,
        "customer_answer": v.customer_answer,
        "countersign_how": v.countersign_how,
        "countersigned_by": v.countersigned_by,
        "answered_at": v.answered_at,
        "refusal_reason": v.refusal_reason,
    }


def _out(complaint: Any) -> dict[str, Any]:
    versions = selectors.versions_of(complaint=complaint)
    current = versions[-1] if versions else None
    return {
        "complaint": complaint.number,
        "current": None if current is None else _version(current),
        "history": [_version(v) for v in versions],
        "ledger": [
            {
                "line": line.line,
                "total": f"{line.total:.2f}",
                "parts": [
                    {"label": s.label, "share": f"{s.share:.2f}", "amount": f"{a:.2f}"} for s, a in line.parts
                ],
            }
            for line in ([] if current is None else selectors.ledger_of(current))
        ],
        "approved_text": selectors.approved_text_of(versions),
        "objections": [
            {
                "id": o.pk,
                "decision_version": o.version.number,
                "department": o.department.code,
                "raised_by": _ref(o.raised_by),
                "reason": o.reason,
                "raised_at": o.raised_at,
                "decider": _ref(o.decider),
                "status": o.status,
                "outcome": o.outcome,
                "decided_at": o.decided_at,
            }
            for o in Objection.objects.filter(version__decision__complaint=complaint).select_related(
                "version", "department", "raised_by__user", "decider__user"
            )
        ],
    }


def _complaint(request: HttpRequest, number: str) -> Any:
    complaint = complaint_visible_to(staff=request.auth, number=number)
    if complaint is None:
        raise Http404(number)
    return complaint


def _decision(complaint: Any) -> Decision:
    decision = Decision.objects.filter(complaint=complaint).select_related("complaint").first()
    if decision is None:
        raise DecisionConflict(_("No decision has been proposed for this complaint."))
    return decision


@router.get(
    "/complaints/{number}/decision",
    response={200: HandlingDecisionOut, 404: ErrorOut, **UNAUTHORIZED},
    summary="A complaint's decision",
)
def show(request: HttpRequest, number: str) -> dict[str, Any]:
    """The current version, every version, and the cost ledger (each money line split per
    responsible party, parts summing to the total to the fen). ``current`` is null before a
    proposal. 404 for a complaint the caller may not see."""
    return _out(_complaint(request, number))


@router.post(
    "/complaints/{number}/decision",
    response={201: HandlingDecisionOut, **WRITE_ERRORS},
    summary="Propose (or rework) the decision",
)
def propose(request: HttpRequest, number: str, payload: DecisionProposeIn) -> Reply:
    """A new version: cause, shares adding up to exactly 100.00, remedies, money. It then goes to
    approval by amount (核决权限). 403 for someone who may not propose (the accused never, 回避),
    409 while a version waits for approval or after the customer countersigned, 422 bad input."""
    complaint = _complaint(request, number)
    services.propose_decision(
        complaint=complaint,
        by=request.auth,
        cause=payload.cause,
        shares=[services.ShareIn(**s.dict()) for s in payload.shares],
        remedies=[services.RemedyIn(**r.dict()) for r in payload.remedies],
        money=services.MoneyIn(**payload.money.dict()),
        note=payload.note,
    )
    return Reply(201, _out(complaint))


@router.post(
    "/complaints/{number}/decision/countersign",
    response={200: HandlingDecisionOut, **WRITE_ERRORS},
    summary="Record the customer's countersign",
)
def countersign(request: HttpRequest, number: str, payload: DecisionCountersignIn) -> dict[str, Any]:
    """The customer countersigned the approved decision (客户签字确认). 409 when there is no
    approved decision or its answer is already recorded."""
    complaint = _complaint(request, number)
    services.record_countersign(
        decision=_decision(complaint),
        by=request.auth,
        how=payload.how,
        signed_by=payload.signed_by,
        at=payload.at,
    )
    return _out(complaint)


@router.post(
    "/complaints/{number}/decision/refusal",
    response={200: HandlingDecisionOut, **WRITE_ERRORS},
    summary="Record the customer's refusal",
)
def refusal(request: HttpRequest, number: str, payload: DecisionRefusalIn) -> dict[str, Any]:
    """The customer does not accept the approved decision (seed 002 (九)9): in the same
    transaction a new complaint is registered with this one attached (``refiled``: its number).
    Only the desk records it (it registers the new complaint); 409 as for the countersign."""
    complaint = _complaint(request, number)
    _version, refiled = services.record_refusal(
        decision=_decision(complaint), by=request.auth, reason=payload.reason
    )
    return {**_out(complaint), "refiled": refiled.number}


@router.post(
    "/complaints/{number}/decision/objections",
    response={201: HandlingDecisionOut, **WRITE_ERRORS},
    summary="Object to the approved decision (签呈)",
)
def objection(request: HttpRequest, number: str, payload: ObjectionIn) -> Reply:
    """A department head (or the CS director) objects to the approved decision, to the rule
    book's decider (seed 002 (九)12). 403 who may not, 409 no approved decision, no route or one
    already pending, 422 bad input (``decider`` names who may decide)."""
    complaint = _complaint(request, number)
    objections.raise_objection(
        complaint=complaint, by=request.auth, reason=payload.reason, decider=payload.decider
    )
    return Reply(201, _out(complaint))


@router.post(
    "/decision-objections/{objection_id}/decision",
    response={200: HandlingDecisionOut, **WRITE_ERRORS},
    summary="Decide an objection (签呈)",
)
def decide_objection(
    request: HttpRequest,
    objection_id: Annotated[int, Field(ge=1, le=2_147_483_647)],
    payload: ObjectionDecisionIn,
) -> dict[str, Any]:
    """The named decider records the outcome with its reason. 403 anyone else, 404 an unknown
    objection or one on a complaint the caller may not see, 409 already decided."""
    found = Objection.objects.select_related("version__decision__complaint").filter(pk=objection_id).first()
    if found is None:
        raise Http404(str(objection_id))
    complaint = _complaint(request, found.version.decision.complaint.number)
    objections.decide_objection(
        objection=found, by=request.auth, uphold=payload.uphold, reason=payload.reason
    )
    return _out(complaint)
