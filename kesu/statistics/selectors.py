"""Complaint statistics (投诉统计): what the rule books' monthly tables ask, counted by the database.

A view is one period (any ``since``–``until``, inclusive, company time zone) grouped by one
dimension: the month, or the complaint's class, severity, channel, responsible department or
customer. Each measure counts in its own date (a complaint received in May and closed in June is
"received" in May and "closed" in June):

- received — received in the period; of them, still open now (open), with a running time limit
  past its due time now (overdue), and secondary complaints (二次投诉, filed against an earlier one);
- closed — closed (结案) in the period;
- upheld / not upheld — the handling decision (处理决定) whose latest approved version was decided
  in the period, by its cause (成立 / 不成立, kesu.decisions); its money lines are summed with it,
  and the loss amount is split by the version's responsibility shares (who bears it);
- on-time rate per clock kind — the time limits that came due in the period (as the figures page:
  met on time / met late or still running past due);
- handling time — receipt to final reply (最终回复), over the final replies in the period: average
  and percentiles (nearest rank), against the rule book's own HandlingTimeTarget (none without one);
- change — received against the month before (by month) or the previous period of equal length.

Every figure is a grouped query (conditional counts and sums; percentiles by window functions,
returning one row per group); Python only merges the few grouped rows. Every figure is scoped by
what the viewer may see (``complaints_visible_to``), and ``drill`` gives the complaints behind any
figure, with the same conditions — a figure and its drill-down count the same complaints.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import NullIf, RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.archive.models import CustomerClass
from kesu.complaints.models import (
    TERMINAL_STATUSES,
    Category,
    Channel,
    Complaint,
    Satisfaction,
    Severity,
    Status,
)
from kesu.customers.models import Customer, Product
from kesu.deadlines.figures import Seconds, clocks_among, local_month
from kesu.deadlines.models import ClockKind, ClockState, ComplaintClock, HandlingTimeTarget
from kesu.decisions.models import DecisionVersion, PartyKind, ResponsibilityShare, VersionStatus
from kesu.organization.models import Department, Staff

DIMENSIONS = {
    "month": _("month"),
    "category": _("class"),
    "severity": _("severity"),
    "channel": _("channel"),
    "department": _("responsible department"),
    "customer": _("customer"),
    "product": _("product"),
    "batch": _("batch"),
    "region": _("region"),
    "customer_class": _("customer class"),
}
# The complaint's field each dimension groups by (month: the measure's own date, see _key).
FIELDS = {
    "category": "category_id",
    "severity": "severity_id",
    "channel": "channel",
    "department": "handling_department_id",
    "customer": "customer_id",
    "product": "product_id",
    "batch": "batch_number",
    "region": "customer__region",
    # the customer's class in the rule book's scheme (客户类别, kesu.archive's customer archive)
    "customer_class": "customer__archive__customer_class_id",
}
# Text dimensions where a blank value means "none" (a complaint with no batch, a customer with no region).
BLANK_IS_NONE = {"batch", "region"}
# Satisfaction (满意度) as the customer last gave it (at the reply or the follow-up visit), over
# the complaints closed in the period: satisfied = very satisfied or satisfied.
SATISFIED = (Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED)
NEUTRAL = (Satisfaction.NEUTRAL,)
UNSATISFIED = (Satisfaction.UNSATISFIED, Satisfaction.VERY_UNSATISFIED)
SATISFACTION_MEASURES = {"satisfied": SATISFIED, "neutral": NEUTRAL, "unsatisfied": UNSATISFIED}
NONE_KEY = "none"  # the group of complaints without a value (no customer, no class yet)

# The measures a drill-down names (``drill(measure=…)``); clock measures are "<measure>:<kind>".
COMPLAINT_MEASURES = (
    "received",
    "open",
    "overdue",
    "secondary",
    "closed",
    "upheld",
    "not_upheld",
    "replied",
    *SATISFACTION_MEASURES,
)
CLOCK_MEASURES = ("due", "on_time", "late")
PERCENTILES = (50, 90)
# A period longer than this is refused: the month CASE and the bar charts stay readable.
MAX_PERIOD_DAYS = 366 * 10
HUNDRED = Decimal("100")


class StatisticsError(ValueError):
    """Bad input for a statistics view: ``field`` names the parameter at fault."""

    def __init__(self, field: str, message: Any) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


@dataclass(frozen=True)
class View:
    """One statistics view: the dimension and the period (inclusive dates, company time zone)."""

    by: str
    since: date
    until: date

    def __post_init__(self) -> None:
        if self.by not in DIMENSIONS:
            raise StatisticsError("by", _("Unknown dimension; choose one of: %s.") % ", ".join(DIMENSIONS))
        if self.until < self.since:
            raise StatisticsError("until", _("The end date is before the start date."))
        if (self.until - self.since).days > MAX_PERIOD_DAYS:
            raise StatisticsError("until", _("A period is at most ten years."))

    @property
    def start(self) -> datetime:
        return _local_start(self.since)

    @property
    def end(self) -> datetime:  # exclusive
        return _local_start(self.until + timedelta(days=1))

    def previous(self) -> View:
        """The period of equal length just before (for the change column)."""
        length = self.until - self.since + timedelta(days=1)
        return View(by=self.by, since=self.since - length, until=self.since - timedelta(days=1))


def _local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def month_bounds(key: str) -> tuple[datetime, datetime]:
    """'YYYY-MM' → its first instant and the next month's, in the company time zone."""
    try:
        year, month = (int(part) for part in key.split("-"))
        first = date(year, month, 1)
    except ValueError as exc:
        raise StatisticsError("key", _("Not a month: %s.") % key) from exc
    following = date(year + month // 12, month % 12 + 1, 1)
    return _local_start(first), _local_start(following)


@dataclass
class ClockFigure:
    due: int = 0
    on_time: int = 0

    @property
    def late(self) -> int:
        return self.due - self.on_time

    @property
    def rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


@dataclass
class Row:
    """One group's figures. ``key`` identifies the group for a drill-down ('2026-05', an id, a
    channel code, or ``NONE_KEY``); ``label`` is what a reader sees."""

    key: str
    label: str = ""
    received: int = 0
    open: int = 0
    overdue: int = 0
    secondary: int = 0
    closed: int = 0
    upheld: int = 0
    not_upheld: int = 0
    loss_amount: Decimal = Decimal("0.00")
    compensation: Decimal = Decimal("0.00")
    repair_budget: Decimal = Decimal("0.00")
    freight: Decimal = Decimal("0.00")
    satisfied: int = 0
    neutral: int = 0
    unsatisfied: int = 0
    replied: int = 0
    average_hours: float | None = None
    percentile_hours: dict[int, float] = field(default_factory=dict)
    clocks: dict[str, ClockFigure] = field(default_factory=dict)
    previous_received: int | None = None

    @property
    def change(self) -> float | None:
        """Received, relative change against the previous month (period); None without a base."""
        if not self.previous_received:
            return None
        return (self.received - self.previous_received) / self.previous_received

    @property
    def satisfaction_rate(self) -> float | None:
        """Satisfied of those closed in the period who gave their satisfaction; None if nobody did."""
        rated = self.satisfied + self.neutral + self.unsatisfied
        return self.satisfied / rated if rated else None

    @property
    def p50_hours(self) -> float | None:
        return self.percentile_hours.get(50)

    @property
    def p90_hours(self) -> float | None:
        return self.percentile_hours.get(90)


@dataclass(frozen=True)
class Bearer:
    """Who bears the losses (损失分摊): a responsible party and its part of the loss amounts."""

    key: str  # "<party>:<department id | staff id | name>"
    label: str
    amount: Decimal
    complaints: int


@dataclass
class Statistics:
    view: View
    rows: list[Row]
    totals: Row
    kinds: list[tuple[str, str]]  # the clock kinds that came due, with their labels
    bearers: list[Bearer]
    target_hours: float | None  # the rule book's HandlingTimeTarget; None: the rule book sets none
    hot_spots: list[HotSpot] = field(default_factory=list)

    def above_target(self, row: Row) -> bool:
        return (
            self.target_hours is not None
            and row.average_hours is not None
            and row.average_hours > self.target_hours
        )


# ---------------------------------------------------------------------------------------------
# The grouped querysets, one per family of measures (and their drill-downs)


def _scoped(complaints: QuerySet[Complaint]) -> QuerySet[Complaint]:
    return complaints.order_by()


def _in(queryset: QuerySet[Any], path: str, complaints: QuerySet[Complaint]) -> QuerySet[Any]:
    """``queryset`` limited to the viewer's complaints (nothing added when they see all)."""
    if not complaints.query.where:
        return queryset
    return queryset.filter(**{f"{path}__in": complaints.order_by().values("pk")})


def _key(view: View, date_field: str, complaint_path: str = "") -> Any:
    """The group key expression: the local month of ``date_field``, or the dimension's field."""
    if view.by == "month":
        return local_month(date_field, view.start, view.end)
    if view.by in BLANK_IS_NONE:
        return NullIf(F(f"{complaint_path}{FIELDS[view.by]}"), Value(""))
    return F(f"{complaint_path}{FIELDS[view.by]}")


def _overdue(now: datetime) -> Q:
    """A running time limit is past its due time: ``next_due_at`` is the earliest due time of the
    complaint's running clocks (kept by kesu.deadlines in the clocks' transaction), so one column
    answers without reading the clocks."""
    return Q(next_due_at__lt=now)


def _received(view: View, complaints: QuerySet[Complaint]) -> QuerySet[Complaint]:
    return _scoped(complaints).filter(received_at__gte=view.start, received_at__lt=view.end)


def _closed(view: View, complaints: QuerySet[Complaint]) -> QuerySet[Complaint]:
    return _scoped(complaints).filter(status=Status.CLOSED, closed_at__gte=view.start, closed_at__lt=view.end)


def _decided(view: View, complaints: QuerySet[Complaint]) -> QuerySet[DecisionVersion]:
    """Each complaint's latest approved decision version, when it was decided in the period."""
    later = DecisionVersion.objects.filter(
        decision_id=OuterRef("decision_id"), status=VersionStatus.APPROVED, number__gt=OuterRef("number")
    )
    versions = DecisionVersion.objects.filter(
        status=VersionStatus.APPROVED, decided_at__gte=view.start, decided_at__lt=view.end
    ).filter(~Exists(later))
    return _in(versions, "decision__complaint", complaints).order_by()


def _final_replies(view: View, complaints: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """The complaints whose final reply (最终回复) was in the period: ``final_reply_at``, the time of
    the complaint's last reply, kept by the reply action in its own transaction — a range on the
    (final_reply_at, received_at) index instead of a search of each reply's later replies."""
    return _scoped(complaints).filter(final_reply_at__gte=view.start, final_reply_at__lt=view.end)


def _came_due(view: View, complaints: QuerySet[Complaint], now: datetime) -> QuerySet[ComplaintClock]:
    """The time limits that came due in the period: met, or running past their due time."""
    clocks = clocks_among(_scoped(complaints)).filter(due_at__gte=view.start, due_at__lt=view.end)
    return clocks.filter(state__in=[ClockState.MET, ClockState.RUNNING]).filter(
        Q(state=ClockState.MET) | Q(due_at__lt=now)
    )


ON_TIME = Q(state=ClockState.MET, stopped_at__lte=F("due_at"))


def _label(value: Any) -> str:
    return NONE_KEY if value is None else str(value)


# ---------------------------------------------------------------------------------------------
# The view


def statistics(*, view: View, complaints: QuerySet[Complaint], now: datetime | None = None) -> Statistics:
    """The figures of ``view`` over ``complaints`` (what the viewer may see): a fixed number of
    grouped queries whatever the number of complaints."""
    now = now or timezone.now()
    rows: dict[str, Row] = {}

    def row(value: Any) -> Row:
        key = _label(value)
        return rows.setdefault(key, Row(key=key))

    received = _received(view, complaints).annotate(k=_key(view, "received_at"))
    for entry in received.values("k").annotate(
        received=Count("pk"),
        open=Count("pk", filter=~Q(status__in=TERMINAL_STATUSES)),
        overdue=Count("pk", filter=_overdue(now) & ~Q(status__in=TERMINAL_STATUSES)),
        secondary=Count("pk", filter=Q(parent__isnull=False)),
    ):
        target = row(entry["k"])
        target.received, target.open = entry["received"], entry["open"]
        target.overdue, target.secondary = entry["overdue"], entry["secondary"]

    for entry in (
        _closed(view, complaints)
        .annotate(k=_key(view, "closed_at"))
        .values("k")
        .annotate(
            n=Count("pk"),
            satisfied=Count("pk", filter=Q(satisfaction__in=SATISFIED)),
            neutral=Count("pk", filter=Q(satisfaction__in=NEUTRAL)),
            unsatisfied=Count("pk", filter=Q(satisfaction__in=UNSATISFIED)),
        )
    ):
        target = row(entry["k"])
        target.closed = entry["n"]
        target.satisfied, target.neutral = entry["satisfied"], entry["neutral"]
        target.unsatisfied = entry["unsatisfied"]

    decided = _decided(view, complaints).annotate(k=_key(view, "decided_at", "decision__complaint__"))
    for entry in decided.values("k").annotate(
        upheld=Count("pk", filter=Q(cause__upheld=True)),
        not_upheld=Count("pk", filter=Q(cause__upheld=False)),
        loss_amount=Sum("loss_amount"),
        compensation=Sum("compensation"),
        repair_budget=Sum("repair_budget"),
        freight=Sum("freight"),
    ):
        target = row(entry["k"])
        target.upheld, target.not_upheld = entry["upheld"], entry["not_upheld"]
        for line in ("loss_amount", "compensation", "repair_budget", "freight"):
            target.__dict__[line] = _money(entry[line])

    handling = _handling_figures(view, complaints)
    period_percentiles = handling.pop(TOTAL, (0, 0.0, {}))[2]
    for key, (count, average, hours) in handling.items():
        target = row(key)
        target.replied, target.average_hours, target.percentile_hours = count, average, hours

    kinds: set[str] = set()
    due = _came_due(view, complaints, now).annotate(k=_key(view, "due_at", "complaint__"))
    for entry in due.values("k", "kind").annotate(due=Count("pk"), on_time=Count("pk", filter=ON_TIME)):
        kinds.add(entry["kind"])
        row(entry["k"]).clocks[entry["kind"]] = ClockFigure(due=entry["due"], on_time=entry["on_time"])

    _previous(view, complaints, rows)
    _labels(view, rows.values())
    ordered = sorted(rows.values(), key=lambda r: _sort_key(view, r))
    kind_labels = dict(ClockKind.choices)
    return Statistics(
        view=view,
        rows=ordered,
        totals=_totals(ordered, view, complaints, period_percentiles),
        kinds=[(kind, str(kind_labels.get(kind, kind))) for kind in ClockKind.values if kind in kinds],
        bearers=bearers(view=view, complaints=complaints),
        target_hours=HandlingTimeTarget.current_hours(),
        hot_spots=hot_spots(view=view, complaints=complaints),
    )


def _money(value: Decimal | None) -> Decimal:
    return (value or Decimal("0")).quantize(Decimal("0.01"))


TOTAL = "__total__"  # the key under which _handling returns the whole period's percentiles


def _handling_figures(
    view: View, complaints: QuerySet[Complaint]
) -> dict[Any, tuple[int, float, dict[int, float]]]:
    """The handling figures of the final replies in the period, by group (see _handling)."""
    replies = _final_replies(view, complaints).annotate(
        k=_key(view, "final_reply_at"), seconds=Seconds("final_reply_at", "received_at")
    )
    return _handling(replies)


def _handling(replies: QuerySet[Any]) -> dict[Any, tuple[int, float, dict[int, float]]]:
    """Per group: the number of final replies, the average handling hours and the nearest-rank
    percentiles (PERCENTILES) in hours — the values at positions ⌈p·n/100⌉ in ascending order —
    and under TOTAL the whole period's percentiles. One query: window functions number the replies
    within each group and within the period, count and average them, and only the rows at the
    wanted positions come back (the product of the distances to them is 0)."""
    group = [F("k")]
    order = [F("seconds").asc(), F("pk").asc()]
    ranked = replies.annotate(
        position=Window(RowNumber(), partition_by=group, order_by=order),
        size=Window(Count("pk"), partition_by=group),
        average=Window(Avg("seconds"), partition_by=group),
        position_all=Window(RowNumber(), order_by=order),
        size_all=Window(Count("pk")),
    )
    distance: Any = None
    for position, size in (("position", "size"), ("position_all", "size_all")):
        for p in PERCENTILES:
            factor = F(position) - (F(size) * p + 99) / 100  # ⌈n·p/100⌉ in integers
            distance = factor if distance is None else distance * factor
    picked = ranked.annotate(distance=ExpressionWrapper(distance, output_field=IntegerField())).filter(
        distance=0
    )
    found: dict[Any, tuple[int, float, dict[int, float]]] = {}
    for entry in picked.values("k", "seconds", "position", "size", "average", "position_all", "size_all"):
        for percentile in PERCENTILES:
            if entry["position"] == math.ceil(entry["size"] * percentile / 100):
                found.setdefault(entry["k"], (entry["size"], entry["average"] / 3600, {}))[2][percentile] = (
                    entry["seconds"] / 3600
                )
            if entry["position_all"] == math.ceil(entry["size_all"] * percentile / 100):
                found.setdefault(TOTAL, (entry["size_all"], 0.0, {}))[2][percentile] = entry["seconds"] / 3600
    return found


def _previous(view: View, complaints: QuerySet[Complaint], rows: dict[str, Row]) -> None:
    """Received in the month before each month (by month) or in the previous period per group."""
    if view.by == "month":
        first = timezone.localtime(view.start).date().replace(day=1)
        before = (first - timedelta(days=1)).replace(day=1)
        wider = View(by="month", since=before, until=view.until)
        counts = {
            _label(entry["k"]): entry["n"]
            for entry in _received(wider, complaints)
            .annotate(k=_key(wider, "received_at"))
            .values("k")
            .annotate(n=Count("pk"))
        }
        for row in rows.values():
            if row.key == NONE_KEY:
                continue
            year, month = (int(part) for part in row.key.split("-"))
            index = year * 12 + month - 2
            row.previous_received = counts.get(f"{index // 12:04d}-{index % 12 + 1:02d}", 0)
        return
    previous = view.previous()
    counts = {
        _label(entry["k"]): entry["n"]
        for entry in _received(previous, complaints)
        .annotate(k=_key(previous, "received_at"))
        .values("k")
        .annotate(n=Count("pk"))
    }
    for row in rows.values():
        row.previous_received = counts.get(row.key, 0)


def _totals(
    rows: list[Row], view: View, complaints: QuerySet[Complaint], period_percentiles: dict[int, float]
) -> Row:
    """The period's totals: counts and money add up over the groups; the average and percentiles of
    handling time are over the whole period (the average weighted from the groups', the percentiles
    from the same window query as the groups')."""
    total = Row(key="", label=str(_("Total")))
    for row in rows:
        for name in (
            "received",
            "open",
            "overdue",
            "secondary",
            "closed",
            "upheld",
            "not_upheld",
            "replied",
            "satisfied",
            "neutral",
            "unsatisfied",
        ):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        for name in ("loss_amount", "compensation", "repair_budget", "freight"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        for kind, figure in row.clocks.items():
            summed = total.clocks.setdefault(kind, ClockFigure())
            summed.due += figure.due
            summed.on_time += figure.on_time
    # the change of the whole period: against the period of equal length just before
    total.previous_received = _received(view.previous(), complaints).count()
    # the average over the whole period from the groups' (each group's average × its replies)
    if total.replied:
        weighted = sum(row.average_hours * row.replied for row in rows if row.average_hours is not None)
        total.average_hours = weighted / total.replied
    total.percentile_hours = dict(period_percentiles)
    return total


def _sort_key(view: View, row: Row) -> tuple[Any, ...]:
    if view.by == "month":
        return (row.key == NONE_KEY, row.key)
    return (row.key == NONE_KEY, -row.received, row.label)


def _labels(view: View, rows: Iterable[Row]) -> None:
    """What a reader sees for each key: a few lookups, one query per dimension."""
    rows = list(rows)
    ids = [int(r.key) for r in rows if r.key != NONE_KEY and view.by in ID_DIMENSIONS]
    names: dict[str, str] = {}
    if view.by == "category":
        names = {str(c.pk): _localized(c) for c in Category.objects.filter(pk__in=ids)}
    elif view.by == "severity":
        names = {str(s.pk): _localized(s) for s in Severity.objects.filter(pk__in=ids)}
    elif view.by == "department":
        names = {
            str(pk): name for pk, name in Department.objects.filter(pk__in=ids).values_list("pk", "name")
        }
    elif view.by == "customer":
        names = {str(pk): name for pk, name in Customer.objects.filter(pk__in=ids).values_list("pk", "name")}
    elif view.by == "channel":
        names = {value: str(label) for value, label in Channel.choices}
    elif view.by == "product":
        names = {str(p.pk): str(p) for p in Product.objects.filter(pk__in=ids)}
    elif view.by == "customer_class":
        names = {
            str(pk): name for pk, name in CustomerClass.objects.filter(pk__in=ids).values_list("pk", "name")
        }
    for row in rows:
        if row.key == NONE_KEY:
            row.label = str(_("(none)"))
        else:
            row.label = names.get(row.key, row.key)


ID_DIMENSIONS = {"category", "severity", "department", "customer", "product", "customer_class"}


def _localized(entry: Category | Severity) -> str:
    from django.utils.translation import get_language

    if (get_language() or "").startswith("en") and entry.name_en:
        return entry.name_en
    return entry.name


# ---------------------------------------------------------------------------------------------
# Who bears the losses


def _bearer_key(party: str, department_id: int | None, staff_id: int | None, name: str) -> str:
    if party == PartyKind.DEPARTMENT and department_id is not None:
        return f"{party}:{department_id}"
    if party == PartyKind.STAFF and staff_id is not None:
        return f"{party}:{staff_id}"
    return f"{party}:{name}"


def _shares(view: View, complaints: QuerySet[Complaint]) -> QuerySet[ResponsibilityShare]:
    return ResponsibilityShare.objects.filter(version__in=_decided(view, complaints).values("pk")).order_by()


def bearers(*, view: View, complaints: QuerySet[Complaint]) -> list[Bearer]:
    """The loss amounts (损失金额) of the decisions in the period, split by their responsibility
    shares (each part the exact share, the sum rounded to the fen), by party, largest first."""
    part = ExpressionWrapper(
        F("version__loss_amount") * F("share") / HUNDRED,
        output_field=DecimalField(max_digits=20, decimal_places=6),
    )
    grouped = (
        _shares(view, complaints)
        .values("party", "department_id", "staff_id", "name")
        .annotate(amount=Sum(part), complaints=Count("version__decision__complaint_id", distinct=True))
    )
    entries = list(grouped)
    departments = dict(
        Department.objects.filter(
            pk__in={e["department_id"] for e in entries if e["department_id"]}
        ).values_list("pk", "name")
    )
    people = {
        pk: name
        for pk, name in Staff.objects.filter(
            pk__in={e["staff_id"] for e in entries if e["staff_id"]}
        ).values_list("pk", "display_name")
    }
    parties = dict(PartyKind.choices)
    found = []
    for e in entries:
        if e["party"] == PartyKind.DEPARTMENT and e["department_id"]:
            label = departments.get(e["department_id"], "?")
        elif e["party"] == PartyKind.STAFF and e["staff_id"]:
            label = people.get(e["staff_id"], "?")
        else:
            label = e["name"] or str(parties.get(e["party"], e["party"]))
        found.append(
            Bearer(
                key=_bearer_key(e["party"], e["department_id"], e["staff_id"], e["name"]),
                label=f"{label} ({parties.get(e['party'], e['party'])})",
                amount=_money(e["amount"]),
                complaints=e["complaints"],
            )
        )
    return sorted(found, key=lambda b: (-b.amount, b.label))


# ---------------------------------------------------------------------------------------------
# Drill-down: the complaints behind a figure


def _key_condition(view: View, key: str, date_field: str, prefix: str = "") -> Q:
    """The complaints of group ``key``: the month of the measure's date, or the dimension's value
    (read through ``prefix``, e.g. ``complaint__``, from a row related to the complaint)."""
    if view.by == "month":
        start, end = month_bounds(key)
        return Q(**{f"{date_field}__gte": max(start, view.start), f"{date_field}__lt": min(end, view.end)})
    name = prefix + FIELDS[view.by]
    if key == NONE_KEY:
        if view.by in BLANK_IS_NONE:
            return Q(**{f"{name}__isnull": True}) | Q(**{name: ""})
        return Q(**{f"{name}__isnull": True})
    if view.by == "channel":
        if key not in Channel.values:
            raise StatisticsError("key", _("Unknown channel: %s.") % key)
        return Q(**{name: key})
    if view.by in BLANK_IS_NONE:
        return Q(**{name: key})
    try:
        return Q(**{name: int(key)})
    except ValueError as exc:
        raise StatisticsError("key", _("Not a valid group: %s.") % key) from exc


def drill(
    *,
    view: View,
    complaints: QuerySet[Complaint],
    measure: str,
    key: str | None = None,
    now: datetime | None = None,
) -> QuerySet[Complaint]:
    """The complaints behind one figure: ``measure`` (COMPLAINT_MEASURES, "<clock measure>:<kind>"
    or "bearer") of the group ``key`` (None: the whole period; for "bearer", the bearer's key)."""
    now = now or timezone.now()
    base = complaints
    if measure == "bearer":
        if not key or ":" not in key:
            raise StatisticsError("key", _("Name a bearer."))
        party, value = key.split(":", 1)
        shares = _shares(view, complaints).filter(party=party)
        if party == PartyKind.DEPARTMENT and value.isdigit():
            shares = shares.filter(department_id=int(value))
        elif party == PartyKind.STAFF and value.isdigit():
            shares = shares.filter(staff_id=int(value))
        else:
            shares = shares.filter(name=value, department__isnull=True, staff__isnull=True)
        return base.filter(pk__in=shares.values("version__decision__complaint_id"))
    kind = None
    if ":" in measure:
        measure, kind = measure.split(":", 1)
        if measure not in CLOCK_MEASURES or kind not in ClockKind.values:
            raise StatisticsError("measure", _("Unknown figure: %s.") % measure)
    elif measure not in COMPLAINT_MEASURES:
        raise StatisticsError("measure", _("Unknown figure: %s.") % measure)

    def grouped(date_field: str) -> Q:
        return _key_condition(view, key, date_field) if key is not None else Q()

    if measure in ("received", "open", "overdue", "secondary"):
        found = _received(view, base).filter(grouped("received_at"))
        if measure == "open":
            found = found.exclude(status__in=TERMINAL_STATUSES)
        elif measure == "overdue":
            found = found.exclude(status__in=TERMINAL_STATUSES).filter(_overdue(now))
        elif measure == "secondary":
            found = found.filter(parent__isnull=False)
        return found
    if measure == "closed":
        return _closed(view, base).filter(grouped("closed_at"))
    if measure in SATISFACTION_MEASURES:
        closed = _closed(view, base).filter(grouped("closed_at"))
        return closed.filter(satisfaction__in=SATISFACTION_MEASURES[measure])
    if measure in ("upheld", "not_upheld"):
        versions = _decided(view, base).filter(cause__upheld=measure == "upheld")
        if key is not None:
            versions = versions.filter(_key_condition(view, key, "decided_at", "decision__complaint__"))
        return base.filter(pk__in=versions.values("decision__complaint_id"))
    if measure == "replied":
        return _final_replies(view, base).filter(grouped("final_reply_at"))
    clocks = _came_due(view, base, now).filter(kind=kind)
    if measure == "on_time":
        clocks = clocks.filter(ON_TIME)
    elif measure == "late":
        clocks = clocks.exclude(ON_TIME)
    if key is not None:
        clocks = clocks.filter(_key_condition(view, key, "due_at", "complaint__"))
    return base.filter(pk__in=clocks.values("complaint_id"))


# ---------------------------------------------------------------------------------------------
# Hot spots (异常集中): products or batches whose complaints spike against their own history

HOT_SPOT_DIMENSIONS = ("product", "batch")


@dataclass(frozen=True)
class HotSpot:
    """A product or batch whose complaints received in the period exceed its own trailing mean by
    more than k standard deviations (the rule book's HotSpotRule). ``key`` is its drill-down key
    under ``by``; ``history`` the counts of the trailing periods, the oldest first."""

    by: str
    key: str
    label: str
    count: int
    history: tuple[int, ...]
    mean: float
    sigma: float
    threshold: float


def _trailing_bucket(view: View, periods: int) -> Case:
    """0 for the period itself, 1 … ``periods`` for the periods of equal length before it."""
    length = view.end - view.start
    whens = [When(received_at__gte=view.start, then=Value(0))]
    for index in range(1, periods + 1):
        whens.append(When(received_at__gte=view.start - length * index, then=Value(index)))
    return Case(*whens, default=Value(None), output_field=IntegerField())


def hot_spots(*, view: View, complaints: QuerySet[Complaint], rule: Any = None) -> list[HotSpot]:
    """The products and batches that spike in the period against their own history, worst first.

    Rule (``HotSpotRule``, the rule book's, with defaults when it has none): received in the period
    ``n`` ≥ ``minimum`` and ``n`` > mean + k·σ of the same product's (batch's) counts in the
    ``periods`` periods of equal length just before (σ the population standard deviation; a
    product without earlier complaints has mean 0 and σ 0, so any ``n`` ≥ ``minimum`` is a spike).
    Counted by the database: per dimension, the groups with at least ``minimum`` complaints in the
    period (one grouped query), then their counts per period (one grouped query, group × period
    index); Python only takes the mean and σ of each group's few counts."""
    from kesu.statistics.models import HotSpotRule

    rule = rule or HotSpotRule.current()
    length = view.end - view.start
    history_start = view.start - length * rule.periods
    found: list[HotSpot] = []
    for by in HOT_SPOT_DIMENSIONS:
        grouped = View(by=by, since=view.since, until=view.until)
        key = _key(grouped, "received_at")
        current = list(
            _received(view, complaints)
            .annotate(k=key)
            .filter(k__isnull=False)
            .values("k")
            .annotate(n=Count("pk"))
            .filter(n__gte=rule.minimum)
            .values_list("k", flat=True)
        )
        counts: dict[str, list[int]] = {}
        if not current:  # nothing reaches the minimum: no history to read
            continue
        entries = (
            _scoped(complaints)
            .filter(received_at__gte=history_start, received_at__lt=view.end)
            .annotate(k=key, bucket=_trailing_bucket(view, rule.periods))
            .filter(k__in=current)
            .values("k", "bucket")
            .annotate(n=Count("pk"))
        )
        for entry in entries:
            counts.setdefault(str(entry["k"]), [0] * (rule.periods + 1))[entry["bucket"]] = entry["n"]
        for group, series in counts.items():
            history = series[1:]
            mean = sum(history) / len(history)
            sigma = math.sqrt(sum((c - mean) ** 2 for c in history) / len(history))
            threshold = mean + float(rule.k) * sigma
            if series[0] >= rule.minimum and series[0] > threshold:
                found.append(
                    HotSpot(
                        by=by,
                        key=group,
                        label=group,
                        count=series[0],
                        history=tuple(reversed(history)),
                        mean=mean,
                        sigma=sigma,
                        threshold=threshold,
                    )
                )
    products = {
        str(p.pk): str(p)
        for p in Product.objects.filter(pk__in=[int(h.key) for h in found if h.by == "product"])
    }
    found = [
        HotSpot(**{**h.__dict__, "label": products.get(h.key, h.key)}) if h.by == "product" else h
        for h in found
    ]
    return sorted(found, key=lambda h: (-(h.count - h.threshold), h.by, h.label))
