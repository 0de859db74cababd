"""Reads of complaints that span relations or a permission scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from kesu.complaints import registry
from kesu.complaints.models import TERMINAL_STATUSES, Complaint, ComplaintEvent, Status, StepScope
from kesu.complaints.procedures import rules_by_class
from kesu.complaints.workflow import DEPARTMENT, SEES_ALL, department_roles
from kesu.core import limits
from kesu.core.paging import CappedCount, capped_count
from kesu.customers.models import Customer
from kesu.organization.models import Role, Staff
from kesu.organization.selectors import capacities_of
from kesu.rulebook.models import RecusalSubstitute


@dataclass(frozen=True)
class ComplaintFilters:
    """The list's filters; every field optional. ``q`` searches number, customer and description;
    ``extra`` holds the values of the filters apps registered (registry.register_filter, e.g.
    ``due``: "today" or "overdue"), by name."""

    status: str | None = None
    category: str | None = None  # category code; includes its sub-classes
    severity: str | None = None
    department: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    q: str | None = None
    open_only: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    # The web list's further filters (issue 12 §5): several statuses at once, the channel, the
    # handler (a staff id), the customer (its number, or words of its name) and "assigned to me"
    # (the viewer's staff id: they are the handler).
    statuses: tuple[str, ...] = ()
    channel: str | None = None
    handler: int | None = None
    customer: str | None = None
    assigned_to: int | None = None


def complaints_visible_to(
    *, staff: Staff | None, filters: ComplaintFilters | None = None
) -> QuerySet[Complaint]:
    """Complaints this person may see: the desk, leadership and auditors see all; a department
    sees the complaints it is responsible for; a deputy also sees what the absent principal sees;
    and what the apps grant (``registry.register_visibility``: e.g. a department with a task on
    the complaint, an approver of its approval) is ORed in, in the same query."""
    queryset = Complaint.objects.select_related("category", "severity", "customer", "handling_department")
    capacities = capacities_of(staff=staff)
    roles = set().union(*(c.roles for c in capacities)) if capacities else set()
    if not roles & SEES_ALL:
        departments = {c.principal.department_id for c in capacities if c.roles & set(DEPARTMENT)}
        scope = Q(handling_department_id__in=departments)
        if staff is not None:  # and what they decide instead of a recused role (回避)
            scope |= _standing_in(staff, roles).get("any", Q(pk__in=[]))
            for grant in registry.VISIBILITY:
                scope |= grant(staff)
        queryset = queryset.filter(scope)
    queryset = registry.restricted(queryset, staff=staff)
    return _apply_filters(queryset, filters) if filters else queryset


def _standing_in(staff: Staff, roles: set[str]) -> dict[str, Q]:
    """Per recused role, the complaints on which ``staff`` decides instead (see
    ``workflow.stand_ins``): every holder of the role is complained about there, the rule book
    names ``staff`` as substitute, and ``staff`` is not complained about. Key "any": all of them."""
    through = Complaint.accused_staff.through
    rules = RecusalSubstitute.objects.filter(
        Q(substitute=staff) | Q(substitute_role__in=roles) | Q(deputy_stands_in=True)
    )
    found: dict[str, Q] = {}
    scoped = department_roles()
    for rule in rules:
        holders = list(
            Staff.objects.filter(role_assignments__role=rule.role).values("pk", "department_id", "deputy_id")
        )
        named = rule.substitute_id == staff.pk or rule.substitute_role in roles
        groups: dict[int | None, list[dict]] = {}
        for holder in holders:
            groups.setdefault(holder["department_id"] if rule.role in scoped else None, []).append(holder)
        for department, members in groups.items():
            if staff.pk in {m["pk"] for m in members}:
                continue  # a holder's own complaints are not stood in for by the holder
            if not (named or (rule.deputy_stands_in and any(m["deputy_id"] == staff.pk for m in members))):
                continue
            condition = Q(handling_department_id=department) if department is not None else Q()
            for member in members:
                condition &= Q(pk__in=through.objects.filter(staff_id=member["pk"]).values("complaint_id"))
            found[rule.role] = found.get(rule.role, Q(pk__in=[])) | condition
    if found:
        mine = ~Q(pk__in=through.objects.filter(staff_id=staff.pk).values("complaint_id"))
        found = {role: condition & mine for role, condition in found.items()}
        anything = Q(pk__in=[])
        for condition in found.values():
            anything |= condition
        found["any"] = anything
    return found


def _local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _apply_filters(queryset: QuerySet[Complaint], f: ComplaintFilters) -> QuerySet[Complaint]:
    if f.status:
        queryset = queryset.filter(status=f.status)
    if f.statuses:
        queryset = queryset.filter(status__in=f.statuses)
    if f.channel:
        queryset = queryset.filter(channel=f.channel)
    if f.handler:
        queryset = queryset.filter(handler_id=f.handler)
    if f.assigned_to:
        queryset = queryset.filter(handler_id=f.assigned_to)
    if f.customer:
        # a customer number exactly, or words of the name (the customers first, as a list of ids,
        # as in ComplaintQuerySet.search)
        customers = Customer.objects.filter(Q(code=f.customer) | Q(name__contains=f.customer))
        queryset = queryset.filter(customer_id__in=list(customers.values_list("pk", flat=True)[:1000]))
    if f.open_only:
        queryset = queryset.exclude(status__in=TERMINAL_STATUSES)
    if f.category:
        queryset = queryset.filter(Q(category__code=f.category) | Q(category__parent__code=f.category))
    if f.severity:
        queryset = queryset.filter(severity__code=f.severity)
    if f.department:
        queryset = queryset.filter(handling_department_id=f.department)
    if f.received_from:
        queryset = queryset.filter(received_at__gte=_local_start(f.received_from))
    if f.received_to:
        queryset = queryset.filter(received_at__lt=_local_start(f.received_to) + timedelta(days=1))
    if f.q:
        queryset = queryset.search(f.q)
    for name, value in f.extra.items():
        if value:
            queryset = queryset.filter(registry.FILTERS[name].condition(value))
    return queryset


# The list's sort keys (?sort=<key> or -<key>; newest registration first by default): every column
# sorts; the id breaks ties so that pages never repeat or skip a row.
SORTS: dict[str, tuple[str, ...]] = {
    "number": ("number",),
    "received": ("received_at",),
    "complainant": ("complainant_name",),
    "subject": ("description",),
    "class": ("category__sort_order", "category__code"),
    "severity": ("severity__rank",),
    "status": ("status",),
    "due": ("next_due_at",),
    "department": ("handling_department__name",),
    "handler": ("handler__display_name",),
    "channel": ("channel",),
}


def sorted_by(queryset: QuerySet[Complaint], key: str | None) -> QuerySet[Complaint]:
    """The complaints in the order of a column (``key`` from SORTS, "-" first for descending);
    complaints with no value there (no class, no running clock, no handler) come last either way.
    No key: the default order (newest registration first)."""
    descending = bool(key) and key.startswith("-")
    fields = SORTS.get((key or "").removeprefix("-"))
    if not fields:
        return queryset
    order = [F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True) for name in fields]
    return queryset.order_by(*order, "-pk" if descending else "pk")


def _impossible_number(number: str) -> bool:
    """A number no complaint can have (NUL, a lone surrogate, too long) is not looked up:
    PostgreSQL refuses NUL in a query with an error, not with "no such row"."""
    return limits.unstorable(number) or len(number) > Complaint._meta.get_field("number").max_length


def complaint_visible_to(*, staff: Staff | None, number: str, related: bool = True) -> Complaint | None:
    """The complaint if ``staff`` may see it. ``related=False`` leaves out its class, severity,
    customer and department: for a caller that only needs the row (an action locks it again)."""
    if _impossible_number(number):
        return None
    queryset = complaints_visible_to(staff=staff)
    if not related:
        queryset = queryset.select_related(None)
    found = queryset.filter(number=number).first()
    if found is not None:
        registry.record_read(staff, [found], kind="complaint")
    return found


def complaint_for_page(*, staff: Staff | None, number: str) -> Complaint | None:
    """The complaint with everything its page shows about it: one query with its class, severity,
    customer and department, one for the staff complained about (the permission checks read them
    too), and one each for its product, handler, registrar and first complaint where it has one.
    Not one query joining all nine tables: PostgreSQL spent ~15 ms planning that join (every
    order of nine tables, every index of the complaint table twice) to fetch one row in 0.4 ms
    (bench/RESULTS.md, issue 7); the small lookups by id plan in microseconds."""
    if _impossible_number(number):
        return None
    found = (
        complaints_visible_to(staff=staff)
        .prefetch_related("accused_staff", "product", "handler", "registered_by", "parent")
        .filter(number=number)
        .first()
    )
    if found is not None:
        registry.record_read(staff, [found], kind="complaint")
    return found


def secondary_complaints(complaint: Complaint) -> list[Complaint]:
    """The secondary complaints (二次投诉) filed against this one, newest first. The query has no
    ORDER BY (the few rows are sorted here): with the default ordering SQLite preferred walking the
    whole registration-date index to reading the parent index, hundreds of milliseconds at scale."""
    rows = complaint.secondary_complaints.order_by().only("number", "status", "registered_at", "parent")
    return sorted(rows, key=lambda c: (c.registered_at, c.pk), reverse=True)


def timeline(complaint: Complaint) -> QuerySet[ComplaintEvent]:
    return complaint.events.select_related("actor", "acting_for").order_by("at", "id")


# A workbench panel counts its complaints up to this many ("1000+"): the count is an index range
# that stops early, whatever the number of complaints.
PANEL_COUNT_CAP = 1000


@dataclass(frozen=True)
class Panel:
    """One panel of the workbench: its first complaints and how many there are (capped)."""

    rows: list[Complaint]
    count: CappedCount


@dataclass(frozen=True)
class Workbench:
    """What a person sees first (工作台): what they must act on, what awaits their approval,
    the open complaints with a running clock (earliest due first, so the overdue lead), and
    today's registrations. Each complaint carries ``next_due_at``: the earliest due time of its
    running clocks, or None (kept on the complaint by the deadlines app)."""

    my_tasks: Panel
    awaiting_my_approval: Panel
    due_soon: Panel
    registered_today: Panel


TIE_BREAK = ("severity__rank", "received_at", "pk")


def by_urgency(queryset: QuerySet[Complaint], *, limit: int) -> list[Complaint]:
    """The first ``limit`` complaints, earliest due first (overdue ones lead; the most severe and
    oldest first among equal due times), then those without a running clock, the most severe and
    oldest first. At most two queries, each an index range on ``next_due_at`` that stops after
    ``limit`` rows; the second runs only when the first leaves room. (One ``ORDER BY next_due_at
    NULLS LAST`` could not use the index on SQLite, which keeps NULLs first.)"""
    rows = _earliest_due(queryset.filter(next_due_at__isnull=False), limit=limit)
    if len(rows) < limit:
        rows += queryset.filter(next_due_at__isnull=True).order_by(*TIE_BREAK)[: limit - len(rows)]
    return rows


def _earliest_due(queryset: QuerySet[Complaint], *, limit: int) -> list[Complaint]:
    return list(queryset.order_by("next_due_at", *TIE_BREAK)[:limit])


def _panel(queryset: QuerySet[Complaint], rows: list[Complaint]) -> Panel:
    return Panel(rows=rows, count=capped_count(queryset, cap=PANEL_COUNT_CAP))


# What awaits whose approval, and a department's tasks.
APPROVALS = {
    Role.GENERAL_MANAGER: [Status.TRANSFER_PROPOSED],
    Role.CS_DIRECTOR: [Status.RESOLUTION_PROPOSED],
    Role.VICE_PRESIDENT: [Status.RESOLUTION_PROPOSED],
}
DEPARTMENT_TASKS = [Status.TRANSFER_APPROVED, Status.ACCEPTED, Status.INVESTIGATING]


def _classes_approved_by(roles: set[str]) -> list[int]:
    """The classes whose procedure lets a holder of one of ``roles`` (any holder) approve the
    handling decision (two queries, whatever the number of classes and steps)."""
    return [
        pk
        for pk, rules in rules_by_class().items()
        if pk is not None
        and any(t.role in roles and t.scope == StepScope.ANY for t in rules.takers_of("approve_resolution"))
    ]


# The workbench's panels by key; the list shows a panel's complaints in full (?panel=<key>, the
# panel's "view all").
PANELS = ("my-tasks", "awaiting-approval", "due-soon", "registered-today")


def workbench(*, staff: Staff, limit: int = 20) -> Workbench:
    """Each panel is at most three queries (its rows, see ``by_urgency``, and a capped count),
    whatever the number of complaints."""
    panels = workbench_complaints(staff=staff)
    tasks, approvals = panels["my-tasks"], panels["awaiting-approval"]
    due_soon, registered_today = panels["due-soon"], panels["registered-today"]
    return Workbench(
        my_tasks=_panel(tasks, by_urgency(tasks, limit=limit)),
        awaiting_my_approval=_panel(approvals, by_urgency(approvals, limit=limit)),
        due_soon=_panel(due_soon, _earliest_due(due_soon, limit=limit)),
        registered_today=_panel(registered_today, list(registered_today[:limit])),
    )


def panel_complaints(*, staff: Staff, panel: str, filters: ComplaintFilters) -> QuerySet[Complaint]:
    """One workbench panel's complaints (``panel`` from PANELS), filtered as the list is."""
    return _apply_filters(workbench_complaints(staff=staff)[panel], filters)


def workbench_complaints(*, staff: Staff) -> dict[str, QuerySet[Complaint]]:
    """Each workbench panel's complaints (unsliced), by key (PANELS)."""
    capacities = capacities_of(staff=staff)
    roles = set().union(*(c.roles for c in capacities)) if capacities else set()
    visible = complaints_visible_to(staff=staff)
    task_filter = Q(pk__in=[])
    if roles & {Role.DESK_CLERK, Role.CS_DIRECTOR}:
        task_filter |= Q(
            status__in=[
                Status.REGISTERED,
                Status.CLASSIFIED,
                Status.RESOLUTION_PROPOSED,
                Status.RESOLUTION_APPROVED,  # an approved decision waits for the desk's reply
                Status.REPLIED,
                Status.FOLLOWED_UP,
            ]
        )
    departments = {c.principal.department_id for c in capacities if c.roles & set(DEPARTMENT)}
    if departments:
        task_filter |= Q(handling_department_id__in=departments, status__in=DEPARTMENT_TASKS)
    approval_filter = Q(pk__in=[])
    for role, statuses in APPROVALS.items():
        if role in roles:
            approval_filter |= Q(status__in=statuses)
    # Decisions awaiting this person's approval where a class's procedure has them approve it
    # (approve_resolution, e.g. the furniture GM for grievances and suggestions).
    if roles - {Role.CS_DIRECTOR, Role.VICE_PRESIDENT}:  # these two see every proposed decision
        classes = _classes_approved_by(roles)
        if classes:
            approval_filter |= Q(status=Status.RESOLUTION_PROPOSED, category_id__in=classes)
    approval_filter &= ~Q(accused_staff=staff)  # 回避
    # Complaints on which this person decides instead of a recused role (回避)
    for role, condition in _standing_in(staff, roles).items():
        if role in APPROVALS:
            approval_filter |= condition & Q(status__in=APPROVALS[role])
        elif role in department_roles():
            task_filter |= condition & Q(status__in=DEPARTMENT_TASKS)
    today = _local_start(timezone.localdate())
    tasks = visible.filter(task_filter).exclude(accused_staff=staff)
    approvals = visible.filter(approval_filter)
    due_soon = visible.exclude(status__in=TERMINAL_STATUSES).filter(next_due_at__isnull=False)
    registered_today = visible.filter(registered_at__gte=today).order_by("-registered_at", "-pk")
    return {
        "my-tasks": tasks,
        "awaiting-approval": approvals,
        "due-soon": due_soon,
        "registered-today": registered_today,
    }
