"""The API's input and output shapes for complaints (django-ninja schemas → the OpenAPI document).

Inputs name related records by their business key (class code, customer number, product model,
username), never by database id, except positions, which have no code. Datetimes are ISO 8601;
outputs carry the company's UTC offset (e.g. ``2024-05-01T09:30:00+08:00``); an input without an
offset is read in the company's time zone.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator

from kesu.complaints.models import Channel, Satisfaction, Status
from kesu.deadlines.models import ClockKind, ClockState, Unit
from kesu.deadlines.selectors import Due, Standing

# Far-off dates are refused at the edge: converting year 1 or 9999 between time zones overflows.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


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


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; refuse it as input instead of failing in the database.
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


def _no_nul_anywhere(value: Any) -> Any:
    if isinstance(value, str):
        _no_nul(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_nul_anywhere(key)
            _no_nul_anywhere(item)
    elif isinstance(value, list):
        for item in value:
            _no_nul_anywhere(item)
    return value


LocalDateTime = Annotated[datetime, AfterValidator(_local)]
InputDateTime = Annotated[datetime, AfterValidator(_aware)]
InputDate = Annotated[date, AfterValidator(_in_range)]
Text = Annotated[str, AfterValidator(_no_nul)]
MAX_INT = 2_147_483_647  # the databases' integer column range


# ---------------------------------------------------------------------------------------------
# Errors


class ErrorOut(Schema):
    """Every error: a sentence for people and, for bad input, the messages per field."""

    detail: str
    errors: dict[str, list[str]] = Field(
        default_factory=dict, description="Field name (dotted path for nested input) → messages."
    )


class ActionNotAllowedOut(Schema):
    detail: str
    action: str
    allowed_actions: list[str] = Field(description="The actions the caller may take now.")


class StaleVersionOut(Schema):
    detail: str
    current_version: int = Field(description="Reload the complaint and retry with this version.")


# ---------------------------------------------------------------------------------------------
# Inputs


class ComplaintIn(Schema):
    """The registration form (《客户投诉登记表》)."""

    channel: Channel = Field(description="How the complaint came in.")
    received_at: InputDateTime = Field(
        description="When the customer complained (may be before registration; not in the future)."
    )
    complainant_name: Text = Field(min_length=1, max_length=100, description="Who complained.")
    complainant_phone: Text = Field("", max_length=40)
    complainant_address: Text = Field("", max_length=300)
    customer: Text | None = Field(None, description="Customer number (Customer.code), if known.")
    product: Text | None = Field(None, description="Product model code (Product.model_code), if known.")
    product_model: Text = Field("", max_length=60, description="Model as the customer names it.")
    batch_number: Text = Field("", max_length=60)
    order_number: Text = Field("", max_length=60)
    shipped_on: InputDate | None = None
    arrived_on: InputDate | None = None
    quantity: int | None = Field(None, ge=0, le=MAX_INT)
    defective_quantity: int | None = Field(None, ge=0, le=MAX_INT, description="Not more than quantity.")
    description: Text = Field(min_length=1, description="What happened, described objectively.")
    requested_remedy: Text = Field("", description="What the customer asks for (退/换货 …).")
    category: Text | None = Field(None, description="Class code; given → the complaint is classified.")
    severity: Text | None = Field(None, description="Severity code; omitted → the default severity.")
    accused_staff: list[Text] = Field(
        default_factory=list, description="Usernames of staff complained about (they are recused)."
    )


class ActionIn(Schema):
    action: Text = Field(description="An action name; GET /reference lists them with their inputs.")
    version: int = Field(ge=1, le=MAX_INT, description="The complaint's version as the client last read it.")
    inputs: Annotated[dict[str, Any], AfterValidator(_no_nul_anywhere)] = Field(
        default_factory=dict, description="The action's inputs by name (see GET /reference)."
    )


class ComplaintListParams(Schema):
    status: Status | None = None
    category: Text | None = Field(None, description="Class code; includes its sub-classes.")
    severity: Text | None = Field(None, description="Severity code.")
    department: Text | None = Field(None, description="Handling department: id or code.")
    received_from: InputDate | None = Field(None, description="Received on or after this day.")
    received_to: InputDate | None = Field(None, description="Received on or before this day.")
    q: Text | None = Field(None, max_length=100, description="Number, customer, complainant or description.")
    open_only: bool = False
    due: Due | None = Field(
        None,
        description="`overdue`: a running time limit is past its due time; `today`: a running time "
        "limit falls due between now and the end of today (company time zone).",
    )
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


class ExtensionOut(Schema):
    """An extension request (延期申请) on a time limit."""

    extra_amount: float = Field(description="Extra time, in the time limit's unit.")
    unit: Unit
    reason: str
    state: str = Field(description="pending | approved | rejected")
    requested_by: StaffRef
    requested_at: LocalDateTime
    decided_by: StaffRef | None
    decided_at: LocalDateTime | None


class ClockOut(Schema):
    """A time limit (时限) running on the complaint."""

    kind: ClockKind
    kind_label: str
    state: ClockState
    standing: Standing = Field(
        description="running | overdue | paused | met_on_time | met_late | cancelled | no_due_time"
    )
    unit: Unit
    started_at: LocalDateTime = Field(description="When it started counting.")
    due_at: LocalDateTime | None = Field(description="Null when it cannot be computed (see due_error).")
    due_error: str = Field(
        description="Why the due time cannot be computed, e.g. the working calendar does not cover "
        "the year; empty otherwise."
    )
    paused: bool
    overdue: bool = Field(description="Running and past its due time.")
    remaining_seconds: int | None = Field(
        description="Seconds until the due time (negative when overdue); null unless running with a due time."
    )
    stopped_at: LocalDateTime | None
    escalation_level: int
    late_reason: str = Field(description="Why it was late (洽办), given when the complaint was closed.")
    extensions: list[ExtensionOut]


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


class ComplaintOut(ComplaintCreatedOut):
    handler: StaffRef | None
    resolution: str
    reply: str
    satisfaction: Satisfaction | None
    secondary_complaints: list[str] = Field(description="Numbers of its secondary complaints (二次投诉).")
    timeline: list[EventOut]
    transfer_slips: list[TransferSlipOut]
    attachments: list[AttachmentOut]
    clocks: list[ClockOut] = Field(description="Its time limits, in the order they started.")
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
