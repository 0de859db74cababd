"""The API's input and output shapes for complaints (django-ninja schemas → the OpenAPI document).

Inputs name related records by their business key (class code, customer number, product model,
username), never by database id, except positions, which have no code. Datetimes are ISO 8601;
outputs carry the company's UTC offset (e.g. ``2024-05-01T09:30:00+08:00``); an input without an
offset is read in the company's time zone.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal, Union

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Strict, create_model

from kesu.complaints import actions, registry
from kesu.complaints.models import Channel, Satisfaction, Status
from kesu.complaints.services import CORRECTABLE_FIELDS
from kesu.core import limits

if not apps.ready:
    # The action models, list parameters and detail are built from kesu.complaints.registry, which
    # every app fills in its AppConfig.ready(): importing this module earlier would miss some.
    raise ImproperlyConfigured("import kesu.complaints.schemas only once every app is ready")

# Far-off dates are refused at the edge: converting year 1 or 9999 between time zones overflows.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)
MAX_INT = 2_147_483_647  # the databases' integer column range

# A date or datetime is an ISO 8601 string (JSON has no date type). pydantic alone would also read
# a number (123 → 1970-01-01T00:02:03) or a numeric string (?received_to=0) as a Unix time.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _iso_date_text(value: Any) -> Any:
    if isinstance(value, date):  # already parsed (a caller in Python)
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("must be a date as an ISO 8601 string, e.g. 2024-05-01")
    return value


def _iso_datetime_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATETIME.match(value):
        raise ValueError("must be a date and time as an ISO 8601 string, e.g. 2024-05-01T09:30:00+08:00")
    return value


def _in_range(value: date) -> date:
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"must be between {EARLIEST} and {LATEST}")
    return value


def _aware(value: datetime) -> datetime:
    _in_range(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _storable(value: str) -> str:
    # PostgreSQL cannot store NUL in text, and a lone surrogate ("\ud800") is not UTF-8: refuse
    # both as input instead of failing in the database.
    problem = limits.unstorable(value)
    if problem:
        raise ValueError(problem)
    return value


LocalDateTime = Annotated[datetime, AfterValidator(_local)]
InputDateTime = Annotated[datetime, BeforeValidator(_iso_datetime_text), AfterValidator(_aware)]
InputDate = Annotated[date, BeforeValidator(_iso_date_text), AfterValidator(_in_range)]
# Strict: a number, list or object is not text (pydantic would not turn it into text anyway, but
# strict also refuses what lax mode converts elsewhere).
Text = Annotated[str, Strict(), AfterValidator(_storable)]
# Strict: true is not 1 and 2.7 is not 2.
Count = Annotated[int, Strict(), Field(ge=0, le=MAX_INT)]
Id = Annotated[int, Strict(), Field(ge=1, le=MAX_INT)]
Amount = Annotated[float, Strict(), Field(gt=0, lt=100_000)]


def bounded(name: str) -> Any:
    """Text no longer than its documented limit (kesu.core.limits)."""
    return Annotated[Text, Field(max_length=limits.max_length(name))]


# ---------------------------------------------------------------------------------------------
# Errors


class ErrorOut(Schema):
    """Every error: a sentence for people and, for bad input, the messages per field."""

    detail: str
    errors: dict[str, list[str]] = Field(
        description="Field name (dotted path for nested input) → messages; {} when no field is to blame."
    )


class ActionNotAllowedOut(ErrorOut):
    action: str
    allowed_actions: list[str] = Field(description="The actions the caller may take now.")


class StaleVersionOut(ErrorOut):
    current_version: int = Field(description="Reload the complaint and retry with this version.")


# ---------------------------------------------------------------------------------------------
# Inputs


class ComplaintIn(Schema):
    """The registration form (《客户投诉登记表》)."""

    channel: Channel = Field(description="How the complaint came in.")
    received_at: InputDateTime = Field(
        description="When the customer complained (may be before registration; not in the future)."
    )
    complainant_name: bounded("complainant_name") = Field(min_length=1, description="Who complained.")
    complainant_phone: bounded("complainant_phone") = ""
    complainant_address: bounded("complainant_address") = ""
    customer: bounded("customer") | None = Field(
        None, description="Customer number (Customer.code), if known."
    )
    product: bounded("product") | None = Field(
        None, description="Product model code (Product.model_code), if known."
    )
    product_model: bounded("product_model") = Field("", description="Model as the customer names it.")
    batch_number: bounded("batch_number") = ""
    order_number: bounded("order_number") = ""
    shipped_on: InputDate | None = None
    arrived_on: InputDate | None = None
    quantity: Count | None = None
    defective_quantity: Count | None = Field(None, description="Not more than quantity.")
    description: bounded("description") = Field(
        min_length=1, description="What happened, described objectively."
    )
    requested_remedy: bounded("requested_remedy") = Field(
        "", description="What the customer asks for (退/换货 …)."
    )
    category: bounded("category") | None = Field(
        None, description="Class code; given → the complaint is classified."
    )
    severity: bounded("severity") | None = Field(
        None, description="Severity code; omitted → the default severity."
    )
    accused_staff: list[bounded("accused_staff")] = Field(
        default_factory=list,
        max_length=50,
        description="Usernames of staff complained about (they are recused).",
    )


# ---------------------------------------------------------------------------------------------
# Action inputs: one model per action, generated from actions.ACTION_INPUTS (the one list the web
# forms, the CLI and /reference read too), so the OpenAPI document describes each action's inputs
# and wrong types are refused with the field's dotted path (inputs.reason). Whether an input is
# required is checked after the permission (someone who may not act learns that first), so every
# input is optional here and its description says when it is required.


class _Inputs(Schema):
    model_config = ConfigDict(extra="forbid")


def _correction_changes() -> type[Schema]:
    """A correction's changes: the registration's types for the facts, ids for related records."""
    fields: dict[str, Any] = {}
    for name in CORRECTABLE_FIELDS:
        if name in {"customer", "product", "severity"}:
            fields[name] = (Id | None, Field(None, description=f"The {name}'s id (null clears it)."))
            continue
        info = ComplaintIn.model_fields[name]
        constraints = [
            *info.metadata,
            *([Field(min_length=1)] if name in {"complainant_name", "description"} else []),
        ]
        annotation = Annotated[(info.annotation, *constraints)] if constraints else info.annotation
        fields[name] = (annotation | None, Field(None))
    return create_model("CorrectionChanges", __base__=_Inputs, **fields)


CorrectionChanges = _correction_changes()

_KIND_TYPES: dict[str, Any] = {
    "category": bounded("category"),
    "severity": bounded("severity"),
    "department": bounded("to_department"),
    "staff": bounded("handler"),
    "position": Id,
    "channel": Channel,
    "satisfaction": Satisfaction,
    "datetime": InputDateTime,
    "decimal": Amount,
    "changes": CorrectionChanges,
}


def _input_type(field: actions.Field) -> Any:
    if field.kind == "text":
        return Annotated[Text, Field(max_length=field.max_length)]
    if field.kind in _KIND_TYPES:
        return _KIND_TYPES[field.kind]
    return registry.INPUT_KINDS[field.kind].api_type  # a kind an app registered


def _camel(name: str) -> str:
    return "".join(part.title() for part in name.split("_"))


def _action_model(name: str) -> type[Schema]:
    inputs = create_model(
        f"{_camel(name)}Inputs",
        __base__=_Inputs,
        **{
            f.name: (
                _input_type(f) | None,
                Field(None, description=f"{f.kind}{', required' if f.required else ''}"),
            )
            for f in actions.ACTION_INPUTS[name]
        },
    )
    return create_model(
        f"{_camel(name)}Action",
        __base__=Schema,
        action=(Literal[name], Field(description="The action's name (see GET /reference).")),
        version=(
            Annotated[int, Strict()],
            Field(ge=1, le=MAX_INT, description="The complaint's version as the client last read it."),
        ),
        inputs=(inputs, Field(default_factory=inputs, description="The action's inputs by name.")),
    )


ACTION_MODELS: dict[str, type[Schema]] = {name: _action_model(name) for name in actions.ACTION_INPUTS}
ActionIn = Annotated[Union[tuple(ACTION_MODELS.values())], Field(discriminator="action")]  # noqa: UP007


class _ComplaintListParams(Schema):
    status: Status | None = None
    category: Text | None = Field(None, description="Class code; includes its sub-classes.")
    severity: Text | None = Field(None, description="Severity code.")
    department: Text | None = Field(None, description="Handling department: id or code.")
    received_from: InputDate | None = Field(None, description="Received on or after this day.")
    received_to: InputDate | None = Field(None, description="Received on or before this day.")
    q: bounded("q") | None = Field(None, description="Number, customer, complainant or description.")
    open_only: bool = False
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_INT)


# ---------------------------------------------------------------------------------------------
# Outputs


class CodeName(Schema):
    code: str
    name: str


class StaffRef(Schema):
    username: str
    name: str


class ComplaintSummaryOut(Schema):
    number: str
    status: Status
    status_label: str
    version: int
    is_open: bool
    channel: Channel
    received_at: LocalDateTime
    registered_at: LocalDateTime
    complainant_name: str
    customer: CodeName | None
    category: CodeName | None
    severity: CodeName
    handling_department: CodeName | None
    closed_at: LocalDateTime | None
    updated_at: LocalDateTime
    next_due_at: LocalDateTime | None = Field(
        description="The earliest due time among the complaint's running time limits; null if none runs."
    )


class EventOut(Schema):
    action: str
    at: LocalDateTime
    actor: StaffRef | None
    acting_for: StaffRef | None
    from_status: str
    to_status: str
    comment: str
    data: dict[str, Any]


class TransferSlipOut(Schema):
    state: str
    to_department: CodeName
    to_position: str | None
    reason: str
    proposed_by: StaffRef
    proposed_at: LocalDateTime
    approved_by: StaffRef | None
    approved_at: LocalDateTime | None
    received_by: StaffRef | None
    received_at: LocalDateTime | None


class AttachmentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    uploaded_by: StaffRef
    uploaded_at: LocalDateTime


class ComplaintCreatedOut(ComplaintSummaryOut):
    """What POST /complaints returns: the registered facts (the rest is at the Location)."""

    complainant_phone: str
    complainant_address: str
    product: str | None = Field(description="Product model code.")
    product_model: str
    batch_number: str
    order_number: str
    shipped_on: date | None
    arrived_on: date | None
    quantity: int | None
    defective_quantity: int | None
    description: str
    requested_remedy: str
    registered_by: StaffRef
    accused_staff: list[StaffRef]
    parent: str | None = Field(description="Number of the first complaint, on a secondary complaint.")


class RecusalOut(Schema):
    """A role every holder of which is complained about in this complaint (回避), and who decides instead."""

    role: str = Field(description="The recused role, e.g. general_manager.")
    recused: list[StaffRef] = Field(description="Its holders, all complained about.")
    substitutes: list[StaffRef] = Field(
        description="Who decides instead, as the rule book's recusal substitutes say; empty: nobody."
    )
    blocked_actions: list[str] = Field(
        description="Actions nobody may take until a substitute is configured."
    )
    notice: str = Field(description="What the desk is told, e.g. “总经理回避：由 钱副总 代为决定”.")


class _ComplaintOut(ComplaintCreatedOut):
    handler: StaffRef | None
    resolution: str
    reply: str
    satisfaction: Satisfaction | None
    secondary_complaints: list[str] = Field(description="Numbers of its secondary complaints (二次投诉).")
    timeline: list[EventOut]
    transfer_slips: list[TransferSlipOut]
    attachments: list[AttachmentOut]
    allowed_actions: list[str] = Field(description="The actions the caller may take now.")
    recusal: list[RecusalOut] = Field(
        description="Roles all of whose holders are recused here (回避), and who decides instead."
    )


class ComplaintPageOut(Schema):
    items: list[ComplaintSummaryOut]
    count: int = Field(description="Matching complaints, counted up to 10 000.")
    count_capped: bool = Field(description="True when more than 10 000 match (count is then 10 000).")
    next_offset: int | None = Field(description="Offset of the next page; null on the last page.")


class ChoiceOut(Schema):
    value: str
    label: str


class StatusOut(ChoiceOut):
    terminal: bool


class CategoryOut(Schema):
    code: str
    name: str
    name_en: str
    parent: str | None
    can_answer_on_spot: bool
    transfer_requires_approval: bool


class SeverityOut(Schema):
    code: str
    name: str
    name_en: str
    rank: int
    is_default: bool


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    parent: str | None


class PositionOut(Schema):
    id: int
    name: str
    department: str


class ActionInputOut(Schema):
    name: str
    kind: str = Field(
        description="text | category (code) | severity (code) | department (code) | position (id) | "
        "staff (username) | channel | satisfaction | datetime (ISO 8601) | changes (object: field → value) | "
        "clock (a time-limit kind) | decimal"
    )
    required: bool
    max_length: int | None = Field(description="Most characters a text, code or username may have.")


class ActionOut(Schema):
    name: str
    label: str
    needs_comment: bool
    inputs: list[ActionInputOut]


class ReferenceOut(Schema):
    classes: list[CategoryOut]
    severities: list[SeverityOut]
    channels: list[ChoiceOut]
    statuses: list[StatusOut]
    satisfaction: list[ChoiceOut]
    departments: list[DepartmentOut]
    positions: list[PositionOut]
    actions: list[ActionOut]


# What apps add (kesu.complaints.registry): list filters as query parameters, fields of the detail.
ComplaintListParams = create_model(
    "ComplaintListParams",
    __base__=_ComplaintListParams,
    **{
        name: (f.choices | None, Field(None, description=f.description))
        for name, f in registry.FILTERS.items()
    },
)
ComplaintOut = create_model(
    "ComplaintOut",
    __base__=_ComplaintOut,
    **{name: (f.schema(), Field(description=f.description)) for name, f in registry.DETAIL_FIELDS.items()},
)
