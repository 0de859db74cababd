"""On-time figures (及时率) and average handling time, by department, class, severity or month.

- On-time rate: of the clocks that came due in the period (by due time), the share met on time. A
  clock met late, or still running past its due time, counts as late; cancelled and paused clocks
  and clocks without a due time are left out.
- Average handling time: from receipt to the final reply to the customer (the complaint's last
  ``reply_to_customer`` or ``answer_on_spot``), in hours, over the complaints whose final reply
  fell in the period. A rule book may set a target for it (HandlingTimeTarget, e.g. seed 000
  telecom: 月投诉单平均处理时长不能超过17小时, measured to the final reply, 最终回复); averages above
  it are marked. Without a target nothing is marked.
Both are computed in the database (one grouped query each), so they stay quick at scale: the
month of a time and the hours between two times are SQL expressions on both databases (Django's
``TruncMonth`` and datetime subtraction call a Python function for every row on SQLite).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kesu.complaints.models import Complaint, ComplaintEvent, Status
from kesu.deadlines.models import ClockState, ComplaintClock, HandlingTimeTarget

# The timeline actions that give the customer the final reply (最终回复).
REPLY_ACTIONS = ("reply_to_customer", "answer_on_spot")

# Without a period, figures cover this many calendar months up to today (this month included).
DEFAULT_MONTHS = 6

DIMENSIONS = {
    "department": "handling_department__name",
    "category": "category__name",
    "severity": "severity__name",
    "month": "month",
}


@dataclass(frozen=True)
class FigureRow:
    key: str  # the department, class, severity name or "YYYY-MM"; "—" when not set
    clocks_due: int
    on_time: int
    late: int
    on_time_rate: float | None  # 0..1, None when nothing came due
    closed: int
    average_handling_hours: float | None
    replied: int = 0  # complaints whose final reply fell in the period (the average is over them)
    target_hours: float | None = None  # the rule book's HandlingTimeTarget; None: no target

    @property
    def above_target(self) -> bool:
        """The average handling time misses the rule book's target (never without a target)."""
        return (
            self.target_hours is not None
            and self.average_handling_hours is not None
            and self.average_handling_hours > self.target_hours
        )


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last DEFAULT_MONTHS calendar months up to ``today`` (default: today): from the 1st of
    the month five months before to that day."""
    today = today or timezone.localdate()
    month_index = today.year * 12 + today.month - 1 - (DEFAULT_MONTHS - 1)
    return date(month_index // 12, month_index % 12 + 1, 1), today


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# Up to this many months, the month of a time is a CASE over the months' start times; beyond
# (a period of decades) Django's TruncMonth (a Python function per row on SQLite).
MAX_CASE_MONTHS = 600


def local_month(field: str, start: datetime, end: datetime) -> Case | TruncMonth:
    """'YYYY-MM' of ``field`` in the current time zone, for times in ``start``–``end``: a CASE over
    the local months' first instants (``field < <1 July 00:00 local> THEN '2026-06' …``), exact in
    any zone (daylight saving included) and plain comparisons for the database, per row."""
    first = timezone.localtime(start).date().replace(day=1)
    last = timezone.localtime(end).date()
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    if count > MAX_CASE_MONTHS:
        return TruncMonth(field)
    whens = []
    for index in range(first.year * 12 + first.month - 1, first.year * 12 + first.month - 1 + count):
        month = date(index // 12, index % 12 + 1, 1)
        following = index + 1
        boundary = _start(date(following // 12, following % 12 + 1, 1))
        whens.append(When(**{f"{field}__lt": boundary}, then=Value(f"{month:%Y-%m}")))
    return Case(*whens, default=Value(None))


class _NoIndex(Func):
    """The column as a value SQLite may not look up in an index (``+column``). The clocks of the
    visible complaints are read from the clocks' due-time index (the period is what selects); with
    statistics present SQLite preferred to walk every visible complaint and look up its clocks —
    every complaint ever, for a director."""

    template = "+%(expressions)s"

    def as_postgresql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])


def clocks_among(complaints: QuerySet[Complaint]) -> QuerySet[ComplaintClock]:
    if not complaints.query.where:  # every complaint (the desk, leadership): no condition at all
        return ComplaintClock.objects.all()
    return ComplaintClock.objects.alias(of=_NoIndex("complaint_id", output_field=IntegerField())).filter(
        of__in=complaints.values("pk")
    )


class Seconds(Func):
    """``end - start`` in seconds, as a float, computed by the database."""

    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra_context,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))::float",
            arg_joiner=" - ",
            **extra_context,
        )


def figures(
    *,
    by: str,
    since: date,
    until: date,
    complaints: QuerySet[Complaint] | None = None,
    now: datetime | None = None,
) -> list[FigureRow]:
    """Figures grouped by ``by`` (department / category / severity / month) for ``since``–``until``
    (inclusive). ``complaints`` limits them to what the viewer may see."""
    if by not in DIMENSIONS:
        raise ValueError(f"by must be one of {sorted(DIMENSIONS)}")
    now = now or timezone.now()
    complaints = complaints if complaints is not None else Complaint.objects.all()
    start, end = _start(since), _start(until) + timedelta(days=1)

    clocks = clocks_among(complaints).filter(due_at__gte=start, due_at__lt=end)
    # Came due: met, or still running past the due time (ComplaintClock.is_late_at, in SQL). Written
    # as state IN (…) AND (met OR before now), not as an OR of two index ranges: SQLite answers an
    # OR by collecting row ids and reading every row from the table, where the IN reads the
    # (state, due_at, stopped_at) index alone (1.2 s → see bench/RESULTS.md at a million).
    clocks = clocks.filter(state__in=[ClockState.MET, ClockState.RUNNING]).filter(
        Q(state=ClockState.MET) | Q(due_at__lt=now)
    )
    key = DIMENSIONS[by]
    clock_key = "month" if by == "month" else f"complaint__{key}"
    if by == "month":
        clocks = clocks.annotate(month=local_month("due_at", start, end))
    on_time = Q(state=ClockState.MET, stopped_at__lte=F("due_at"))
    clock_rows = clocks.values(clock_key).annotate(due=Count("pk"), on_time=Count("pk", filter=on_time))

    closed = complaints.filter(status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end)
    if by == "month":
        closed = closed.annotate(month=local_month("closed_at", start, end))
    closed_rows = closed.values(key).annotate(closed=Count("pk"))

    # The final replies in the period: reply events with no later reply event on the complaint.
    later_reply = ComplaintEvent.objects.filter(
        complaint_id=OuterRef("complaint_id"), action__in=REPLY_ACTIONS
    ).filter(Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), pk__gt=OuterRef("pk")))
    replies = ComplaintEvent.objects.filter(action__in=REPLY_ACTIONS, at__gte=start, at__lt=end).filter(
        ~Exists(later_reply)
    )
    if complaints.query.where:  # what the viewer may see (nothing to add for the desk, leadership)
        replies = replies.filter(complaint__in=complaints.values("pk"))
    reply_key = "month" if by == "month" else f"complaint__{key}"
    if by == "month":
        replies = replies.annotate(month=local_month("at", start, end))
    handling = Seconds("at", "complaint__received_at")
    reply_rows = replies.values(reply_key).annotate(replied=Count("pk"), average=Avg(handling))

    def label(value: object) -> str:
        if value is None:
            return "—"
        if isinstance(value, datetime):
            return (
                timezone.localtime(value).strftime("%Y-%m")
                if timezone.is_aware(value)
                else value.strftime("%Y-%m")
            )
        return str(value)

    rows: dict[str, dict[str, object]] = {}
    for row in clock_rows:
        entry = rows.setdefault(label(row[clock_key]), {})
        entry["due"] = entry.get("due", 0) + row["due"]
        entry["on_time"] = entry.get("on_time", 0) + row["on_time"]
    for row in closed_rows:
        entry = rows.setdefault(label(row[key]), {})
        entry["closed"] = row["closed"]
    for row in reply_rows:
        entry = rows.setdefault(label(row[reply_key]), {})
        entry["replied"] = entry.get("replied", 0) + row["replied"]
        entry["average"] = row["average"]
    target = HandlingTimeTarget.current_hours()
    result = []
    for name in sorted(rows):
        entry = rows[name]
        due, good = int(entry.get("due", 0)), int(entry.get("on_time", 0))
        average = entry.get("average")
        result.append(
            FigureRow(
                key=name,
                clocks_due=due,
                on_time=good,
                late=due - good,
                on_time_rate=(good / due) if due else None,
                closed=int(entry.get("closed", 0)),
                average_handling_hours=(float(average) / 3600) if average is not None else None,
                replied=int(entry.get("replied", 0)),
                target_hours=target,
            )
        )
    return result


@dataclass(frozen=True)
class LateCase:
    """A time limit met late or still overdue, with the reason given at closing (洽办单)."""

    number: str
    kind: str
    kind_label: str
    due_at: datetime
    met_at: datetime | None  # None: still open past its due time
    late_reason: str


def late_cases(
    *,
    since: date,
    until: date,
    complaints: QuerySet[Complaint] | None = None,
    now: datetime | None = None,
    limit: int = 200,
) -> list[LateCase]:
    """The late time limits that came due in the period, newest first (two queries: those met late
    and those still running past their due time, each newest first from the clocks' (state, due)
    index and stopped after ``limit`` rows, then merged)."""
    now = now or timezone.now()
    complaints = complaints if complaints is not None else Complaint.objects.all()
    start, end = _start(since), _start(until) + timedelta(days=1)
    in_period = (
        clocks_among(complaints)
        .filter(due_at__gte=start, due_at__lt=end)
        .select_related("complaint")
        .order_by("-due_at", "-id")
    )
    met_late = in_period.filter(state=ClockState.MET, stopped_at__gt=F("due_at"))[:limit]
    overdue = in_period.filter(state=ClockState.RUNNING, due_at__lt=now)[:limit]
    late = sorted([*met_late, *overdue], key=lambda clock: (clock.due_at, clock.pk), reverse=True)[:limit]
    return [
        LateCase(
            number=clock.complaint.number,
            kind=clock.kind,
            kind_label=str(clock.get_kind_display()),
            due_at=clock.due_at,
            met_at=clock.stopped_at if clock.state == ClockState.MET else None,
            late_reason=clock.late_reason,
        )
        for clock in late
    ]
