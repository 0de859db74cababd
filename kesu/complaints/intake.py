"""One parser for registration (登记), shared by the web form, the API and `kesu register`: plain
input (codes, usernames, ISO dates, numbers, text — or records a form already looked up) becomes
the ``services.Intake`` and the staff complained about, or one ValidationError naming every field
that is wrong. Rules about the facts together (e.g. not received in the future) stay in
``services.register_complaint``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from kesu.complaints.classes import rule_book_entries
from kesu.complaints.models import Category, Channel, Severity
from kesu.complaints.services import Intake
from kesu.core import limits
from kesu.customers.models import Customer, Product
from kesu.organization.models import Staff

MAX_INT = 2_147_483_647
REQUIRED_TEXT = ("complainant_name", "description")
OPTIONAL_TEXT = (
    "complainant_phone",
    "complainant_address",
    "product_model",
    "batch_number",
    "order_number",
    "requested_remedy",
)
# name → (model, business key, extra filter): the records an intake names by code
RECORDS: dict[str, tuple[type[Model], str, dict[str, Any]]] = {
    "customer": (Customer, "code", {}),
    "product": (Product, "model_code", {}),
    "category": (Category, "code", {"is_active": True}),
    "severity": (Severity, "code", {}),
}


def _unknown(raw: Any) -> ValidationError:
    shown = raw if isinstance(raw, str) and not limits.unstorable(raw) else repr(raw)
    return ValidationError(_("Unknown value: %(value)s") % {"value": shown[:60]})


def _record(name: str, raw: Any) -> Model | None:
    model, key, extra = RECORDS[name]
    if raw in (None, ""):
        return None
    if isinstance(raw, model):
        return raw
    if not isinstance(raw, str) or limits.unstorable(raw) or len(raw) > limits.max_length(name):
        raise _unknown(raw)
    if model in (Category, Severity):  # rule-book lists: read once per process
        found = rule_book_entries(model).get(raw)
        if found is None or any(getattr(found, k) != v for k, v in extra.items()):
            raise _unknown(raw)
        return found
    found = model._default_manager.filter(**{key: raw}, **extra).first()
    if found is None:
        raise _unknown(raw)
    return found


def _text(name: str, raw: Any, *, required: bool) -> str:
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise ValidationError(_("Enter text."))
    if required and not raw.strip():
        raise ValidationError(_("This field is required."))
    return limits.check_text(raw, max_length=limits.max_length(name))


def _plausible(day: date) -> None:
    if not date(1900, 1, 1) <= day <= date(2999, 12, 31):
        raise ValidationError(_("Enter a date between 1900 and 2999."))


def _received_at(raw: Any) -> datetime:
    try:
        value = raw if isinstance(raw, datetime) else parse_datetime(raw) if isinstance(raw, str) else None
    except ValueError:  # well-formed but impossible, e.g. month 13
        value = None
    if value is None:
        raise ValidationError(_("Enter a date and time, e.g. 2025-03-01T09:30."))
    _plausible(value.date())
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _day(raw: Any) -> date | None:
    if raw in (None, ""):
        return None
    try:
        value = raw if isinstance(raw, date) else parse_date(raw) if isinstance(raw, str) else None
    except ValueError:
        value = None
    if value is None:
        raise ValidationError(_("Enter a date."))
    _plausible(value)
    return value


def _count(raw: Any) -> int | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, str) and raw.isascii() and raw.isdigit():
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_INT:
        raise ValidationError(_("Enter a whole number from 0 to %(max)d.") % {"max": MAX_INT})
    return raw


def _accused(raw: Iterable[Any] | None) -> list[Staff]:
    people = [p for p in raw or () if isinstance(p, Staff)]
    usernames = list(dict.fromkeys(p for p in raw or () if not isinstance(p, Staff)))
    if any(not isinstance(u, str) or limits.unstorable(u) or len(u) > limits.USERNAME for u in usernames):
        raise ValidationError(_("Enter usernames."))
    found = list(Staff.objects.filter(user__username__in=usernames).select_related("user"))
    unknown = sorted(set(usernames) - {s.user.get_username() for s in found})
    if unknown:
        raise _unknown(", ".join(unknown))
    return people + found


def parse_intake(raw: Mapping[str, Any]) -> tuple[Intake, list[Staff]]:
    """``raw`` → (the Intake, the staff complained about), or ValidationError by field."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}

    def read(name: str, parse: Any, *args: Any, **kwargs: Any) -> None:
        try:
            values[name] = parse(*args, **kwargs)
        except ValidationError as exc:
            errors[name] = exc.messages

    def channel(value: Any) -> str:
        if value not in Channel.values:
            raise ValidationError(_("Choose one of: %(values)s") % {"values": ", ".join(Channel.values)})
        return value

    read("channel", channel, raw.get("channel"))
    read("received_at", _received_at, raw.get("received_at"))
    for name in REQUIRED_TEXT:
        read(name, _text, name, raw.get(name), required=True)
    for name in OPTIONAL_TEXT:
        read(name, _text, name, raw.get(name), required=False)
    for name in RECORDS:
        read(name, _record, name, raw.get(name))
    for name in ("shipped_on", "arrived_on"):
        read(name, _day, raw.get(name))
    for name in ("quantity", "defective_quantity"):
        read(name, _count, raw.get(name))
    read("accused_staff", _accused, raw.get("accused_staff"))
    if errors:
        raise ValidationError(errors)
    accused = values.pop("accused_staff")
    return Intake(**values), accused
