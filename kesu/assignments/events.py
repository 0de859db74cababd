"""The timeline entries this app writes on a complaint, with their labels, for the complaints
registry's timeline presenter to register (until then the timeline shows the action's name)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "tasks_opened": _("Department tasks opened (会办)"),
    "task_assigned": _("Department task assigned"),
    "task_done": _("Department task done"),
    "task_cancelled": _("Department task cancelled"),
    "result_distributed": _("Result distributed to departments"),
    "distribution_acknowledged": _("Receipt acknowledged (签收)"),
}
# Keys of the entries' data, as the presenter labels them ("task_id"/"task_ids" are for programs).
DATA_LABELS = {
    "tasks": _("department tasks"),
    "task": _("department task"),
    "assignee": _("assignee"),
    "departments": _("departments"),
    "department": _("department"),
    "late": _("late"),
}
HIDDEN_DATA = frozenset({"task_id", "task_ids"})
