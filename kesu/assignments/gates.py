"""Steps that wait for department tasks, as rule-book data (``TaskGate`` rows).

The preset section ``task_gates`` (kesu.rulebook.sections) loads a preset's gates; the admin edits
them. One registry guard per action (``guard_for``) reads the rows when the action is checked, so
an edit takes effect on the next check, without a restart. The rows and the open tasks are read
once per complaint object (a page checks several actions on the same complaint), so a page costs
one query for the complaint's tasks (shared with the page's task panel) and, only when a task
is open, one for the gates.

Preset shape: ``"task_gates": [{"action": "propose_resolution", "category": null,
"kinds": ["原因分析", "改善对策"], "source": "seed … clause"}]`` (``kinds`` empty or absent: every
open task).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kesu.assignments.models import KIND_SEPARATORS, Task, TaskGate, TaskStatus
from kesu.assignments.selectors import tasks_on
from kesu.complaints.models import Category, Complaint
from kesu.rulebook.cache import cached as rule_book_cache

_GATES = "_kesu_task_gates"
SHOWN = 5


def load_task_gates(preset: dict[str, Any]) -> None:
    """Replace the gates with the preset's, validated as the admin validates them."""
    TaskGate.objects.all().delete()
    for number, spec in enumerate(preset.get("task_gates", []), start=1):
        try:
            _load_gate(spec)
        except ValidationError as exc:
            raise ValidationError(
                _("task_gates #%(number)d (%(action)s): %(errors)s")
                % {"number": number, "action": spec.get("action", "?"), "errors": "; ".join(exc.messages)}
            ) from exc


def _load_gate(spec: dict[str, Any]) -> None:
    category = None
    if spec.get("category"):
        category = Category.objects.filter(code=spec["category"]).first()
        if category is None:
            raise ValidationError(_("Unknown class %(code)s.") % {"code": spec["category"]})
    kinds = spec.get("kinds") or []
    if isinstance(kinds, str):
        kinds = [kinds]
    gate = TaskGate(
        action=spec.get("action", ""),
        category=category,
        kinds=KIND_SEPARATORS[0].join(str(kind) for kind in kinds),
        source=spec.get("source", ""),
    )
    gate.full_clean()
    gate.save()


def _read_gates() -> list[TaskGate]:
    return list(TaskGate.objects.all())


def _gates(complaint: Complaint) -> list[TaskGate]:
    cached = complaint.__dict__.get(_GATES)
    if cached is None:
        cached = complaint.__dict__[_GATES] = rule_book_cache("assignments.task_gates", _read_gates)
    return cached


def _open_tasks(complaint: Complaint) -> list[Task]:
    return [task for task in tasks_on(complaint) if task.status == TaskStatus.OPEN]


def _applies(gate: TaskGate, complaint: Complaint) -> bool:
    if gate.category_id is None:
        return True
    if complaint.category_id is None:
        return False
    return gate.category_id == complaint.category_id or gate.category_id == complaint.category.parent_id


def pending_for(action: str, complaint: Complaint) -> list[Task]:
    """The open tasks ``action`` waits for on ``complaint`` under the rule book's gates. The gate
    rows (a few per rule book, one plain query per complaint object) are read first: an action no
    gate names — every action, in most rule books — never reads the complaint's tasks, whose
    query (five joins, for the panel) costs an action request more than the rest of its guards."""
    gates = [g for g in _gates(complaint) if g.action == action and _applies(g, complaint)]
    if not gates:
        return []
    open_tasks = _open_tasks(complaint)
    if not open_tasks:
        return []
    waited: set[str] | None = set()
    for gate in gates:
        kinds = gate.kind_list
        if not kinds:
            waited = None  # every open task
            break
        waited |= set(kinds)
    return [t for t in open_tasks if waited is None or t.kind in waited]


_GUARDS: dict[str, Callable[[Complaint], str | None]] = {}


def guard_for(action: str) -> Callable[[Complaint], str | None]:
    """The registry guard of ``action`` (one per action, so registering twice adds nothing): why
    it must wait (the open tasks named), or None."""
    if action in _GUARDS:
        return _GUARDS[action]

    def waits_for_tasks(complaint: Complaint) -> str | None:
        pending = pending_for(action, complaint)
        if not pending:
            return None
        shown = "、".join(f"{t.department.name}：{t.kind}" for t in pending[:SHOWN])
        return _("Waiting for the department tasks still open: %(tasks)s.") % {
            "tasks": shown + ("…" if len(pending) > SHOWN else "")
        }

    waits_for_tasks.__qualname__ = f"waits_for_tasks[{action}]"
    _GUARDS[action] = waits_for_tasks
    return waits_for_tasks
