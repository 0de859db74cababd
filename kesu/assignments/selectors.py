"""Reads: a complaint's tasks, a department's open tasks, whether the tasks are done, and who
sees a complaint because of them.

``complaints_visible_through_tasks`` and ``complaints_visible_through_distributions`` are ORed
into ``complaints_visible_to``'s scope through the complaints registry (kesu.assignments.
contributions); ``waiting_for(kinds)`` / ``tasks_pending`` are guards a program may register by hand
(the rule book's gates, kesu.assignments.gates, are what the presets and the admin use).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kesu.assignments.models import Distribution, Task, TaskStatus
from kesu.complaints.models import TERMINAL_STATUSES, Complaint
from kesu.complaints.selectors import complaints_visible_to
from kesu.core import limits
from kesu.organization.models import Staff
from kesu.organization.selectors import capacities_of


def _departments(staff: Staff | None) -> set[int]:
    """The departments ``staff`` acts for now: their own and those of absent principals."""
    return {c.principal.department_id for c in capacities_of(staff=staff)}


def _not_accused(staff: Staff) -> Q:
    return ~Q(pk__in=Complaint.accused_staff.through.objects.filter(staff_id=staff.pk).values("complaint_id"))


def complaints_visible_through_tasks(*, staff: Staff | None) -> Q:
    """Complaints ``staff`` sees because their department (or an absent principal's) has a task on
    it, open or done (a cancelled task gives no access). Nobody else gains access by a task, and
    the people complained about never do (回避)."""
    departments = _departments(staff)
    if staff is None or not departments:
        return Q(pk__in=[])
    tasks = Task.objects.filter(department_id__in=departments).exclude(status=TaskStatus.CANCELLED)
    return Q(pk__in=tasks.values("complaint_id")) & _not_accused(staff)


def complaints_visible_through_distributions(*, staff: Staff | None) -> Q:
    """Complaints whose result was sent to ``staff``'s department (a copy must be readable to be
    acknowledged); the people complained about excepted."""
    departments = _departments(staff)
    if staff is None or not departments:
        return Q(pk__in=[])
    copies = Distribution.objects.filter(department_id__in=departments)
    return Q(pk__in=copies.values("complaint_id")) & _not_accused(staff)


def complaint_for_tasks(*, staff: Staff, number: str) -> Complaint | None:
    """The complaint if ``staff`` may see it at all (complaints_visible_to, which ORs in the
    departments with a task or a copy: this app registers that in its ready())."""
    if limits.unstorable(number) or len(number) > Complaint._meta.get_field("number").max_length:
        return None
    return complaints_visible_to(staff=staff).filter(number=number).first()


def _visible(staff: Staff, complaint_id: int) -> bool:
    return complaints_visible_to(staff=staff).filter(pk=complaint_id).exists()


def task_visible_to(*, staff: Staff, task_id: int) -> Task | None:
    task = Task.objects.select_related("complaint", "department", "assignee__user").filter(pk=task_id).first()
    return task if task is not None and _visible(staff, task.complaint_id) else None


def distribution_visible_to(*, staff: Staff, distribution_id: int) -> Distribution | None:
    found = Distribution.objects.select_related("complaint", "department").filter(pk=distribution_id).first()
    return found if found is not None and _visible(staff, found.complaint_id) else None


def tasks_of(*, complaint: Complaint) -> QuerySet[Task]:
    """The complaint's tasks, in the order they were opened, with what a list shows (one query)."""
    return complaint.tasks.select_related(
        "department", "assignee__user", "created_by__user", "done_by__user", "cancelled_by__user"
    ).order_by("pk")


_TASKS_READ = "_kesu_tasks"


def tasks_on(complaint: Complaint) -> list[Task]:
    """``tasks_of(complaint)`` read once per complaint object: the complaint page's panel and the
    guards of the actions it offers (kesu.assignments.gates) share the one query."""
    cached = complaint.__dict__.get(_TASKS_READ)
    if cached is None:
        cached = complaint.__dict__[_TASKS_READ] = list(tasks_of(complaint=complaint))
    return cached


def distributions_of(*, complaint: Complaint) -> QuerySet[Distribution]:
    return complaint.distributions.select_related(
        "department", "distributed_by__user", "acknowledged_by__user"
    ).order_by("pk")


def open_tasks_for(*, staff: Staff, limit: int | None = None) -> list[Task]:
    """The open tasks of ``staff``'s departments (their own and absent principals'), for a
    workbench panel: earliest due first, then those without a time limit, oldest first; never a
    complaint they are complained about (回避), never a closed complaint."""
    departments = _departments(staff)
    if not departments:
        return []
    queryset = (
        Task.objects.open()
        .filter(department_id__in=departments)
        .exclude(complaint__status__in=TERMINAL_STATUSES)
        .filter(_not_accused_task(staff))
        .select_related(
            "complaint",
            "department",
            "assignee__user",
            "created_by__user",
            "done_by__user",
            "cancelled_by__user",
        )
    )
    due = list(queryset.filter(due_at__isnull=False).order_by("due_at", "pk")[:limit])
    if limit is None or len(due) < limit:
        rest = queryset.filter(due_at__isnull=True).order_by("created_at", "pk")
        due += list(rest[: None if limit is None else limit - len(due)])
    return due


def accused_by_complaint(complaint_ids: Iterable[int]) -> dict[int, set[int]]:
    """The people complained about in each of these complaints (one query)."""
    found: dict[int, set[int]] = {pk: set() for pk in complaint_ids}
    rows = Complaint.accused_staff.through.objects.filter(complaint_id__in=list(found))
    for complaint_id, staff_id in rows.values_list("complaint_id", "staff_id"):
        found[complaint_id].add(staff_id)
    return found


def _not_accused_task(staff: Staff) -> Q:
    through = Complaint.accused_staff.through.objects.filter(staff_id=staff.pk)
    return ~Q(complaint_id__in=through.values("complaint_id"))


def pending_tasks(*, complaint: Complaint, kinds: Iterable[str] | None = None) -> QuerySet[Task]:
    queryset = complaint.tasks.filter(status=TaskStatus.OPEN)
    if kinds is not None:
        queryset = queryset.filter(kind__in=list(kinds))
    return queryset


def all_tasks_done(*, complaint: Complaint, kinds: Iterable[str] | None = None) -> bool:
    """True when no task is open on the complaint (or none of the named ``kinds``). Cancelled
    tasks do not hold anything up; a kind never opened does not either."""
    return not pending_tasks(complaint=complaint, kinds=kinds).exists()


def waiting_for(kinds: Iterable[str] | None = None) -> Callable[[Complaint], str | None]:
    """A guard for the complaints workflow (``registry.guard(action, waiting_for(["原因分析"]))``):
    the reason the step must wait — the open tasks named — or None when it may go on."""
    named = None if kinds is None else tuple(kinds)

    def guard(complaint: Complaint) -> str | None:
        pending = list(pending_tasks(complaint=complaint, kinds=named).select_related("department")[:6])
        if not pending:
            return None
        shown = "、".join(f"{t.department.name}：{t.kind}" for t in pending[:5])
        return _("Waiting for the department tasks still open: %(tasks)s.") % {
            "tasks": shown + ("…" if len(pending) > 5 else "")
        }

    return guard


tasks_pending = waiting_for(None)
