"""The complaints endpoints of /api/v1/. Each one parses, calls one service or selector, renders.

Errors are raised, not returned: kesu.api maps Django's ValidationError to 422 with messages per
field and every KesuError to its status (403 not allowed, 409 stale version, 422 key conflict).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Header, Query, Router
from ninja.responses import Status as Reply

from kesu.complaints import actions, registry, selectors, services, workflow
from kesu.complaints.intake import parse_intake
from kesu.complaints.models import (
    TERMINAL_STATUSES,
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    Satisfaction,
    Severity,
    Status,
    TransferSlip,
)
from kesu.complaints.procedures import carry_rules, rules_by_class
from kesu.complaints.schemas import (
    MAX_INT,
    ActionIn,
    ActionNotAllowedOut,
    ComplaintCreatedOut,
    ComplaintIn,
    ComplaintListParams,
    ComplaintOut,
    ComplaintPageOut,
    ErrorOut,
    ReferenceOut,
    StaleVersionOut,
)
from kesu.core import limits
from kesu.core.paging import COUNT_CAP, capped_count
from kesu.organization.models import Department, Position, Staff
from kesu.organization.selectors import capacities_of

router = Router(tags=["complaints"])

LIST_COUNT_CAP = COUNT_CAP  # the list counts at most this many rows (count_capped beyond)

UNAUTHORIZED = {401: ErrorOut, 429: ErrorOut}  # 429: too many failed token authentications
FORBIDDEN = {403: ActionNotAllowedOut | ErrorOut}  # ErrorOut: a session write without CSRF token
NOT_FOUND = {404: ErrorOut}
INVALID = {422: ErrorOut}


# ---------------------------------------------------------------------------------------------
# Rendering


def _staff(staff: Staff | None) -> dict[str, str] | None:
    if staff is None:
        return None
    return {"username": staff.user.get_username(), "name": staff.display_name}


def _code_name(obj: Any) -> dict[str, str] | None:
    return None if obj is None else {"code": obj.code, "name": obj.name}


def _summary(c: Complaint, next_due: datetime | None) -> dict[str, Any]:
    """The list row: only what complaints_visible_to already joins (no query per row)."""
    return {
        "number": c.number,
        "status": c.status,
        "status_label": c.get_status_display(),
        "version": c.version,
        "is_open": c.is_open,
        "channel": c.channel,
        "received_at": c.received_at,
        "registered_at": c.registered_at,
        "complainant_name": c.complainant_name,
        "customer": _code_name(c.customer),
        "category": _code_name(c.category),
        "severity": _code_name(c.severity),
        "handling_department": _code_name(c.handling_department),
        "closed_at": c.closed_at,
        "updated_at": c.updated_at,
        "next_due_at": next_due,
    }


def _event(e: ComplaintEvent) -> dict[str, Any]:
    return {
        "action": e.action,
        "at": e.at,
        "actor": _staff(e.actor),
        "acting_for": _staff(e.acting_for),
        "from_status": e.from_status,
        "to_status": e.to_status,
        "comment": e.comment,
        "data": e.data,
    }


def _slip(s: TransferSlip) -> dict[str, Any]:
    return {
        "state": s.state,
        "to_department": _code_name(s.to_department),
        "to_position": s.to_position.name if s.to_position else None,
        "reason": s.reason,
        "proposed_by": _staff(s.proposed_by),
        "proposed_at": s.proposed_at,
        "approved_by": _staff(s.approved_by),
        "approved_at": s.approved_at,
        "received_by": _staff(s.received_by),
        "received_at": s.received_at,
    }


def _registered(c: Complaint, next_due: datetime | None, accused: list[Staff]) -> dict[str, Any]:
    """The registered facts: what a 201 returns, built from objects already in hand."""
    return {
        **_summary(c, next_due),
        "complainant_phone": c.complainant_phone,
        "complainant_address": c.complainant_address,
        "product": c.product.model_code if c.product else None,
        "product_model": c.product_model,
        "batch_number": c.batch_number,
        "order_number": c.order_number,
        "shipped_on": c.shipped_on,
        "arrived_on": c.arrived_on,
        "quantity": c.quantity,
        "defective_quantity": c.defective_quantity,
        "description": c.description,
        "requested_remedy": c.requested_remedy,
        "registered_by": _staff(c.registered_by),
        "accused_staff": [_staff(s) for s in accused],
        "parent": c.parent.number if c.parent else None,
    }


def _named(*people: str) -> list[str]:
    """The columns ``_staff`` reads of each person: an answer names people by username and name,
    and reading their whole rows (and their users') cost most of an action's answer, which
    repeats every person of the timeline and the transfer slips."""
    return [f"{p}__{field}" for p in people for field in ("display_name", "user__username")]


_COMPLAINT_FIELDS = [f.name for f in Complaint._meta.concrete_fields]


def _detail(complaint: Complaint, staff: Staff) -> dict[str, Any]:
    """The complaint as its page shows it, with what the caller may do next."""
    c = (
        Complaint.objects.select_related(
            "category",
            "severity",
            "customer",
            "product",
            "handling_department",
            "registered_by__user",
            "handler__user",
            "parent",
        )
        .only(*_COMPLAINT_FIELDS, *_named("registered_by", "handler"), "parent__number")
        .get(pk=complaint.pk)
    )
    carry_rules(from_complaint=complaint, to_complaint=c)  # read by the action just taken, if any
    workflow.carry_accused(from_complaint=complaint, to_complaint=c)
    # Most complaints accuse nobody: their people are read only when there are some.
    accused_ids = workflow.accused_ids(c)
    accused = (
        list(
            Staff.objects.filter(pk__in=accused_ids)
            .select_related("user")
            .only("display_name", "department__code", "user__username")
        )
        if accused_ids
        else []
    )
    events = (
        selectors.timeline(c)
        .select_related("actor__user", "acting_for__user")
        .only(
            "complaint_id",
            "action",
            "at",
            "from_status",
            "to_status",
            "comment",
            "data",
            *_named("actor", "acting_for"),
        )
    )
    slips = c.transfer_slips.select_related(
        "to_department", "to_position", "proposed_by__user", "approved_by__user", "received_by__user"
    ).only(
        "complaint_id",
        "state",
        "reason",
        "proposed_at",
        "approved_at",
        "received_at",
        "to_department__code",
        "to_department__name",
        "to_position__name",
        *_named("proposed_by", "approved_by", "received_by"),
    )
    attachments = c.attachments.select_related("uploaded_by__user").only(
        "complaint_id", "original_name", "content_type", "size", "uploaded_at", *_named("uploaded_by")
    )
    return {
        **_registered(c, c.next_due_at, accused),
        "handler": _staff(c.handler),
        "resolution": c.resolution,
        "reply": c.reply,
        "satisfaction": c.satisfaction or None,
        "secondary_complaints": list(c.secondary_complaints.order_by("-pk").values_list("number", flat=True)),
        "timeline": [_event(e) for e in events],
        "transfer_slips": [_slip(s) for s in slips],
        "attachments": [
            {
                "id": a.pk,
                "original_name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "uploaded_by": _staff(a.uploaded_by),
                "uploaded_at": a.uploaded_at,
            }
            for a in attachments
        ],
        "allowed_actions": workflow.allowed_actions(complaint=c, capacities=capacities_of(staff=staff)),
        "recusal": [
            {
                "role": s.role,
                "recused": [_staff(p) for p in s.recused],
                "substitutes": [_staff(p) for p in s.substitutes],
                "blocked_actions": list(s.blocked),
                "notice": s.notice,
            }
            for s in workflow.stand_ins(c)
        ],
        **{name: f.read(c) for name, f in registry.DETAIL_FIELDS.items()},  # e.g. its time limits
    }


# ---------------------------------------------------------------------------------------------
# Parsing


def _intake(payload: ComplaintIn) -> tuple[services.Intake, list[Staff]]:
    """The payload's codes and usernames → records (the one intake parser); every unknown one is
    a field error."""
    return parse_intake(payload.model_dump())


def request_digest(payload: ComplaintIn) -> str:
    """SHA-256 of the request as validated, in canonical JSON (sorted keys, no spaces), so key
    order, whitespace and omitted defaults do not make a retry look different."""
    canonical = json.dumps(
        payload.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _department_id(value: str) -> int | None:
    """A department filter given as id or code; None if there is no such department."""
    if value.isascii() and value.isdigit():
        return int(value) if 0 < int(value) <= MAX_INT else None
    return Department.objects.filter(code=value).values_list("pk", flat=True).first()


def _visible_or_404(staff: Staff, number: str, *, related: bool = True) -> Complaint:
    complaint = selectors.complaint_visible_to(staff=staff, number=number, related=related)
    if complaint is None:
        raise Http404(number)
    return complaint


# ---------------------------------------------------------------------------------------------
# Endpoints


@router.post(
    "/complaints",
    response={201: ComplaintCreatedOut, **FORBIDDEN, **UNAUTHORIZED, **INVALID},
    summary="Register a complaint",
)
def register(
    request: HttpRequest,
    response: HttpResponse,
    payload: ComplaintIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        max_length=limits.IDEMPOTENCY_KEY,
        description="Retrying with the same key and body returns the first complaint (201, "
        "header Idempotent-Replayed: true) instead of registering a second one; the same key "
        "with a different body is 422.",
    ),
) -> Reply:
    """Register a complaint at the one window (the caller must be a desk clerk or the CS director).
    With a class it is classified at once. Returns the registered complaint with its number and
    status; its timeline, time limits and allowed actions are at the Location (GET)."""
    staff: Staff = request.auth
    intake, accused = _intake(payload)
    if idempotency_key:
        complaint, created = services.register_complaint_idempotently(
            by=staff,
            intake=intake,
            accused_staff=accused,
            key=idempotency_key,
            request_digest=request_digest(payload),
        )
        if not created:
            response["Idempotent-Replayed"] = "true"
            accused = list(complaint.accused_staff.all())
    else:
        complaint = services.register_complaint(by=staff, intake=intake, accused_staff=accused)
    response["Location"] = f"{request.path.rstrip('/')}/{complaint.number}"
    # The registered facts only: the timeline, time limits and next actions are one GET away
    # (Location). Re-reading them here would cost more than the registration itself.
    return Reply(201, _registered(complaint, complaint.next_due_at, accused))


@router.get("/complaints", response={200: ComplaintPageOut, **UNAUTHORIZED, **INVALID}, summary="List")
def list_complaints(request: HttpRequest, params: Query[ComplaintListParams]) -> dict[str, Any]:
    """The complaints the caller may see, newest first, filtered and searched."""
    staff: Staff = request.auth
    department = _department_id(params.department) if params.department else None
    filters = selectors.ComplaintFilters(
        status=params.status,
        category=params.category,
        severity=params.severity,
        department=department,
        received_from=params.received_from,
        received_to=params.received_to,
        q=params.q,
        open_only=params.open_only,
        extra={name: getattr(params, name) or "" for name in registry.FILTERS},
    )
    queryset = selectors.complaints_visible_to(staff=staff, filters=filters)
    if params.department and department is None:
        queryset = queryset.none()  # an unknown department has no complaints
    rows = list(queryset[params.offset : params.offset + params.limit + 1])
    count = capped_count(queryset, cap=LIST_COUNT_CAP)
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    return {
        "items": [_summary(c, c.next_due_at) for c in rows],
        "count": count.value,
        "count_capped": not count.exact,
        "next_offset": params.offset + params.limit if more else None,
    }


@router.get("/complaints/{number}", response={200: ComplaintOut, **UNAUTHORIZED, **NOT_FOUND}, summary="Show")
def show(request: HttpRequest, number: str) -> dict[str, Any]:
    """One complaint with its timeline, transfer slips, attachments and the caller's allowed actions.
    404 also when the caller may not see it."""
    staff: Staff = request.auth
    return _detail(_visible_or_404(staff, number), staff)


@router.post(
    "/complaints/{number}/actions",
    response={
        200: ComplaintOut,
        201: ComplaintOut,
        **FORBIDDEN,
        409: StaleVersionOut,
        **UNAUTHORIZED,
        **NOT_FOUND,
        **INVALID,
    },
    summary="Take an action",
)
def act(request: HttpRequest, number: str, payload: ActionIn) -> Reply:
    """Take a lifecycle action. 200 with the complaint after it; ``file_secondary`` is 201 with the
    new secondary complaint. 403 names the actions allowed now; 409 if ``version`` is stale."""
    staff: Staff = request.auth
    complaint = _visible_or_404(staff, number, related=False)  # the action locks and reads it again
    try:
        result = actions.perform_action(
            complaint=complaint,
            action=payload.action,
            by=staff,
            inputs=payload.inputs.model_dump(exclude_unset=True),
            version=payload.version,
        )
    except ValidationError as exc:
        # The inputs' errors by their path in the body, as the schema's own errors are named.
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {
                (name if name == NON_FIELD_ERRORS else f"inputs.{name}"): msgs
                for name, msgs in exc.message_dict.items()
            }
        ) from None
    return Reply(201 if result.pk != complaint.pk else 200, _detail(result, staff))


@router.get("/reference", response={200: ReferenceOut, **UNAUTHORIZED}, summary="Reference data")
def reference(request: HttpRequest) -> dict[str, Any]:
    """Everything a client needs to build forms: classes, severities, channels, statuses,
    departments, positions, and every action with its inputs."""
    procedures = rules_by_class()
    return {
        "classes": [
            {
                "code": c.code,
                "name": c.name,
                "name_en": c.name_en,
                "parent": c.parent.code if c.parent else None,
                # What the class's procedure lists (kesu.complaints.procedures)
                "can_answer_on_spot": procedures[c.pk].lists("answer_on_spot"),
                "transfer_requires_approval": procedures[c.pk].requires("approve_transfer"),
            }
            for c in Category.objects.filter(is_active=True).select_related("parent")
        ],
        "severities": [
            {"code": s.code, "name": s.name, "name_en": s.name_en, "rank": s.rank, "is_default": s.is_default}
            for s in Severity.objects.all()
        ],
        "channels": [{"value": v, "label": str(label)} for v, label in Channel.choices],
        "statuses": [
            {"value": v, "label": str(label), "terminal": v in TERMINAL_STATUSES}
            for v, label in Status.choices
        ],
        "satisfaction": [{"value": v, "label": str(label)} for v, label in Satisfaction.choices],
        "departments": [
            {"id": d.pk, "code": d.code, "name": d.name, "parent": d.parent.code if d.parent else None}
            for d in Department.objects.select_related("parent")
        ],
        "positions": [
            {"id": p.pk, "name": p.name, "department": p.department.code}
            for p in Position.objects.select_related("department")
        ],
        "actions": [
            {
                "name": a.name,
                "label": str(a.label),
                "needs_comment": a.needs_comment,
                "inputs": [
                    {"name": f.name, "kind": f.kind, "required": f.required, "max_length": f.max_length}
                    for f in actions.ACTION_INPUTS[a.name]
                ],
            }
            for a in workflow.ACTIONS.values()
        ],
    }
