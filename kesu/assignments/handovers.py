"""Who department tasks (会办) and distributions put work on (待办通知), for
kesu.notifications.handover.

Registered in AssignmentsConfig.ready(): notifications sits below assignments in the import
layers, so assignments tells it whom to notify. Each function runs in the worker, after the action
committed, with the timeline entry; an absent person is told through their deputy there.

- ``tasks_opened``: for each task still open, its assignee when one is named, else the head of the
  task's department;
- ``task_assigned``: the assignee named, while the task is open and still theirs;
- ``task_done``: the person who opened the task and the head of the responsible department (they
  coordinate the tasks and take the next step when all are done);
- ``result_distributed``: the head of each receiving department that has not acknowledged yet.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kesu.assignments.models import Distribution, Task, TaskStatus
from kesu.complaints.models import ComplaintEvent
from kesu.notifications.handover import Waiting, heads_of


def _label(task: Task) -> str:
    return f"{task.department.name}：{task.kind}"


def _tasks(event: ComplaintEvent, ids: object) -> list[Task]:
    if not isinstance(ids, list):
        return []
    return list(
        Task.objects.filter(pk__in=[i for i in ids if isinstance(i, int)], complaint_id=event.complaint_id)
        .select_related("department", "assignee__user", "assignee__deputy__user", "created_by__user")
        .select_related("created_by__deputy__user")
        .order_by("pk")
    )


def opened(event: ComplaintEvent) -> list[Waiting]:
    tasks = [t for t in _tasks(event, (event.data or {}).get("task_ids")) if t.status == TaskStatus.OPEN]
    heads: dict[int, list] = {}
    for head in heads_of({t.department_id for t in tasks if t.assignee_id is None}):
        heads.setdefault(head.department_id, []).append(head)
    return [
        Waiting(
            people=[task.assignee] if task.assignee is not None else heads.get(task.department_id, []),
            what=_("department task %(task)s") % {"task": _label(task)},
        )
        for task in tasks
    ]


def assigned(event: ComplaintEvent) -> list[Waiting]:
    data = event.data or {}
    tasks = _tasks(event, [data.get("task_id")])
    new = (data.get("assignee") or {}).get("new") if isinstance(data.get("assignee"), dict) else None
    return [
        Waiting(people=[task.assignee], what=_("department task %(task)s") % {"task": _label(task)})
        for task in tasks
        if task.status == TaskStatus.OPEN and task.assignee is not None and task.assignee.display_name == new
    ]


def done(event: ComplaintEvent) -> list[Waiting]:
    tasks = _tasks(event, [(event.data or {}).get("task_id")])
    department = event.complaint.handling_department_id
    heads = heads_of([department]) if department is not None else []
    return [
        Waiting(
            people=[task.created_by, *heads],
            what=_("read the result of department task %(task)s") % {"task": _label(task)},
        )
        for task in tasks
        if task.status == TaskStatus.DONE
    ]


def distributed(event: ComplaintEvent) -> list[Waiting]:
    names = (event.data or {}).get("departments")
    if not isinstance(names, list):
        return []
    waiting = Distribution.objects.filter(
        complaint_id=event.complaint_id, department__name__in=names, acknowledged_at__isnull=True
    ).values_list("department_id", flat=True)
    return [
        Waiting(
            people=heads_of(waiting),
            what=_("acknowledge receipt of the decision and result (签收)"),
        )
    ]
