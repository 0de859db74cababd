"""One entry point for "take action X on complaint N with these inputs", shared by the web UI,
the API and the CLI. It turns plain inputs (codes, ids, usernames, strings) into objects with
field-level errors, then calls the one service function for the action."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import DateField, DateTimeField, IntegerField
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kesu.complaints import registry, services
from kesu.complaints.models import Category, Channel, Complaint, Satisfaction, Severity
from kesu.complaints.workflow import ACTIONS, authorize, refuse_accused
from kesu.core import limits
from kesu.organization.models import Department, Position, Staff


@dataclass(frozen=True)
class Field:
    """One input of an action: its name, how to turn the raw value into what the service takes."""

    name: str
    # text | category | severity | department | position | staff | channel | satisfaction | datetime
    # | changes | decimal, or a kind an app registered (registry.register_input_kind)
    kind: str
    required: bool = False

    @property
    def max_length(self) -> int | None:
        """The most characters a text, code or username may have (kesu.core.limits)."""
        if self.kind == "text":
            return limits.max_length(self.name)
        return {"category": limits.CODE, "severity": limits.CODE, "department": limits.CODE}.get(
            self.kind, limits.USERNAME if self.kind == "staff" else None
        )


def _text(f: str, required: bool = False) -> Field:
    return Field(f, "text", required)


# Every action's inputs (the registry's: apps add theirs with registry.register_action).
ACTION_INPUTS: dict[str, list[Field]] = registry.INPUTS
ACTION_INPUTS |= {
    "classify": [Field("category", "category", True), Field("severity", "severity"), _text("comment")],
    "answer_on_spot": [_text("reply", True)],
    "answer_and_forward": [
        _text("reply", True),
        Field("to_department", "department", True),
        Field("to_position", "position"),
        _text("reason", True),
    ],
    "propose_transfer": [
        Field("to_department", "department", True),
        Field("to_position", "position"),
        _text("reason", True),
    ],
    "approve_transfer": [_text("comment")],
    "reject_transfer": [_text("comment", True)],
    "accept_transfer": [Field("handler", "staff"), _text("comment")],
    "decline_transfer": [_text("comment", True)],
    "start_investigation": [_text("comment")],
    "propose_resolution": [_text("resolution", True)],
    "approve_resolution": [_text("comment")],
    "return_resolution": [_text("comment", True)],
    "return_for_rework": [_text("comment", True)],
    "reply_to_customer": [
        _text("reply", True),
        Field("channel", "channel", True),
        Field("satisfaction", "satisfaction", True),
    ],
    "record_follow_up": [_text("comment", True), Field("satisfaction", "satisfaction", True)],
    "close": [_text("comment"), _text("late_reason")],
    "mark_not_upheld": [_text("comment", True)],
    "withdraw": [_text("comment", True)],
    "reopen": [_text("comment", True)],
    "comment": [_text("comment", True)],
    "correct": [Field("changes", "changes", True), _text("reason", True)],
    "file_secondary": [
        _text("description", True),
        Field("received_at", "datetime", True),
        Field("channel", "channel", True),
    ],
}
_SERVICES: dict[str, Callable[..., Any]] = registry.SERVICES
_SERVICES |= {
    "classify": services.classify_complaint,
    "answer_on_spot": services.answer_on_spot,
    "answer_and_forward": services.answer_and_forward,
    "propose_transfer": services.propose_transfer,
    "approve_transfer": services.approve_transfer,
    "reject_transfer": services.reject_transfer,
    "accept_transfer": services.accept_transfer,
    "decline_transfer": services.decline_transfer,
    "start_investigation": services.start_investigation,
    "propose_resolution": services.propose_resolution,
    "approve_resolution": services.approve_resolution,
    "return_resolution": services.return_resolution,
    "return_for_rework": services.return_for_rework,
    "reply_to_customer": services.reply_to_customer,
    "record_follow_up": services.record_follow_up,
    "close": services.close_complaint,
    "mark_not_upheld": services.mark_not_upheld,
    "withdraw": services.withdraw_complaint,
    "reopen": services.reopen_complaint,
    "comment": services.add_comment,
    "correct": services.correct_complaint,
    "file_secondary": services.file_secondary_complaint,
}


MAX_ID = 2_147_483_647  # ids are the databases' integers; a larger one overflows SQLite's


def _shown(raw: Any) -> str:
    """An unknown value as an error message may repeat it: storable, and not a page long."""
    text = raw if isinstance(raw, str) else repr(raw)
    return text[:60] if limits.unstorable(text) is None else repr(text)[:60]


def _lookup(model: type, raw: Any, key: str, **extra: Any) -> Any:
    """The row whose ``key`` is ``raw``, or a field error. A code is text, an id a whole number
    (or its digits); anything else (a list, a bool, NUL, a lone surrogate, an id beyond the
    integer range) is unknown before it reaches the database, which would fail on some of them."""
    value: Any = raw
    if isinstance(raw, str) and (limits.unstorable(raw) or len(raw) > limits.USERNAME):
        value = None
    elif key == "pk":
        if isinstance(raw, str) and raw.isascii() and raw.isdigit():
            value = int(raw)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
            value = None
    elif not isinstance(raw, str):
        value = None
    found = None if value is None else model.objects.filter(**{key: value}, **extra).first()
    if found is None:
        raise ValidationError(_("Unknown value: %(value)s") % {"value": _shown(raw)})
    return found


def _plausible(value: Any) -> Any:
    """Refuse far-off dates: converting year 1 or 9999 between time zones overflows (a 500)."""
    day = value.date() if isinstance(value, datetime) else value
    if isinstance(day, date) and not date(1900, 1, 1) <= day <= date(2999, 12, 31):
        raise ValidationError(_("Enter a date between 1900 and 2999."))
    if isinstance(value, datetime) and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _convert(field: Field, raw: Any) -> Any:
    if raw in (None, ""):
        if field.required:
            raise ValidationError(_("This field is required."))
        return "" if field.kind == "text" else None
    match field.kind:
        case "text":
            if not isinstance(raw, str):
                raise ValidationError(_("Enter text."))
            return limits.check_text(raw, max_length=limits.max_length(field.name))
        case "category":
            return _lookup(Category, raw, "code", is_active=True)
        case "severity":
            return _lookup(Severity, raw, "code")
        case "department":
            return _lookup(Department, raw, "code")
        case "position":
            return _lookup(Position, raw, "pk")
        case "staff":
            return _lookup(Staff, raw, "user__username")
        case "channel" | "satisfaction":
            choices = Channel if field.kind == "channel" else Satisfaction
            if raw not in choices.values:
                raise ValidationError(_("Choose one of: %(values)s") % {"values": ", ".join(choices.values)})
            return raw
        case "datetime":
            try:
                value = (
                    raw
                    if isinstance(raw, datetime)
                    else parse_datetime(raw)
                    if isinstance(raw, str)
                    else None
                )
            except ValueError:  # well-formed but impossible, e.g. month 13
                value = None
            if value is None:
                raise ValidationError(_("Enter a date and time."))
            return _plausible(value)
        case "decimal":
            if isinstance(raw, bool) or not isinstance(raw, (str, int, float, Decimal)):
                raise ValidationError(_("Enter a number."))
            try:
                value = Decimal(str(raw))
            except InvalidOperation:
                raise ValidationError(_("Enter a number.")) from None
            if not value.is_finite() or abs(value) >= 100000:
                raise ValidationError(_("Enter a number."))
            return value
        case "changes":
            if not isinstance(raw, dict) or not raw:
                raise ValidationError(_("Give the fields to correct and their new values."))
            return _correction_values(raw)
    return registry.INPUT_KINDS[field.kind].parse(raw)


def _correction_values(raw: dict[str, Any]) -> dict[str, Any]:
    """Turn a correction's raw values into model values, field by field."""
    from kesu.complaints.models import Complaint as model

    values, errors = {}, {}
    for name, value in raw.items():
        if name not in services.CORRECTABLE_FIELDS:
            errors[name] = [_("This field cannot be corrected.")]
            continue
        field = model._meta.get_field(name)
        try:
            if field.is_relation:
                values[name] = None if value in (None, "") else _lookup(field.related_model, value, "pk")
            elif value in (None, "") and field.null:
                values[name] = None
            else:
                values[name] = _plausible(field.to_python(_typed(field, value)))
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    return values


def _typed(field: Any, value: Any) -> Any:
    """A correction's raw value if it has a type the model field can read, else a field error
    (``to_python`` fails with a TypeError on a number where a date is expected)."""
    if isinstance(field, (DateField, DateTimeField)):
        ok = isinstance(value, (str, date))
    elif isinstance(field, IntegerField):
        ok = isinstance(value, int) and not isinstance(value, bool) or isinstance(value, str)
    else:  # text and choices
        ok = isinstance(value, str)
    if not ok:
        raise ValidationError(_("Enter a value of the right type."))
    if isinstance(value, str):
        limits.check_text(value, max_length=field.max_length or limits.DESCRIPTION)
    return value


def parse_inputs(action: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Raw inputs → service keyword arguments, or ValidationError with one message per field."""
    values, errors = {}, {}
    for field in ACTION_INPUTS[action]:
        try:
            values[field.name] = _convert(field, raw.get(field.name))
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):  # a correction's changes: by field
                errors |= {f"{field.name}.{name}": msgs for name, msgs in exc.message_dict.items()}
            else:
                errors[field.name] = exc.messages
    if errors:
        raise ValidationError(errors)
    return {k: v for k, v in values.items() if v is not None}


def perform_action(
    *, complaint: Complaint, action: str, by: Staff, inputs: dict[str, Any], version: int | None
) -> Complaint:
    """Take ``action``. Returns the complaint after the action (for ``file_secondary``: the new one).

    Someone who may not act learns that first, not that a field is missing: when the inputs are
    refused, permission is checked before the field errors are reported. (On the normal path the
    service checks permission itself, under the row lock, so it is checked once.)"""
    if action not in ACTIONS:
        authorize(complaint=complaint, action=action, staff=by)  # raises, naming the allowed ones
    try:
        kwargs = parse_inputs(action, inputs)
        # Nobody complained about is named for anything (回避), whatever the action: a new action
        # with a person among its inputs is covered without its service having to remember.
        refuse_accused(
            complaint, **{f.name: kwargs.get(f.name) for f in ACTION_INPUTS[action] if f.kind == "staff"}
        )
        return _SERVICES[action](complaint=complaint, by=by, version=version, **kwargs)
    except ValidationError:
        authorize(complaint=complaint, action=action, staff=by)
        raise
