"""The API's shapes for the deadlines app: a complaint's time limits (in its detail) and the on-time
figures (及时率)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Field, Schema

from kesu.complaints.schemas import InputDate, LocalDateTime, StaffRef
from kesu.deadlines.models import ClockKind, ClockState, Unit
from kesu.deadlines.selectors import Standing


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


Dimension = Literal["department", "category", "severity", "month"]


class FiguresParams(Schema):
    by: Dimension = Field("month", description="Group by handling department, class, severity or month.")
    since: InputDate | None = Field(
        None, description="First day (inclusive); default: the 1st of the month five months before `until`."
    )
    until: InputDate | None = Field(None, description="Last day (inclusive); default: today.")


class FigureRowOut(Schema):
    key: str = Field(description="The department, class or severity name, or YYYY-MM; — when not set.")
    clocks_due: int = Field(description="Time limits that came due in the period (cancelled ones left out).")
    on_time: int = Field(description="Of those, met by their due time.")
    late: int = Field(description="Met late, or still open past their due time.")
    on_time_rate: float | None = Field(description="on_time / clocks_due (0..1); null when nothing came due.")
    closed: int = Field(description="Complaints closed in the period.")
    replied: int = Field(description="Complaints whose final reply to the customer fell in the period.")
    average_handling_hours: float | None = Field(
        description="Average hours from receipt to the final reply over those; null when none replied."
    )
    above_target: bool = Field(
        description="The average exceeds target_average_hours (never when the rule book sets no target)."
    )


class LateCaseOut(Schema):
    number: str
    clock: str
    clock_label: str
    due_at: LocalDateTime
    met_at: LocalDateTime | None = Field(description="When it was met; null while it is still open past due.")
    late_reason: str = Field(
        description="The reason given when the complaint was closed (洽办); empty until then."
    )


class FiguresOut(Schema):
    by: Dimension
    since: date
    until: date
    target_average_hours: float | None = Field(
        description="The rule book's target for the average hours from receipt to the final reply "
        "(e.g. telecom: 17); null when the rule book sets none."
    )
    rows: list[FigureRowOut]
    late_cases: list[LateCaseOut] = Field(
        description="The late time limits of the period, newest first (at most 200)."
    )
