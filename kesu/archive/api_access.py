"""Endpoints of /api/v1/ for approved access to archives, lending (借阅) and corrections of wrong
customer data (seed 001 #4). Each parses, calls one service in kesu.archive.access or
kesu.archive.corrections and renders; 403 when the caller may not take the step, 409 when the
request is not at that step, 422 by field for bad input, 404 for an unknown request."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status as Reply

from kesu.archive import access, corrections, secrecy, selectors
from kesu.archive.access_models import AccessKind, AccessRequest, CorrectionRequest
from kesu.complaints.schemas import ErrorOut
from kesu.core import limits
from kesu.organization.models import Staff

router = Router(tags=["customer archive: access, lending, corrections"])

UNAUTHORIZED = {401: ErrorOut, 429: ErrorOut}
WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, **UNAUTHORIZED}


class AccessRequestIn(Schema):
    archive: str = Field(max_length=40, description="The archive number.")
    kind: AccessKind = Field(description='"read" (查阅) or "lend" (借阅).')
    reason: str = Field(max_length=limits.HANDLING_TEXT)


class AccessRequestOut(Schema):
    id: int
    archive: str
    kind: str
    status: str = Field(description="review, approval, approved, lent, returned, refused or expired.")
    requested_by: str
    requested_at: datetime
    reason: str
    own_department: bool
    reviewed_by: str | None
    decided_by: str | None
    note: str
    valid_until: datetime | None = Field(description="An approved access ends then.")
    lent_at: datetime | None
    due_back: date | None
    returned_at: datetime | None


class AccessRequestListOut(Schema):
    mine: list[AccessRequestOut]
    waiting_for_me: list[AccessRequestOut]


class DecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=limits.HANDLING_TEXT, description="Required to refuse.")


class LendIn(Schema):
    due_back: date | None = Field(None, description="Default: the latest the rule book allows.")


class CorrectionIn(Schema):
    changes: dict[str, Any] = Field(
        description="Field → corrected value: name, phone, address, contact_name and profile.<code>."
    )
    plan: str = Field(max_length=limits.HANDLING_TEXT, description="The remedy plan (补救处理方案).")


class CorrectionStepOut(Schema):
    action: str
    by: str
    at: datetime
    note: str


class CorrectionOut(Schema):
    id: int
    archive: str
    status: str
    changes: dict[str, Any]
    plan: str
    drafted_by: str
    feedback: str
    report: str
    steps: list[CorrectionStepOut]


class CorrectionListOut(Schema):
    items: list[CorrectionOut]


class StepIn(Schema):
    approve: bool = Field(True, description="False refuses (review and approval steps only).")
    note: str = Field(
        "", max_length=limits.HANDLING_TEXT, description="A refusal's reason, the feedback, or the report."
    )


def _name(staff: Staff | None) -> str | None:
    return staff.display_name if staff is not None else None


def _request(r: AccessRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "archive": r.archive.number,
        "kind": r.kind,
        "status": r.status,
        "requested_by": r.requested_by.display_name,
        "requested_at": r.requested_at,
        "reason": r.reason,
        "own_department": r.own_department,
        "reviewed_by": _name(r.reviewed_by),
        "decided_by": _name(r.decided_by),
        "note": r.note,
        "valid_until": r.valid_until,
        "lent_at": r.lent_at,
        "due_back": r.due_back,
        "returned_at": r.returned_at,
    }


def _correction(c: CorrectionRequest) -> dict[str, Any]:
    return {
        "id": c.pk,
        "archive": c.archive.number,
        "status": c.status,
        "changes": c.changes,
        "plan": c.plan,
        "drafted_by": c.drafted_by.display_name,
        "feedback": c.feedback,
        "report": c.report,
        "steps": [
            {"action": s.action, "by": s.by.display_name, "at": s.at, "note": s.note} for s in c.steps.all()
        ],
    }


def _access_request(pk: int, staff: Staff) -> AccessRequest:
    """A request its requester, a keeper and the managers see (a manager without authority for it
    is told who decides: 403); 404 for anyone else."""
    found = (
        AccessRequest.objects.select_related("archive", "requested_by", "reviewed_by", "decided_by")
        .filter(pk=pk)
        .first()
        if 0 < pk < 2**63
        else None
    )
    if found is None or not (
        found.requested_by_id == staff.pk
        or access.may_keep_register(staff)
        or secrecy.roles(staff) & (access.MANAGERS | secrecy.LEADERSHIP)
    ):
        raise Http404(str(pk))
    return found


@router.post(
    "/archive-access-requests",
    response={201: AccessRequestOut, **WRITE},
    summary="Ask to read or borrow an archive",
)
def access_request_create(request: HttpRequest, payload: AccessRequestIn) -> Reply:
    """Reading (查阅) is asked for a classified archive one may not know (an open archive, one's own
    department's included, is read without a request: 422); lending (借阅) for any archive."""
    staff: Staff = request.auth
    archive = access.archive_by_number(payload.archive)
    created = access.request_access(archive=archive, by=staff, kind=payload.kind, reason=payload.reason)
    return Reply(201, _request(created))


@router.get(
    "/archive-access-requests",
    response={200: AccessRequestListOut, **UNAUTHORIZED},
    summary="My access requests and those waiting for my decision",
)
def access_request_list(request: HttpRequest) -> dict[str, Any]:
    staff: Staff = request.auth
    return {
        "mine": [_request(r) for r in access.requests_of(staff)],
        "waiting_for_me": [_request(r) for r in access.waiting_for(staff)],
    }


@router.post(
    "/archive-access-requests/{request_id}/decision",
    response={200: AccessRequestOut, **WRITE},
    summary="Review or approve an access or lending request",
)
def access_request_decide(request: HttpRequest, request_id: int, payload: DecisionIn) -> dict[str, Any]:
    """The rule book's approver decides (seed 002 1.5: own department the department manager,
    another the general manager; seed 001 #6 3.2.7: lending reviewed by the department head,
    approved by the general manager). Refusing needs a note."""
    staff: Staff = request.auth
    found = _access_request(request_id, staff)
    return _request(access.decide(request=found, by=staff, approve=payload.approve, note=payload.note))


@router.post(
    "/archive-access-requests/{request_id}/lent",
    response={200: AccessRequestOut, **WRITE},
    summary="Register an approved loan as lent out",
)
def access_request_lend(request: HttpRequest, request_id: int, payload: LendIn) -> dict[str, Any]:
    staff: Staff = request.auth
    found = _access_request(request_id, staff)
    return _request(access.lend(request=found, by=staff, due_back=payload.due_back))


@router.post(
    "/archive-access-requests/{request_id}/returned",
    response={200: AccessRequestOut, **WRITE},
    summary="Register a lent archive as returned",
)
def access_request_return(request: HttpRequest, request_id: int) -> dict[str, Any]:
    staff: Staff = request.auth
    found = _access_request(request_id, staff)
    return _request(access.return_archive(request=found, by=staff))


def _archive_or_404(number: str, staff: Staff) -> Any:
    from kesu.archive import services

    customer = selectors.customer_by_number(number, staff=staff)
    if customer is None:
        raise Http404(number)
    return services.archive_for(customer, by=staff)


@router.post(
    "/customers/{number}/correction-requests",
    response={201: CorrectionOut, **WRITE},
    summary="Draft a correction of wrong customer data",
)
def correction_create(request: HttpRequest, number: str, payload: CorrectionIn) -> Reply:
    """Seed 001 #4: the desk drafts the remedy plan with the changes; nothing is changed until the
    approved plan is executed."""
    staff: Staff = request.auth
    archive = _archive_or_404(number, staff)
    created = corrections.draft(archive=archive, by=staff, changes=payload.changes, plan=payload.plan)
    return Reply(201, _correction(created))


@router.get(
    "/customers/{number}/correction-requests",
    response={200: CorrectionListOut, 404: ErrorOut, **UNAUTHORIZED},
    summary="The corrections of a customer's archive",
)
def correction_list(request: HttpRequest, number: str) -> dict[str, Any]:
    staff: Staff = request.auth
    archive = _archive_or_404(number, staff)
    return {"items": [_correction(c) for c in corrections.of_archive(archive)]}


@router.post(
    "/correction-requests/{correction_id}/steps",
    response={200: CorrectionOut, **WRITE},
    summary="Take a correction's next step",
)
def correction_step(request: HttpRequest, correction_id: int, payload: StepIn) -> dict[str, Any]:
    """Review (CS manager), approve (general manager), execute (the desk: the changes are written,
    ``note`` the departments' feedback), report (the desk: ``note`` the report), review and approve
    the report — then it is archived. ``approve`` false refuses, with a note."""
    staff: Staff = request.auth
    found = (
        CorrectionRequest.objects.select_related("archive", "drafted_by").filter(pk=correction_id).first()
        if 0 < correction_id < 2**63
        else None
    )
    if found is None or selectors.customer_by_number(found.archive.number, staff=staff) is None:
        raise Http404(str(correction_id))
    done = corrections.advance(correction=found, by=staff, approve=payload.approve, note=payload.note)
    return _correction(done)
