"""Writes to the customer archive. Each is one transaction that also writes its history row
(``ArchiveChange``) or is itself the record (a contact log entry); bad input raises
ValidationError by field and saves nothing."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from kesu.archive.models import (
    ArchiveChange,
    ArchiveRules,
    Contact,
    ContactKind,
    ContactLogEntry,
    CustomerArchive,
    CustomerClass,
    CustomerKind,
    ProfileField,
)
from kesu.core import limits
from kesu.core.errors import KesuError
from kesu.customers.models import Customer, phone_digits
from kesu.organization.models import Role, Staff
from kesu.organization.selectors import capacities_of
from kesu.rulebook.models import NumberCounter
from kesu.rulebook.numbering import format_number, period_key
from kesu.workcalendar.calendar import CalendarNotCovered
from kesu.workcalendar.selectors import get_calendar

# Who keeps the archive: the customer-service desk (seed 001 #1: 客服部 archives every caller),
# its director and the administrator.
KEEPERS = frozenset({Role.DESK_CLERK, Role.CS_DIRECTOR, Role.ADMINISTRATOR})
# A phone number: digits with the usual separators, an optional leading +, and an extension.
PHONE_SHAPE = re.compile(r"^\+?[0-9０-９\s\-()（）/.]+(?:(?:转|ext\.?|x)\s*[0-9]{1,6})?$", re.IGNORECASE)
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 5, 20


class NotAKeeper(KesuError, PermissionDenied):
    """Someone outside the desk tried to change the archive (403 in the API and the web)."""

    status_code = 403


def roles_of(staff: Staff | None) -> set[str]:
    capacities = capacities_of(staff=staff)
    return set().union(*(c.roles for c in capacities)) if capacities else set()


def may_keep(staff: Staff | None) -> bool:
    return bool(roles_of(staff) & KEEPERS)


def _require_keeper(staff: Staff | None) -> Staff:
    if staff is None or not may_keep(staff):
        raise NotAKeeper(_("Only the customer-service desk keeps the customer archive."))
    return staff


# ---------------------------------------------------------------------------------------------
# Parsing (web forms and the API share these)


def clean_text(name: str, raw: Any, *, max_length: int, required: bool = False) -> str:
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise ValidationError({name: [_("Enter text.")]})
    if required and not raw.strip():
        raise ValidationError({name: [_("This field is required.")]})
    try:
        return limits.check_text(raw.strip(), max_length=max_length)
    except ValidationError as exc:
        raise ValidationError({name: exc.messages}) from None


def clean_phone(name: str, raw: Any, *, required: bool = False) -> str:
    text = clean_text(name, raw, required=required, max_length=limits.PHONE)
    if not text:
        return ""
    digits = phone_digits(text)
    if not PHONE_SHAPE.match(text) or not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        raise ValidationError(
            {
                name: [
                    _(
                        "Enter a phone number: %(min)d to %(max)d digits, separators - ( ) / . and spaces allowed."
                    )
                    % {"min": MIN_PHONE_DIGITS, "max": MAX_PHONE_DIGITS}
                ]
            }
        )
    return text


def profile_fields(kind: str) -> list[ProfileField]:
    return list(ProfileField.objects.filter(kind=kind))


def clean_profile(
    kind: str, raw: Any, *, fields: list[ProfileField] | None = None, partial: bool = False
) -> dict:
    """A profile as the rule book defines it: a mapping of field code → value. An unknown field, a
    value of the wrong type or length, an unlisted choice, or (unless ``partial``) a missing
    required field is refused with the field's path (``profile.<code>``)."""
    if raw in (None, ""):
        raw = {}
    if not isinstance(raw, dict):
        raise ValidationError({"profile": [_("Enter the profile as fields and values.")]})
    fields = profile_fields(kind) if fields is None else fields
    by_code = {f.code: f for f in fields}
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for code, value in raw.items():
        key = f"profile.{code}"
        field = by_code.get(code) if isinstance(code, str) else None
        if field is None:
            errors[key[:80]] = [
                _("Unknown profile field. The rule book defines: %(codes)s")
                % {"codes": ", ".join(by_code) or "—"}
            ]
            continue
        try:
            values[code] = _profile_value(field, value)
        except ValidationError as exc:
            errors[key] = exc.messages
    if not partial:
        for field in fields:
            if field.required and values.get(field.code) in (None, ""):
                errors.setdefault(f"profile.{field.code}", [_("This field is required.")])
    if errors:
        raise ValidationError(errors)
    return values


def _profile_value(field: ProfileField, value: Any) -> Any:
    if value is None or value == "":
        return ""
    if field.type in (ProfileField.Type.TEXT, ProfileField.Type.LONG_TEXT, ProfileField.Type.CHOICE):
        if not isinstance(value, str):
            raise ValidationError(_("Enter text."))
        value = limits.check_text(value.strip(), max_length=field.max_length)
        if field.type == ProfileField.Type.CHOICE and value and value not in field.choice_list():
            raise ValidationError(_("Choose one of: %(values)s") % {"values": "、".join(field.choice_list())})
        return value
    if field.type == ProfileField.Type.DATE:
        day = None
        if isinstance(value, str):
            try:
                day = parse_date(value)
            except ValueError:
                day = None
        if day is None or not date(1900, 1, 1) <= day <= date(2999, 12, 31):
            raise ValidationError(_("Enter a date, e.g. 2025-03-01."))
        return day.isoformat()
    if field.type == ProfileField.Type.AMOUNT:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ValidationError(_("Enter an amount."))
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise ValidationError(_("Enter an amount.")) from None
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
            raise ValidationError(_("Enter an amount from 0 to 999 999 999 999.99."))
        return str(amount.quantize(Decimal("0.01")))
    raise ValidationError(_("Unknown field type."))


# ---------------------------------------------------------------------------------------------
# Numbers


def draw_archive_number(*, on: date, rules: ArchiveRules) -> str:
    """The next archive number by the rule book's pattern (kesu.rulebook.numbering), counted in
    the rule book's counter table under its own period key (``archive:…``). Gap-free like the
    complaints' numbers: the counter row is locked to the end of the creating transaction."""
    period = f"archive:{rules.numbering_reset}:{period_key(rules.numbering_reset, on)}"
    NumberCounter.objects.bulk_create([NumberCounter(period=period, last_value=0)], ignore_conflicts=True)
    counter = NumberCounter.objects.select_for_update().get(period=period)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return format_number(rules.numbering_pattern, on, counter.last_value)


def registration_due(start: date, rules: ArchiveRules) -> date | None:
    """Seed 002 #5: a new customer is registered within N working days. None when the working
    calendar does not cover the year (never guessed; the reminder then shows no due day)."""
    try:
        return get_calendar().add_working_days(start, rules.registration_working_days)
    except CalendarNotCovered:
        return None


# ---------------------------------------------------------------------------------------------
# Customers


def _next_code() -> str:
    """A customer number for a customer created at the desk: the archive number is the one people
    use; the code only has to be unique (C + the next id, as the demo's C001…)."""
    last = Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    code = f"C{last + 1:06d}"
    while Customer.objects.filter(code=code).exists():
        last += 1
        code = f"C{last + 1:06d}"
    return code


@transaction.atomic
def create_customer(
    *,
    by: Staff | None,
    name: Any,
    kind: Any = CustomerKind.COMPANY,
    phone: Any = "",
    address: Any = "",
    contact_name: Any = "",
    profile: Any = None,
    complete: bool = False,
) -> CustomerArchive:
    """A new customer and their archive, numbered. ``complete`` says the archive is registered in
    full now; otherwise it waits for completion within the rule book's working days (a caller
    created at the desk: seed 002 #5), and the workbench reminds the desk."""
    staff = _require_keeper(by)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}

    def read(key: str, fn: Any, *args: Any, **kwargs: Any) -> None:
        try:
            values[key] = fn(*args, **kwargs)
        except ValidationError as exc:
            errors.update(exc.message_dict)

    read("name", clean_text, "name", name, required=True, max_length=limits.CUSTOMER_NAME)
    read("phone", clean_phone, "phone", phone)
    read("address", clean_text, "address", address, max_length=limits.ADDRESS)
    read("contact_name", clean_text, "contact_name", contact_name, max_length=limits.PERSON_NAME)
    if kind not in CustomerKind.values:
        errors["kind"] = [_("Choose one of: %(values)s") % {"values": ", ".join(CustomerKind.values)}]
    else:
        read("profile", clean_profile, kind, profile, partial=not complete)
    if errors:
        raise ValidationError(errors)
    rules = ArchiveRules.current()
    today = timezone.localdate()
    customer = Customer.objects.create(
        code=_next_code(),
        name=values["name"],
        kind=kind,
        phone=values["phone"],
        address=values["address"],
        contact_name=values["contact_name"],
    )
    archive = CustomerArchive.objects.create(
        customer=customer,
        number=draw_archive_number(on=today, rules=rules),
        kind=kind,
        profile=values["profile"],
        created_by=staff,
        registration_due=None if complete else registration_due(today, rules),
        registered_at=timezone.now() if complete else None,
    )
    if values["contact_name"]:
        Contact.objects.create(
            archive=archive,
            name=values["contact_name"],
            phone=values["phone"],
            phone_digits=phone_digits(values["phone"]),
            is_primary=True,
        )
    ArchiveChange.objects.create(
        archive=archive, field="created", old=None, new=archive.number, by=staff, reason=_("New customer")
    )
    archive.customer = customer
    return archive


def archive_for(customer: Customer, *, by: Staff | None = None) -> CustomerArchive:
    """The customer's archive; a customer from before the archive (the admin, a data import) gets
    one, numbered, the first time it is needed."""
    archive = CustomerArchive.objects.filter(customer=customer).first()
    if archive is not None:
        return archive
    with transaction.atomic():
        archive = CustomerArchive.objects.select_for_update().filter(customer=customer).first()
        if archive is None:
            rules = ArchiveRules.current()
            archive = CustomerArchive.objects.create(
                customer=customer,
                number=draw_archive_number(on=timezone.localdate(), rules=rules),
                kind=customer.kind,
                created_by=by,
                registered_at=timezone.now(),
            )
    return archive


CUSTOMER_FIELDS = {
    "name": limits.CUSTOMER_NAME,
    "phone": limits.PHONE,
    "address": limits.ADDRESS,
    "contact_name": limits.PERSON_NAME,
}


@transaction.atomic
def correct(*, archive: CustomerArchive, by: Staff | None, changes: Any, reason: Any) -> list[ArchiveChange]:
    """Correct a customer's data (seed 001 #4): the customer's own fields (``name``, ``phone``,
    ``address``, ``contact_name``) and profile fields (``profile.<code>``). Each changed field
    keeps its old and new value, who, when and why; unchanged fields write nothing. A complete
    profile marks the archive registered (seed 002 #5)."""
    staff = _require_keeper(by)
    if not isinstance(changes, dict) or not changes:
        raise ValidationError({"changes": [_("Name at least one field to change.")]})
    why = clean_text("reason", reason, required=True, max_length=limits.HANDLING_TEXT)
    archive = CustomerArchive.objects.select_for_update().select_related("customer").get(pk=archive.pk)
    own, profile = parse_changes(archive, changes)
    return apply_changes(archive, own=own, profile=profile, by=staff, reason=why)


def parse_changes(archive: CustomerArchive, changes: Any) -> tuple[dict[str, str], dict[str, Any]]:
    """The customer's own fields and the profile fields a correction names, checked (errors by
    ``changes.<field>``); nothing is written."""
    if not isinstance(changes, dict) or not changes:
        raise ValidationError({"changes": [_("Name at least one field to change.")]})
    errors: dict[str, list[str]] = {}
    own: dict[str, str] = {}
    profile_raw: dict[str, Any] = {}
    for key, value in changes.items():
        if key in CUSTOMER_FIELDS:
            try:
                if key == "phone":
                    own[key] = clean_phone(key, value)
                else:
                    own[key] = clean_text(key, value, required=key == "name", max_length=CUSTOMER_FIELDS[key])
            except ValidationError as exc:
                errors[f"changes.{key}"] = exc.messages
        elif isinstance(key, str) and key.startswith("profile."):
            profile_raw[key.removeprefix("profile.")] = value
        else:
            errors[f"changes.{str(key)[:60]}"] = [_("Unknown field.")]
    profile: dict[str, Any] = {}
    try:
        profile = clean_profile(archive.kind, profile_raw, partial=True)
    except ValidationError as exc:
        errors.update({f"changes.{k}": v for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return own, profile


def apply_changes(
    archive: CustomerArchive, *, own: dict[str, str], profile: dict[str, Any], by: Staff, reason: str
) -> list[ArchiveChange]:
    """Write checked changes to a locked archive, each with its old and new value (unchanged
    fields write nothing)."""
    customer = archive.customer
    staff, why = by, reason
    written: list[ArchiveChange] = []
    for key, value in own.items():
        old = getattr(customer, key)
        if old != value:
            setattr(customer, key, value)
            written.append(
                ArchiveChange(archive=archive, field=key, old=old, new=value, by=staff, reason=why)
            )
    new_profile = dict(archive.profile)
    for code, value in profile.items():
        old = archive.profile.get(code, "")
        if old != value:
            new_profile[code] = value
            written.append(
                ArchiveChange(
                    archive=archive, field=f"profile.{code}", old=old, new=value, by=staff, reason=why
                )
            )
    if not written:
        return []
    customer.save()
    archive.profile = new_profile
    if archive.registered_at is None and _complete(archive.kind, new_profile):
        archive.registered_at = timezone.now()
    archive.save(update_fields=["profile", "registered_at"])
    return ArchiveChange.objects.bulk_create(written)


def _complete(kind: str, profile: dict) -> bool:
    required = ProfileField.objects.filter(kind=kind, required=True).values_list("code", flat=True)
    return all(profile.get(code) not in (None, "") for code in required)


@transaction.atomic
def mark_registered(*, archive: CustomerArchive, by: Staff | None) -> CustomerArchive:
    """The desk confirms a new customer's archive is complete (seed 002 #5's 备案)."""
    staff = _require_keeper(by)
    archive = CustomerArchive.objects.select_for_update().get(pk=archive.pk)
    missing = [
        f.code
        for f in ProfileField.objects.filter(kind=archive.kind, required=True)
        if archive.profile.get(f.code) in (None, "")
    ]
    if missing:
        raise ValidationError({f"profile.{code}": [_("This field is required.")] for code in missing})
    if archive.registered_at is None:
        archive.registered_at = timezone.now()
        archive.save(update_fields=["registered_at"])
        ArchiveChange.objects.create(
            archive=archive, field="registered", old=None, new=True, by=staff, reason=_("Registered")
        )
    return archive


SCHEMES = {
    "customer_class": CustomerClass.Scheme.CLASS,
    "grade": CustomerClass.Scheme.GRADE,
    "credit_class": CustomerClass.Scheme.CREDIT,
}


@transaction.atomic
def classify(*, archive: CustomerArchive, by: Staff | None, changes: Any, reason: Any) -> list[ArchiveChange]:
    """Set class, grade, credit class (codes from the rule book's lists) and credit limit (CNY);
    each change is kept with its old value, so their history is the archive's change log."""
    staff = _require_keeper(by)
    if not isinstance(changes, dict) or not changes:
        raise ValidationError({"changes": [_("Name at least one field to change.")]})
    why = clean_text("reason", reason, required=True, max_length=limits.HANDLING_TEXT)
    archive = CustomerArchive.objects.select_for_update().get(pk=archive.pk)
    errors: dict[str, list[str]] = {}
    new: dict[str, Any] = {}
    for key, value in changes.items():
        if key in SCHEMES:
            if value in (None, ""):
                new[key] = None
                continue
            found = (
                CustomerClass.objects.filter(scheme=SCHEMES[key], code=value).first()
                if isinstance(value, str) and len(value) <= 40 and not limits.unstorable(value)
                else None
            )
            if found is None:
                codes = CustomerClass.objects.filter(scheme=SCHEMES[key]).values_list("code", flat=True)
                errors[f"changes.{key}"] = [
                    _("Choose one of: %(values)s") % {"values": ", ".join(codes) or "—"}
                ]
            else:
                new[key] = found
        elif key == "credit_limit":
            try:
                new[key] = None if value in (None, "") else _amount(value)
            except ValidationError as exc:
                errors["changes.credit_limit"] = exc.messages
        else:
            errors[f"changes.{str(key)[:60]}"] = [_("Unknown field.")]
    if errors:
        raise ValidationError(errors)
    written = []
    for key, value in new.items():
        old = getattr(archive, key)
        if old != value:
            setattr(archive, key, value)
            shown = lambda v: v.code if isinstance(v, CustomerClass) else (str(v) if v is not None else None)  # noqa: E731
            written.append(
                ArchiveChange(
                    archive=archive, field=key, old=shown(old), new=shown(value), by=staff, reason=why
                )
            )
    if written:
        archive.save(update_fields=list(new))
        ArchiveChange.objects.bulk_create(written)
    return written


def _amount(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValidationError(_("Enter an amount."))
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError(_("Enter an amount.")) from None
    if (
        not amount.is_finite()
        or amount < 0
        or amount >= Decimal("1e12")
        or amount != amount.quantize(Decimal("0.01"))
    ):
        raise ValidationError(
            _("Enter an amount in CNY with at most 2 decimal places, from 0 to 999 999 999 999.99.")
        )
    return amount.quantize(Decimal("0.01"))


CONTACT_LIMITS = {"name": limits.PERSON_NAME, "title": limits.CONTACT_TITLE, "email": limits.EMAIL}


@transaction.atomic
def add_contact(
    *,
    archive: CustomerArchive,
    by: Staff | None,
    name: Any,
    title: Any = "",
    phone: Any = "",
    email: Any = "",
    is_primary: bool = False,
) -> Contact:
    staff = _require_keeper(by)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for key, fn, raw, kwargs in (
        ("name", clean_text, name, {"required": True}),
        ("title", clean_text, title, {}),
        ("email", clean_text, email, {}),
    ):
        try:
            values[key] = fn(key, raw, max_length=CONTACT_LIMITS[key], **kwargs)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        values["phone"] = clean_phone("phone", phone)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if values.get("email") and "@" not in values["email"]:
        errors["email"] = [_("Enter an e-mail address.")]
    if errors:
        raise ValidationError(errors)
    contact = Contact.objects.create(
        archive=archive, phone_digits=phone_digits(values["phone"]), is_primary=bool(is_primary), **values
    )
    ArchiveChange.objects.create(
        archive=archive,
        field="contact",
        old=None,
        new={"name": contact.name, "phone": contact.phone},
        by=staff,
        reason=_("Contact added"),
    )
    return contact


def _when(raw: Any) -> datetime:
    if isinstance(raw, datetime):
        value = raw
    else:
        try:
            value = parse_datetime(raw) if isinstance(raw, str) else None
        except ValueError:
            value = None
    if value is None or not date(1900, 1, 1) <= value.date() <= date(2999, 12, 31):
        raise ValidationError({"at": [_("Enter a date and time, e.g. 2025-03-01T09:30.")]})
    value = value if timezone.is_aware(value) else timezone.make_aware(value)
    if value > timezone.now() + timezone.timedelta(minutes=5):
        raise ValidationError({"at": [_("A contact cannot be in the future.")]})
    return value


def log_contact(
    *,
    archive: CustomerArchive,
    by: Staff | None,
    kind: Any,
    summary: Any,
    at: Any = None,
    complaint_number: Any = "",
) -> ContactLogEntry:
    """Record a call, visit, letter, fax, e-mail or significant event with the customer."""
    if by is None:  # anyone on the staff records their own contacts (a salesperson's visit)
        raise NotAKeeper(_("Sign in as a staff member."))
    staff = by
    errors: dict[str, list[str]] = {}
    if kind not in ContactKind.values:
        errors["kind"] = [_("Choose one of: %(values)s") % {"values": ", ".join(ContactKind.values)}]
    try:
        text = clean_text("summary", summary, required=True, max_length=limits.CONTACT_SUMMARY)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    when = timezone.now()
    if at not in (None, ""):
        try:
            when = _when(at)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    number = ""
    if complaint_number not in (None, ""):
        if (
            not isinstance(complaint_number, str)
            or len(complaint_number) > 40
            or limits.unstorable(complaint_number)
        ):
            errors["complaint_number"] = [
                _("Unknown value: %(value)s") % {"value": str(complaint_number)[:40]}
            ]
        else:
            number = complaint_number
    if errors:
        raise ValidationError(errors)
    return ContactLogEntry.objects.create(
        archive=archive, kind=kind, at=when, staff=staff, summary=text, complaint_number=number
    )
