"""What the assignments app adds to a complaint through kesu.complaints.registry."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from kesu.assignments import events, gates, selectors
from kesu.assignments.models import Distribution, Task
from kesu.complaints import registry
from kesu.complaints.models import Complaint
from kesu.complaints.registry import DataKey, Panel
from kesu.organization.models import Staff

WORKBENCH_TASKS = 20


def sees_through_tasks(staff: Staff) -> Q:
    """A department sees the complaints it has a task on or a copy of the result of (回避 kept)."""
    return selectors.complaints_visible_through_tasks(
        staff=staff
    ) | selectors.complaints_visible_through_distributions(staff=staff)


def complaint_panel(complaint: Complaint) -> dict[str, Any]:
    """The complaint's tasks and copies (two queries, whatever their number)."""
    tasks: list[Task] = selectors.tasks_on(complaint)
    copies: list[Distribution] = list(selectors.distributions_of(complaint=complaint))
    return {"tasks": tasks, "distributions": copies, "open_task_count": sum(t.is_open for t in tasks)}


def workbench_panel(staff: Staff) -> dict[str, Any]:
    return {"department_tasks": selectors.open_tasks_for(staff=staff, limit=WORKBENCH_TASKS)}


def contribute() -> None:
    registry.register_visibility(sees_through_tasks)
    # Its entries' words, the data keys only on its own entries (another app's "department" or
    # "late" keeps its own label).
    for kind, label in events.EVENT_LABELS.items():
        registry.register_event(kind, label)
        for key, data_label in events.DATA_LABELS.items():
            registry.register_data(key, DataKey(data_label), event=kind)
        for key in events.HIDDEN_DATA:
            registry.register_data(key, DataKey(hidden=True), event=kind)
    registry.register_panel(
        "complaint", Panel("assignments/_complaint_tasks.html", complaint_panel, order=30)
    )
    registry.register_panel(
        "workbench", Panel("assignments/_workbench_tasks.html", workbench_panel, order=30)
    )
    # A guard on every action: the rule book's gates (TaskGate rows, edited in the admin) say
    # which of them wait for which tasks; with no gate for an action its guard reads nothing more
    # than the gates, once per complaint object.
    for action in list(registry.ACTIONS):
        registry.guard(action, gates.guard_for(action))
