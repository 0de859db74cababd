"""The statistics API's shapes (GET /api/v1/statistics)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from kesu.complaints.schemas import InputDate

Dimension = Literal[
    "month",
    "category",
    "severity",
    "channel",
    "department",
    "customer",
    "product",
    "batch",
    "region",
    "customer_class",
]


class StatisticsParams(Schema):
    by: Dimension = Field(
        "month",
        description="Group by month, class, severity, channel, department, customer, product, batch, "
        "region or customer class.",
    )
    since: InputDate | None = Field(
        None, description="First day (inclusive); default: the 1st of the month five months before `until`."
    )
    until: InputDate | None = Field(
        None, description="Last day (inclusive); default: today. At most ten years."
    )


class ClockFigureOut(Schema):
    kind: str
    due: int = Field(description="Time limits of this kind that came due in the period.")
    on_time: int
    late: int
    rate: float | None = Field(description="on_time / due (0..1); null when none came due.")


class StatisticsRowOut(Schema):
    key: str = Field(
        description="The group: YYYY-MM, an id, a channel code, or `none`; the drill-down's `key`."
    )
    label: str
    received: int
    previous_received: int | None = Field(description="Received in the month (period) before.")
    change: float | None = Field(description="(received − previous) / previous; null without a base.")
    open: int = Field(description="Of those received, still open now.")
    overdue: int = Field(description="Of those received and open, with a running time limit past due now.")
    secondary: int = Field(description="Of those received, secondary complaints (二次投诉).")
    closed: int = Field(description="Closed in the period.")
    satisfied: int = Field(description="Of those closed, the customer last said very satisfied or satisfied.")
    neutral: int
    unsatisfied: int = Field(description="Of those closed, unsatisfied or very unsatisfied.")
    satisfaction_rate: float | None = Field(
        description="satisfied / (satisfied + neutral + unsatisfied); null when nobody said."
    )
    upheld: int = Field(description="Latest approved decision decided in the period, with an upheld cause.")
    not_upheld: int
    loss_amount: Decimal = Field(description="Their loss amounts (CNY).")
    compensation: Decimal
    replied: int = Field(description="Final replies (最终回复) in the period.")
    average_hours: float | None = Field(description="Average hours from receipt to the final reply.")
    p50_hours: float | None
    p90_hours: float | None
    clocks: list[ClockFigureOut]


class BearerOut(Schema):
    key: str = Field(description="The drill-down key of measure `bearer`.")
    label: str
    amount: Decimal = Field(
        description="The loss amounts borne (CNY), exact shares summed and rounded to the fen."
    )
    complaints: int


class HotSpotOut(Schema):
    by: Literal["product", "batch"]
    key: str = Field(description="The drill-down key under `by` (a product id or a batch number).")
    label: str
    count: int = Field(description="Received in the period.")
    history: list[int] = Field(description="Received in each earlier period of equal length, oldest first.")
    mean: float
    sigma: float
    threshold: float = Field(description="mean + k·σ (the rule book's HotSpotRule); count exceeds it.")


class StatisticsOut(Schema):
    by: Dimension
    since: date
    until: date
    target_hours: float | None = Field(
        description="The rule book's handling-time target; null when it sets none."
    )
    rows: list[StatisticsRowOut]
    totals: StatisticsRowOut
    hot_spots: list[HotSpotOut]
    bearers: list[BearerOut]


class ExportIn(Schema):
    kind: Literal["complaints", "drill"] = Field(
        description="`complaints`: the complaint list; `drill`: the complaints behind a statistics figure."
    )
    query: str = Field(
        "",
        max_length=2000,
        description="The filters as the page's query string: the list's (`status=closed&q=…`) or the "
        "drill-down's (`by=month&since=…&until=…&measure=received&key=2026-11`).",
    )


class ExportOut(Schema):
    id: int
    kind: str
    query: str
    state: Literal["queued", "running", "done", "failed"]
    rows_total: int = Field(description="Rows to write (known once the worker starts).")
    rows_done: int = Field(description="Rows written so far.")
    percent: int = Field(description="Progress 0..100.")
    requested_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None = Field(description="The file is deleted then.")
    size: int = Field(description="Bytes of the finished file.")
    error: str
    download_url: str | None = Field(
        description="Where the requester (signed in) downloads the finished file; null until done or after expiry."
    )
