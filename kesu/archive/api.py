"""The customer-archive endpoints of /api/v1/ (客户档案). Each parses, calls one service or
selector and renders; errors are raised and mapped by kesu.api (422 with field errors, 403 when
the caller may not change the archive, 404 for an unknown customer)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as Reply

from kesu.archive import secrecy, selectors, services
from kesu.archive.models import (
    ArchiveChange,
    Confidentiality,
    ContactKind,
    CustomerArchive,
    CustomerKind,
    ProfileField,
    ReadAudit,
)
from kesu.complaints.schemas import ErrorOut
from kesu.core import limits
from kesu.customers.models import Customer
from kesu.organization.models import Staff

router = Router(tags=["customer archive"])

UNAUTHORIZED = {401: ErrorOut, 429: ErrorOut}
FORBIDDEN = {403: ErrorOut}
NOT_FOUND = {404: ErrorOut}
INVALID = {422: ErrorOut}
READ = {**UNAUTHORIZED, **NOT_FOUND, **INVALID}
WRITE = {**FORBIDDEN, **UNAUTHORIZED, **NOT_FOUND, **INVALID}


class CustomerBriefOut(Schema):
    number: str | None = Field(description="The archive number (None before the customer's archive exists).")
    code: str
    name: str
    kind: str
    phone: str
    contact_name: str


class ContactOut(Schema):
    name: str
    title: str
    phone: str
    email: str
    is_primary: bool


class ContactLogOut(Schema):
    id: int
    kind: str
    at: datetime
    staff: str
    summary: str
    complaint_number: str


class ComplaintBriefOut(Schema):
    number: str
    status: str
    registered_at: datetime
    complainant_name: str


class ChangeOut(Schema):
    field: str
    old: Any = None
    new: Any = None
    by: str
    at: datetime
    reason: str


class CustomerOut(Schema):
    number: str
    code: str
    name: str
    kind: str
    phone: str
    address: str
    contact_name: str
    profile: dict[str, Any] = Field(
        description="Profile field code → value, as the rule book defines them (GET /customer-profile-fields)."
    )
    confidentiality: str = Field(
        description='"", "secret" (秘密), "confidential" (机密) or "top_secret" (绝密).'
    )
    masked: bool = Field(
        description="Personal data (phone, address, e-mail, personal profile fields) is masked."
    )
    customer_class: str | None
    grade: str | None
    credit_class: str | None
    credit_limit: Decimal | None
    registration_due: date | None
    registered_at: datetime | None
    contacts: list[ContactOut]
    open_complaints: list[ComplaintBriefOut]
    past_complaints: list[ComplaintBriefOut]
    last_contacts: list[ContactLogOut]


class CustomerListOut(Schema):
    items: list[CustomerBriefOut]


class ProfileFieldOut(Schema):
    kind: str
    code: str
    label: str
    group: str
    type: str
    choices: list[str]
    required: bool
    max_length: int
    source: str


class ProfileFieldListOut(Schema):
    items: list[ProfileFieldOut]


class CustomerIn(Schema):
    name: str = Field(
        max_length=limits.CUSTOMER_NAME, description="The customer's (company's or person's) name."
    )
    kind: CustomerKind = CustomerKind.COMPANY
    phone: str = Field("", max_length=limits.PHONE)
    address: str = Field("", max_length=limits.ADDRESS)
    contact_name: str = Field("", max_length=limits.PERSON_NAME)
    profile: dict[str, Any] = Field(
        default_factory=dict,
        description="Profile field code → value; only the codes the rule book defines (GET /customer-profile-fields) are accepted.",
    )
    complete: bool = Field(
        False, description="The archive is complete now (every required profile field given)."
    )


class ContactLogIn(Schema):
    kind: ContactKind
    summary: str = Field(max_length=limits.CONTACT_SUMMARY)
    at: datetime | None = Field(None, description="When (default: now); not in the future.")
    complaint_number: str = Field("", max_length=40)


class ChangesIn(Schema):
    changes: dict[str, Any] = Field(
        description="Field → new value. Corrections: name, phone, address, contact_name and profile.<code>; "
        "classification: customer_class, grade, credit_class (codes) and credit_limit (CNY)."
    )
    reason: str = Field(max_length=limits.HANDLING_TEXT)


class ChangeListOut(Schema):
    items: list[ChangeOut]


class TimelineItemOut(Schema):
    at: datetime
    kind: str
    complaint: ComplaintBriefOut | None = None
    contact: ContactLogOut | None = None
    change: ChangeOut | None = None


class TimelineOut(Schema):
    items: list[TimelineItemOut]


class DuplicatesOut(Schema):
    window_days: int
    source: str
    items: list[ComplaintBriefOut]


def _address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or ""


def _shown(value: str, show: bool) -> str:
    return value if show else secrecy.mask(value)


def _brief(customer: Customer, show: bool = True) -> dict[str, Any]:
    archive = getattr(customer, "archive", None)
    return {
        "number": archive.number if archive else None,
        "code": customer.code,
        "name": customer.name,
        "kind": customer.kind,
        "phone": _shown(customer.phone, show),
        "contact_name": customer.contact_name,
    }


def _log(entry: Any) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "at": entry.at,
        "staff": entry.staff.display_name,
        "summary": entry.summary,
        "complaint_number": entry.complaint_number,
    }


def _change(change: ArchiveChange) -> dict[str, Any]:
    return {
        "field": change.field,
        "old": change.old,
        "new": change.new,
        "by": change.by.display_name,
        "at": change.at,
        "reason": change.reason,
    }


def _complaint(c: Any) -> dict[str, Any]:
    return {
        "number": c.number,
        "status": c.status,
        "registered_at": c.registered_at,
        "complainant_name": c.complainant_name,
    }


def _customer_or_404(number: str, staff: Staff) -> Customer:
    customer = selectors.customer_by_number(number, staff=staff)
    if customer is None:
        raise Http404(number)
    return customer


def _detail(customer: Customer, staff: Staff, *, show: bool = True) -> dict[str, Any]:
    archive: CustomerArchive = services.archive_for(customer, by=staff)
    card = selectors.card(customer, staff=staff)
    archive = card.archive or archive
    personal = (
        {f.code for f in ProfileField.objects.filter(kind=archive.kind, personal=True)} if not show else set()
    )
    profile = {
        k: (_shown(v, show) if k in personal and isinstance(v, str) else v)
        for k, v in archive.profile.items()
    }
    return {
        "number": archive.number,
        "code": customer.code,
        "name": customer.name,
        "kind": archive.kind,
        "phone": _shown(customer.phone, show),
        "address": _shown(customer.address, show),
        "contact_name": customer.contact_name,
        "profile": profile,
        "confidentiality": archive.confidentiality,
        "masked": not show,
        "customer_class": archive.customer_class.code if archive.customer_class else None,
        "grade": archive.grade.code if archive.grade else None,
        "credit_class": archive.credit_class.code if archive.credit_class else None,
        "credit_limit": archive.credit_limit,
        "registration_due": archive.registration_due,
        "registered_at": archive.registered_at,
        "contacts": [
            {
                "name": c.name,
                "title": c.title,
                "phone": _shown(c.phone, show),
                "email": _shown(c.email, show),
                "is_primary": c.is_primary,
            }
            for c in card.contacts
        ],
        "open_complaints": [_complaint(c) for c in card.open_complaints],
        "past_complaints": [_complaint(c) for c in card.past_complaints],
        "last_contacts": [_log(e) for e in card.last_contacts],
    }


class LookupQuery(Schema):
    q: str = Field(
        max_length=limits.SEARCH,
        description="A phone fragment (3+ digits, separators ignored), a name or contact name (substring), a customer or archive number.",
    )


@router.get(
    "/customers",
    response={200: CustomerListOut, **UNAUTHORIZED, **INVALID},
    summary="Find customers (type-ahead)",
)
def customer_lookup(request: HttpRequest, query: Query[LookupQuery]) -> dict[str, Any]:
    """Up to 10 customers by phone fragment, name, contact name, customer or archive number, by name."""
    staff: Staff = request.auth
    customers = selectors.lookup(query.q, staff=staff)
    secrecy.audit(
        [getattr(c, "archive", None) for c in customers],
        staff=staff,
        kind=ReadAudit.Kind.SEARCH,
        address=_address(request),
    )
    show = secrecy.sees_personal_data(staff)
    return {"items": [_brief(c, show) for c in customers]}


@router.post("/customers", response={201: CustomerOut, **WRITE}, summary="Create a customer and its archive")
def customer_create(request: HttpRequest, payload: CustomerIn) -> Reply:
    """A new customer with a numbered archive (the desk). Without ``complete`` the archive is to be
    completed within the rule book's working days (seed 002 #5) and the workbench reminds the desk.
    An unknown profile field, a malformed phone or a missing name: 422 by field."""
    staff: Staff = request.auth
    archive = services.create_customer(
        by=staff,
        name=payload.name,
        kind=payload.kind,
        phone=payload.phone,
        address=payload.address,
        contact_name=payload.contact_name,
        profile=payload.profile,
        complete=payload.complete,
    )
    return Reply(201, _detail(archive.customer, staff))


@router.get(
    "/customer-profile-fields",
    response={200: ProfileFieldListOut, **UNAUTHORIZED},
    summary="The profile fields of the rule book",
)
def profile_field_list(request: HttpRequest) -> dict[str, Any]:
    """The fields a customer's ``profile`` may hold, per kind, as the rule book defines them."""
    return {
        "items": [
            {
                "kind": f.kind,
                "code": f.code,
                "label": f.label,
                "group": f.group,
                "type": f.type,
                "choices": f.choice_list(),
                "required": f.required,
                "max_length": f.max_length,
                "source": f.source,
            }
            for f in ProfileField.objects.all()
        ]
    }


class DuplicateQuery(Schema):
    customer: str = Field("", max_length=limits.CODE, description="Customer or archive number.")
    phone: str = Field("", max_length=limits.PHONE)
    order_number: str = Field("", max_length=limits.MODEL_TEXT)


@router.get(
    "/customer-duplicates", response={200: DuplicatesOut, **READ}, summary="Possible duplicate complaints"
)
def duplicate_check(request: HttpRequest, query: Query[DuplicateQuery]) -> dict[str, Any]:
    """Complaints (that the caller may see) from the same customer, phone or order within the rule
    book's window: a possible duplicate or secondary complaint. Nothing is refused: the clerk decides."""
    staff: Staff = request.auth
    customer = _customer_or_404(query.customer, staff) if query.customer else None
    found, rules = selectors.duplicates(
        staff=staff, customer=customer, phone=query.phone, order_number=query.order_number
    )
    return {
        "window_days": rules.duplicate_window_days,
        "source": rules.duplicate_source,
        "items": [_complaint(c) for c in found],
    }


@router.get(
    "/customers/{number}",
    response={200: CustomerOut, **READ},
    summary="One customer's archive",
)
def customer_detail(request: HttpRequest, number: str, reveal: bool = False) -> dict[str, Any]:
    """The archive by archive number or customer number: profile, classes, contacts, the open and
    past complaints the caller may see, the last contacts. 404 also for an archive the caller may
    not know (its confidentiality level); each read of a classified archive is audited. Personal
    data is masked for roles that do not need it (``masked``) unless ``reveal=true``, which is
    audited too."""
    staff: Staff = request.auth
    customer = _customer_or_404(number, staff)
    show = reveal or secrecy.sees_personal_data(staff)
    detail = _detail(customer, staff, show=show)
    archive = customer.archive
    secrecy.audit([archive], staff=staff, kind=ReadAudit.Kind.API, address=_address(request))
    if reveal and not secrecy.sees_personal_data(staff):
        secrecy.audit([archive], staff=staff, kind=ReadAudit.Kind.REVEAL, address=_address(request))
    return detail


@router.get(
    "/customers/{number}/timeline",
    response={200: TimelineOut, **UNAUTHORIZED, **NOT_FOUND},
    summary="A customer's timeline",
)
def customer_timeline(request: HttpRequest, number: str) -> dict[str, Any]:
    """Complaints (as the caller may see them), contacts and changes, newest first (the latest 100)."""
    staff: Staff = request.auth
    customer = _customer_or_404(number, staff)
    items = selectors.timeline(customer, staff=staff)
    secrecy.audit(
        [getattr(customer, "archive", None)], staff=staff, kind=ReadAudit.Kind.API, address=_address(request)
    )
    out = []
    for item in items:
        row: dict[str, Any] = {"at": item.at, "kind": item.kind}
        row[item.kind] = {"complaint": _complaint, "contact": _log, "change": _change}[item.kind](item.item)
        out.append(row)
    return {"items": out}


@router.post(
    "/customers/{number}/contacts", response={201: ContactLogOut, **WRITE}, summary="Record a contact"
)
def customer_log_contact(request: HttpRequest, number: str, payload: ContactLogIn) -> Reply:
    """A call, visit, letter, fax, e-mail or significant event with the customer, by the caller."""
    staff: Staff = request.auth
    archive = services.archive_for(_customer_or_404(number, staff), by=staff)
    entry = services.log_contact(
        archive=archive,
        by=staff,
        kind=payload.kind,
        summary=payload.summary,
        at=payload.at,
        complaint_number=payload.complaint_number,
    )
    return Reply(201, _log(entry))


@router.post(
    "/customers/{number}/corrections",
    response={200: ChangeListOut, **WRITE},
    summary="Correct a customer's data",
)
def customer_correct(request: HttpRequest, number: str, payload: ChangesIn) -> dict[str, Any]:
    """Each changed field keeps its old and new value, who, when and why (seed 001 #4). An unknown
    field: 422 naming it (``changes.<field>``). 200 with the changes written (none if nothing changed)."""
    staff: Staff = request.auth
    archive = services.archive_for(_customer_or_404(number, staff), by=staff)
    written = services.correct(archive=archive, by=staff, changes=payload.changes, reason=payload.reason)
    for change in written:
        change.by = staff
    return {"items": [_change(c) for c in written]}


@router.post(
    "/customers/{number}/classification",
    response={200: ChangeListOut, **WRITE},
    summary="Classify a customer",
)
def customer_classify(request: HttpRequest, number: str, payload: ChangesIn) -> dict[str, Any]:
    """Class, grade, credit class (codes of the rule book's lists) and credit limit, each change kept
    with its old value (the history)."""
    staff: Staff = request.auth
    archive = services.archive_for(_customer_or_404(number, staff), by=staff)
    written = services.classify(archive=archive, by=staff, changes=payload.changes, reason=payload.reason)
    return {"items": [_change(c) for c in written]}


class LevelIn(Schema):
    level: Confidentiality = Field(
        description='"" (not classified), "secret", "confidential" or "top_secret".'
    )
    reason: str = Field(max_length=limits.HANDLING_TEXT)


class GrantIn(Schema):
    username: str = Field(
        max_length=limits.USERNAME, description="The staff member named to know the archive."
    )


@router.post(
    "/customers/{number}/confidentiality",
    response={200: CustomerOut, **WRITE},
    summary="Set a confidentiality level",
)
def customer_confidentiality(request: HttpRequest, number: str, payload: LevelIn) -> dict[str, Any]:
    """绝密 / 机密 / 秘密 (seed 001 客户管理制度10): the CS director, a vice president or the general
    manager sets it (top secret: only a VP or the GM); the change is kept in the history."""
    staff: Staff = request.auth
    customer = _customer_or_404(number, staff)
    archive = services.archive_for(customer, by=staff)
    secrecy.set_level(archive=archive, by=staff, level=payload.level, reason=payload.reason)
    return _detail(customer, staff, show=secrecy.sees_personal_data(staff))


@router.post(
    "/customers/{number}/grants", response={200: ChangeListOut, **WRITE}, summary="Name someone who may know"
)
def customer_grant(request: HttpRequest, number: str, payload: GrantIn) -> dict[str, Any]:
    """Name a staff member who may know the archive (绝密: a VP or the GM names; 机密: also the CS
    director; 秘密: also the desk). 422 for an unknown username."""
    from django.core.exceptions import ValidationError

    staff: Staff = request.auth
    customer = _customer_or_404(number, staff)
    archive = services.archive_for(customer, by=staff)
    person = Staff.objects.filter(user__username=payload.username).first()
    if person is None:
        raise ValidationError({"username": ["Unknown value: " + payload.username[:60]]})
    secrecy.grant(archive=archive, by=staff, staff=person)
    changes = ArchiveChange.objects.filter(archive=archive, field="may_know").select_related("by")[:50]
    return {"items": [_change(c) for c in changes]}
