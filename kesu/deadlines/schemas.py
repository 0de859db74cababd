"""The API's shapes for the deadlines app: on-time figures (及时率)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Field, Schema

from kesu.complaints.schemas import InputDate, LocalDateTime

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
