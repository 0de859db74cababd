"""Ownership, hand-over, retention and destruction endpoints of /api/v1/ (issue 11 §3, §5). Each
parses, calls one service in kesu.archive.ownership or kesu.archive.retention and renders; errors
are mapped by kesu.api (422 with field errors, 403, 404, 409 for a valid registration held by
someone else or a destruction list in the wrong state)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status as Reply

from kesu.archive import ownership, retention, selectors, services
from kesu.archive.models import CustomerArchive
from kesu.archive.models_ownership import Handover, OwnershipDispute
from kesu.archive.models_retention import DestructionList, RecordClass, RetentionPeriod
from kesu.complaints.schemas import ErrorOut
from kesu.core import limits
from kesu.organization.models import Staff

router = Router(tags=["customer archive: ownership and retention"])

UNAUTHORIZED = {401: ErrorOut, 429: ErrorOut}
READ = {**UNAUTHORIZED, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE = {**READ, 409: ErrorOut}


# ---------------------------------------------------------------------------------------------
# Schemas


class StaffRef(Schema):
    username: str
    name: str


class OwnershipEventOut(Schema):
    kind: str
    at: datetime
    by: StaffRef
    from_staff: StaffRef | None
    to_staff: StaffRef | None
    reason: str
    data: dict[str, Any]


class DisputeOut(Schema):
    id: int
    number: str
    claimant: StaffRef
    owner: StaffRef
    reason: str
    status: str = Field(description='"open" or "decided".')
    decided_by: StaffRef | None
    decided_at: datetime | None
    winner: StaffRef | None
    decision: str


class OwnershipOut(Schema):
    number: str
    owner: StaffRef | None = Field(description="None: nobody has registered the customer.")
    department: str | None
    registered_at: datetime | None
    valid_until: date | None = Field(
        description="The registration lapses after this day (the rule book's months from the registration, "
        "its renewal or the owner's latest contact)."
    )
    valid: bool
    open_dispute: DisputeOut | None
    history: list[OwnershipEventOut]


class RegistrationIn(Schema):
    salesperson: str = Field(max_length=limits.USERNAME, description="The salesperson's username.")
    reason: str = Field("", max_length=limits.HANDLING_TEXT)


class CreditSplitIn(Schema):
    case: str = Field(max_length=40, description="A credit-split case code of the rule book.")
    other: str = Field(
        max_length=limits.USERNAME, description="The other salesperson (who received, closed or helped)."
    )
    reason: str = Field("", max_length=limits.HANDLING_TEXT)


class ShareOut(Schema):
    username: str
    name: str
    percent: int


class CreditSplitOut(Schema):
    case: str
    shares: list[ShareOut]


class ReasonIn(Schema):
    reason: str = Field(max_length=limits.HANDLING_TEXT)


class DecisionIn(Schema):
    winner: str = Field(max_length=limits.USERNAME, description="The owner's or the claimant's username.")
    reason: str = Field(max_length=limits.HANDLING_TEXT)


class CustomerToHandOver(Schema):
    number: str
    name: str


class HandoverListOut(Schema):
    leaver: StaffRef
    items: list[CustomerToHandOver]


class HandoverIn(Schema):
    leaver: str = Field(max_length=limits.USERNAME)
    successors: dict[str, str] = Field(
        default_factory=dict, description="Archive number → the successor's username."
    )
    draw_from: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="Usernames to draw a successor from at random for every customer not named in successors.",
    )
    reason: str = Field(max_length=limits.HANDLING_TEXT)


class HandoverItemOut(Schema):
    number: str
    successor: StaffRef
    customer_notified_at: datetime | None
    notified_by_email: bool
    acknowledged_at: datetime | None


class HandoverOut(Schema):
    id: int
    leaver: StaffRef
    by: StaffRef
    at: datetime
    reason: str
    items: list[HandoverItemOut]


class PeriodOut(Schema):
    record: str
    years: int | None = Field(description="None: kept long-term.")
    reviewer_role: str
    approver_role: str
    witness_required: bool
    source: str


class PeriodListOut(Schema):
    items: list[PeriodOut]


class DueOut(Schema):
    number: str
    kind: str
    last_activity: date
    due_on: date = Field(description="The last day of the retention period; destroyable from the day after.")


class DueListOut(Schema):
    items: list[DueOut]


class DestructionItemOut(Schema):
    number: str
    last_activity: date
    due_on: date
    destroyed_at: datetime | None
    kept: dict[str, Any]


class DestructionOut(Schema):
    id: int
    record: str
    status: str = Field(description='"proposed", "reviewed", "approved", "destroyed" or "rejected".')
    proposed_at: datetime
    proposed_by: StaffRef | None = Field(description="None: proposed by the worker.")
    reviewed_by: StaffRef | None
    reviewed_at: datetime | None
    approved_by: StaffRef | None
    approved_at: datetime | None
    destroyed_by: StaffRef | None
    witness: StaffRef | None
    destroyed_at: datetime | None
    note: str
    items: list[DestructionItemOut]


class DestructionListOut(Schema):
    items: list[DestructionOut]


class ProposalOut(Schema):
    destruction: DestructionOut | None = Field(description="None: nothing new is due.")


class StepIn(Schema):
    reject: bool = False
    note: str = Field("", max_length=limits.HANDLING_TEXT, description="Required when rejecting.")


class ExecutionIn(Schema):
    witness: str | None = Field(
        None, max_length=limits.USERNAME, description="The witness's username (监销人)."
    )


# ---------------------------------------------------------------------------------------------
# Rendering


def _ref(staff: Staff | None) -> dict[str, str] | None:
    return None if staff is None else {"username": staff.user.username, "name": staff.display_name}


def _staff_named(field: str, username: Any) -> Staff:
    found = (
        Staff.objects.select_related("user", "department").filter(user__username=username).first()
        if isinstance(username, str) and username and not limits.unstorable(username)
        else None
    )
    if found is None:
        raise ValidationError({field: [_unknown(username)]})
    return found


def _unknown(value: Any) -> str:
    return _("No staff member has this username: %(value)s") % {"value": str(value)[:60]}


def _archive(number: str, staff: Staff) -> CustomerArchive:
    customer = selectors.customer_by_number(number, staff=staff)
    if customer is None or getattr(customer, "archive", None) is None:
        raise Http404
    return customer.archive


def _dispute(d: OwnershipDispute) -> dict[str, Any]:
    return {
        "id": d.pk,
        "number": d.archive.number,
        "claimant": _ref(d.claimant),
        "owner": _ref(d.owner),
        "reason": d.reason,
        "status": d.status,
        "decided_by": _ref(d.decided_by),
        "decided_at": d.decided_at,
        "winner": _ref(d.winner),
        "decision": d.decision,
    }


def _ownership(archive: CustomerArchive) -> dict[str, Any]:
    current = ownership.standing(archive)
    dispute = (
        OwnershipDispute.objects.select_related("archive", "claimant__user", "owner__user")
        .filter(archive=archive, status=OwnershipDispute.Status.OPEN)
        .first()
    )
    return {
        "number": archive.number,
        "owner": _ref(current.ownership.owner) if current.ownership else None,
        "department": current.ownership.department.name if current.ownership else None,
        "registered_at": current.ownership.registered_at if current.ownership else None,
        "valid_until": current.valid_until,
        "valid": current.valid,
        "open_dispute": _dispute(dispute) if dispute else None,
        "history": [
            {
                "kind": e.kind,
                "at": e.at,
                "by": _ref(e.by),
                "from_staff": _ref(e.from_staff),
                "to_staff": _ref(e.to_staff),
                "reason": e.reason,
                "data": e.data,
            }
            for e in ownership.history(archive)
        ],
    }


def _handover(h: Handover) -> dict[str, Any]:
    return {
        "id": h.pk,
        "leaver": _ref(h.leaver),
        "by": _ref(h.by),
        "at": h.at,
        "reason": h.reason,
        "items": [
            {
                "number": i.archive.number,
                "successor": _ref(i.successor),
                "customer_notified_at": i.customer_notified_at,
                "notified_by_email": i.notified_by_email,
                "acknowledged_at": i.acknowledged_at,
            }
            for i in h.items.select_related("archive", "successor__user")
        ],
    }


def _destruction(d: DestructionList) -> dict[str, Any]:
    return {
        "id": d.pk,
        "record": d.record,
        "status": d.status,
        "proposed_at": d.proposed_at,
        "proposed_by": _ref(d.proposed_by),
        "reviewed_by": _ref(d.reviewed_by),
        "reviewed_at": d.reviewed_at,
        "approved_by": _ref(d.approved_by),
        "approved_at": d.approved_at,
        "destroyed_by": _ref(d.destroyed_by),
        "witness": _ref(d.witness),
        "destroyed_at": d.destroyed_at,
        "note": d.note,
        "items": [
            {
                "number": i.number,
                "last_activity": i.last_activity,
                "due_on": i.due_on,
                "destroyed_at": i.destroyed_at,
                "kept": i.kept,
            }
            for i in d.items.all()
        ],
    }


def _destruction_or_404(pk: int) -> DestructionList:
    found = DestructionList.objects.filter(pk=pk).first() if 0 < pk < 2**31 else None
    if found is None:
        raise Http404
    return found


def _require_retention_reader(staff: Staff) -> None:
    """The desk, the reviewer and the approver of the archive's period see the lists."""
    period = RetentionPeriod.for_record(RecordClass.ARCHIVE)
    if not (
        services.may_keep(staff) or services.roles_of(staff) & {period.reviewer_role, period.approver_role}
    ):
        raise retention.NotAllowed(
            _("Only the desk, the reviewer and the approver see the archives due for destruction.")
        )


# ---------------------------------------------------------------------------------------------
# Ownership


@router.get(
    "/customers/{number}/ownership", response={200: OwnershipOut, **READ}, summary="A customer's ownership"
)
def ownership_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    """The owner, their department, the registration and until when it holds, an open dispute and
    the ownership history (registrations, renewals, hand-overs, disputes, credit splits)."""
    return _ownership(_archive(number, request.auth))


@router.post(
    "/customers/{number}/ownership/registrations",
    response={201: OwnershipOut, **WRITE},
    summary="Register a salesperson as the customer's owner",
)
def ownership_register(request: HttpRequest, number: str, payload: RegistrationIn) -> Reply:
    """The first registration wins: 409 while another salesperson's registration is valid; the
    same salesperson renews; a lapsed registration is taken over."""
    staff: Staff = request.auth
    archive = _archive(number, staff)
    salesperson = _staff_named("salesperson", payload.salesperson)
    ownership.register(archive=archive, salesperson=salesperson, by=staff, reason=payload.reason)
    return Reply(201, _ownership(archive))


@router.post(
    "/customers/{number}/ownership/credit-splits",
    response={201: CreditSplitOut, **WRITE},
    summary="Record a deal's credit split by the rule book's case",
)
def ownership_credit_split(request: HttpRequest, number: str, payload: CreditSplitIn) -> Reply:
    staff: Staff = request.auth
    archive = _archive(number, staff)
    other = _staff_named("other", payload.other)
    shares = ownership.record_credit_split(
        archive=archive, case=payload.case, other=other, by=staff, reason=payload.reason
    )
    return Reply(
        201,
        {
            "case": payload.case,
            "shares": [
                {"username": s.staff.user.username, "name": s.staff.display_name, "percent": s.percent}
                for s in shares
            ],
        },
    )


@router.post(
    "/customers/{number}/ownership/disputes",
    response={201: DisputeOut, **WRITE},
    summary="Dispute the ownership",
)
def ownership_dispute(request: HttpRequest, number: str, payload: ReasonIn) -> Reply:
    """The caller claims the customer; the head of the owner's department is told and decides."""
    staff: Staff = request.auth
    dispute = ownership.open_dispute(archive=_archive(number, staff), by=staff, reason=payload.reason)
    return Reply(201, _dispute(dispute))


@router.post(
    "/ownership-disputes/{dispute_id}/decision",
    response={200: DisputeOut, **WRITE},
    summary="Decide a dispute",
)
def ownership_decide(request: HttpRequest, dispute_id: int, payload: DecisionIn) -> dict[str, Any]:
    """The sales manager (head of the owner's department) or the leadership; the winner owns the customer."""
    staff: Staff = request.auth
    dispute = (
        OwnershipDispute.objects.select_related("archive").filter(pk=dispute_id).first()
        if 0 < dispute_id < 2**31
        else None
    )
    if dispute is None or selectors.customer_by_number(dispute.archive.number, staff=staff) is None:
        raise Http404
    winner = _staff_named("winner", payload.winner)
    return _dispute(ownership.decide_dispute(dispute=dispute, by=staff, winner=winner, reason=payload.reason))


# ---------------------------------------------------------------------------------------------
# Hand-over


def _may_see_handover_of(staff: Staff, leaver: Staff) -> None:
    if staff.pk != leaver.pk and not ownership.may_hand_over(staff, leaver):
        raise ownership.NotAllowed(
            _("Only the leaving person, their manager or the leadership see this list.")
        )


@router.get(
    "/archive-handovers/pending/{username}",
    response={200: HandoverListOut, **READ},
    summary="The customers a leaving salesperson must hand over",
)
def handover_pending(request: HttpRequest, username: str) -> dict[str, Any]:
    staff: Staff = request.auth
    leaver = (
        Staff.objects.select_related("user").filter(user__username=username).first()
        if len(username) <= limits.USERNAME and not limits.unstorable(username)
        else None
    )
    if leaver is None:
        raise Http404
    _may_see_handover_of(staff, leaver)
    return {
        "leaver": _ref(leaver),
        "items": [{"number": a.number, "name": a.customer.name} for a in ownership.archives_of(leaver)],
    }


@router.post(
    "/archive-handovers", response={201: HandoverOut, **WRITE}, summary="Hand a leaver's customers over"
)
def handover_create(request: HttpRequest, payload: HandoverIn) -> Reply:
    """Every customer of ``leaver`` goes to a successor: named per archive number, or drawn at
    random from ``draw_from``; the customers are told, the successors notified."""
    staff: Staff = request.auth
    leaver = _staff_named("leaver", payload.leaver)
    errors: dict[str, list[str]] = {}
    successors: dict[str, Staff] = {}
    for number, username in payload.successors.items():
        try:
            successors[number] = _staff_named(f"successors.{number[:40]}", username)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    pool: list[Staff] = []
    for username in payload.draw_from:
        try:
            pool.append(_staff_named("draw_from", username))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    handover = ownership.hand_over(
        leaver=leaver, by=staff, successors=successors, draw_from=pool or None, reason=payload.reason
    )
    return Reply(201, _handover(handover))


def _handover_or_404(pk: int, staff: Staff) -> Handover:
    found = (
        Handover.objects.select_related("leaver__user", "by__user").filter(pk=pk).first()
        if 0 < pk < 2**31
        else None
    )
    if found is None:
        raise Http404
    if found.items.filter(successor=staff).exists():
        return found
    _may_see_handover_of(staff, found.leaver)
    return found


@router.get("/archive-handovers/{handover_id}", response={200: HandoverOut, **READ}, summary="A hand-over")
def handover_detail(request: HttpRequest, handover_id: int) -> dict[str, Any]:
    return _handover(_handover_or_404(handover_id, request.auth))


@router.post(
    "/archive-handovers/{handover_id}/acknowledgement",
    response={200: HandoverOut, **WRITE},
    summary="A successor acknowledges the customers handed to them",
)
def handover_acknowledge(request: HttpRequest, handover_id: int) -> dict[str, Any]:
    staff: Staff = request.auth
    handover = _handover_or_404(handover_id, staff)
    ownership.acknowledge(handover=handover, by=staff)
    return _handover(handover)


# ---------------------------------------------------------------------------------------------
# Retention and destruction


@router.get("/archive-retention/periods", response={200: PeriodListOut, **READ}, summary="Retention periods")
def retention_periods(request: HttpRequest) -> dict[str, Any]:
    return {
        "items": [
            {
                "record": p.record,
                "years": p.years,
                "reviewer_role": p.reviewer_role,
                "approver_role": p.approver_role,
                "witness_required": p.witness_required,
                "source": p.source,
            }
            for p in retention.periods()
        ]
    }


@router.get(
    "/archive-retention/due", response={200: DueListOut, **READ}, summary="Archives due for destruction"
)
def retention_due(request: HttpRequest) -> dict[str, Any]:
    _require_retention_reader(request.auth)
    return {
        "items": [
            {"number": a.number, "kind": a.kind, "last_activity": a.last_activity_on, "due_on": a.due_on}
            for a in retention.due(limit=500)
        ]
    }


@router.get("/archive-destructions", response={200: DestructionListOut, **READ}, summary="Destruction lists")
def destruction_list(request: HttpRequest) -> dict[str, Any]:
    _require_retention_reader(request.auth)
    return {"items": [_destruction(d) for d in retention.lists()]}


@router.post(
    "/archive-destructions",
    response={200: ProposalOut, 201: ProposalOut, **WRITE},
    summary="Propose the due archives",
)
def destruction_propose(request: HttpRequest) -> Reply:
    """What the worker does every day: the due archives not yet on an open list go on a new one
    (201); 200 with ``destruction: null`` when nothing new is due."""
    destruction = retention.propose(by=request.auth)
    if destruction is None:
        return Reply(200, {"destruction": None})
    return Reply(201, {"destruction": _destruction(destruction)})


@router.get(
    "/archive-destructions/{destruction_id}",
    response={200: DestructionOut, **READ},
    summary="A destruction record",
)
def destruction_detail(request: HttpRequest, destruction_id: int) -> dict[str, Any]:
    _require_retention_reader(request.auth)
    return _destruction(_destruction_or_404(destruction_id))


@router.post(
    "/archive-destructions/{destruction_id}/review",
    response={200: DestructionOut, **WRITE},
    summary="The responsible manager reviews (or rejects)",
)
def destruction_review(request: HttpRequest, destruction_id: int, payload: StepIn) -> dict[str, Any]:
    destruction = retention.review(
        destruction=_destruction_or_404(destruction_id),
        by=request.auth,
        note=payload.note,
        reject=payload.reject,
    )
    return _destruction(destruction)


@router.post(
    "/archive-destructions/{destruction_id}/approval",
    response={200: DestructionOut, **WRITE},
    summary="The general manager approves (or rejects)",
)
def destruction_approve(request: HttpRequest, destruction_id: int, payload: StepIn) -> dict[str, Any]:
    destruction = retention.approve(
        destruction=_destruction_or_404(destruction_id),
        by=request.auth,
        note=payload.note,
        reject=payload.reject,
    )
    return _destruction(destruction)


@router.post(
    "/archive-destructions/{destruction_id}/execution",
    response={200: DestructionOut, **WRITE},
    summary="Destroy an approved list's archives",
)
def destruction_execute(request: HttpRequest, destruction_id: int, payload: ExecutionIn) -> dict[str, Any]:
    """Removes each archive's personal data and completes the destruction record; 403 without
    the general manager's approval."""
    destruction = _destruction_or_404(destruction_id)
    witness = _staff_named("witness", payload.witness) if payload.witness else None
    result = retention.destroy(destruction=destruction, by=request.auth, witness=witness)
    return _destruction(result.destruction)
