"""The committee endpoints of /api/v1/ (seed 000 4.2.3.3 2)): a complaint's committee, convening
it, the on-site evidence memo, the determination and each member's agreement. Parse, call one
service, render; errors as in kesu.api (ErrorOut)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status as Reply

from kesu.committees import selectors, services
from kesu.committees.errors import CommitteeConflict
from kesu.committees.models import Committee
from kesu.complaints.schemas import ErrorOut, LocalDateTime, StaffRef, Text, bounded
from kesu.complaints.selectors import complaint_visible_to
from kesu.core import limits
from kesu.decisions.api import DecisionMoneyIn, DecisionRemedyIn, DecisionShareIn
from kesu.decisions.services import MAX_PARTIES, MAX_REMEDIES, MoneyIn, RemedyIn, ShareIn

router = Router(tags=["committees"])

Username = Annotated[Text, Field(max_length=limits.USERNAME)]
SeatKey = Annotated[str, Field(pattern=r"^[0-9]{1,3}$")]


class ConveneIn(Schema):
    members: dict[SeatKey, Username] = Field(
        description="Each seat's position (as text, e.g. \"1\") → the member's username.", max_length=50
    )


class EvidenceIn(Schema):
    facts: bounded("evidence facts") = Field(description="What was found on site (客观、真实、全面).")
    customer_statement: bounded("customer statement") = ""
    photos: list[Annotated[int, Field(ge=1, le=2_147_483_647)]] = Field(
        [], max_length=services.MAX_PHOTOS, description="Ids of the complaint's attachments."
    )


class DeterminationIn(Schema):
    cause: Annotated[Text, Field(max_length=limits.CODE)]
    shares: list[DecisionShareIn] = Field(min_length=1, max_length=MAX_PARTIES)
    remedies: list[DecisionRemedyIn] = Field(min_length=1, max_length=MAX_REMEDIES)
    money: DecisionMoneyIn
    delivery_memo: bounded("delivery memo") = Field(description="The repair/delivery memo (返修交货备忘).")


class AgreementIn(Schema):
    agree: bool
    comment: bounded("agreement comment") = Field("", description="Required when disagreeing.")


class MemberOut(Schema):
    seat: str
    member: StaffRef
    collects_evidence: bool
    agreement: Literal["", "agreed", "disagreed"]
    comment: str
    answered_at: LocalDateTime | None


class CommitteeOut(Schema):
    complaint: str
    name: str
    status: Literal["convened", "determined", "agreed"]
    convened_by: StaffRef
    convened_at: LocalDateTime
    members: list[MemberOut]
    evidence_form: str
    facts: str
    customer_statement: str
    photos: list[int]
    evidence_at: LocalDateTime | None
    decision_version: int | None = Field(description="The determination: a version of the decision.")
    delivery_memo: str
    agreed_at: LocalDateTime | None


UNAUTHORIZED = {401: ErrorOut, 429: ErrorOut}
WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, **UNAUTHORIZED}


def _ref(staff: Any) -> dict[str, str]:
    return {"username": staff.user.get_username(), "name": staff.display_name}


def _out(complaint: Any) -> dict[str, Any]:
    committee = selectors.committee_of(complaint=complaint)
    if committee is None:
        raise CommitteeConflict(_("No committee is convened for this complaint."))
    return {
        "complaint": complaint.number,
        "name": committee.rule.name,
        "status": committee.status,
        "convened_by": _ref(committee.convened_by),
        "convened_at": committee.convened_at,
        "members": [
            {
                "seat": m.label,
                "member": _ref(m.staff),
                "collects_evidence": m.collects_evidence,
                "agreement": m.agreement,
                "comment": m.comment,
                "answered_at": m.answered_at,
            }
            for m in committee.members.all()
        ],
        "evidence_form": committee.rule.evidence_form,
        "facts": committee.facts,
        "customer_statement": committee.customer_statement,
        "photos": [p.pk for p in committee.photos.all()],
        "evidence_at": committee.evidence_at,
        "decision_version": committee.determination.number if committee.determination else None,
        "delivery_memo": committee.delivery_memo,
        "agreed_at": committee.agreed_at,
    }


def _complaint(request: HttpRequest, number: str) -> Any:
    complaint = complaint_visible_to(staff=request.auth, number=number)
    if complaint is None:
        raise Http404(number)
    return complaint


def _committee(complaint: Any) -> Committee:
    committee = Committee.objects.filter(complaint=complaint).select_related("complaint").first()
    if committee is None:
        raise CommitteeConflict(_("No committee is convened for this complaint."))
    return committee


@router.get(
    "/complaints/{number}/committee",
    response={200: CommitteeOut, 404: ErrorOut, 409: ErrorOut, **UNAUTHORIZED},
    summary="A complaint's quality committee",
)
def show(request: HttpRequest, number: str) -> dict[str, Any]:
    """The committee, its members and their agreement, the evidence memo and the determination.
    409 when none is convened, 404 for a complaint the caller may not see."""
    return _out(_complaint(request, number))


@router.post(
    "/complaints/{number}/committee",
    response={201: CommitteeOut, **WRITE_ERRORS},
    summary="Convene the committee",
)
def convene(request: HttpRequest, number: str, payload: ConveneIn) -> Reply:
    """The convenor (furniture: the production manager) names a member for every seat. 403 for
    anyone else, 409 when the class has no committee or it is already convened, 422 a member who
    does not fit the seat (``members.<seat>``)."""
    complaint = _complaint(request, number)
    services.convene_committee(complaint=complaint, by=request.auth, members=dict(payload.members))
    return Reply(201, _out(complaint))


@router.post(
    "/complaints/{number}/committee/evidence",
    response={200: CommitteeOut, **WRITE_ERRORS},
    summary="Record the on-site evidence memo",
)
def evidence(request: HttpRequest, number: str, payload: EvidenceIn) -> dict[str, Any]:
    """《客户产品质量投诉处理备忘单》 by the member who collects the evidence: facts, the customer's
    statement, photos among the complaint's attachments (``photos``: their ids)."""
    complaint = _complaint(request, number)
    services.record_evidence(
        committee=_committee(complaint),
        by=request.auth,
        evidence=services.EvidenceIn(
            facts=payload.facts, customer_statement=payload.customer_statement, photos=tuple(payload.photos)
        ),
    )
    return _out(complaint)


@router.post(
    "/complaints/{number}/committee/determination",
    response={200: CommitteeOut, **WRITE_ERRORS},
    summary="Record the committee's determination",
)
def determination(request: HttpRequest, number: str, payload: DeterminationIn) -> dict[str, Any]:
    """The convenor records the determination (a draft version of the decision: cause, shares
    adding up to exactly 100.00, remedies, money) and the repair/delivery memo; every member then
    answers it. 409 before the evidence memo or after every member agreed."""
    complaint = _complaint(request, number)
    services.record_determination(
        committee=_committee(complaint),
        by=request.auth,
        cause=payload.cause,
        shares=[ShareIn(**s.dict()) for s in payload.shares],
        remedies=[RemedyIn(**r.dict()) for r in payload.remedies],
        money=MoneyIn(**payload.money.dict()),
        delivery_memo=payload.delivery_memo,
    )
    return _out(complaint)


@router.post(
    "/complaints/{number}/committee/agreement",
    response={200: CommitteeOut, **WRITE_ERRORS},
    summary="Record a member's agreement",
)
def agreement(request: HttpRequest, number: str, payload: AgreementIn) -> dict[str, Any]:
    """A member agrees to the determination or not (``comment`` says why not). The last agreement
    completes the memo and sends the determination to approval by amount."""
    complaint = _complaint(request, number)
    services.record_agreement(
        committee=_committee(complaint), by=request.auth, agree=payload.agree, comment=payload.comment
    )
    return _out(complaint)
