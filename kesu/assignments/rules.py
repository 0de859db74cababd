"""Who may do what with department tasks and distributions.

- Open or cancel tasks, distribute the result: a coordinator — the desk (desk clerk, CS director)
  or the head of the complaint's responsible department (``COORDINATORS``).
- Assign a task: the head of the task's department.
- Complete a task: the head of the task's department, or its assignee.
- Acknowledge a distribution: any member of the department it was sent to.

As everywhere in Kesu, a deputy acts with the roles and department of an absent principal
(``capacities_of``), and the people complained about (``accused_staff``) never act, not even
through a deputy (回避).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kesu.assignments.models import Distribution, Task
from kesu.complaints.models import Complaint
from kesu.core.errors import ActionNotAllowed
from kesu.organization.models import Role, Staff
from kesu.organization.selectors import Capacity, capacities_of

# Role → True: the role is enough; False: only in the complaint's responsible department.
COORDINATORS: dict[str, bool] = {
    Role.DESK_CLERK: True,
    Role.CS_DIRECTOR: True,
    Role.DEPARTMENT_HEAD: False,
}
TASK_ACTIONS = ("assign_task", "complete_task", "cancel_task")


def _recused(capacity: Capacity, accused: set[int]) -> bool:
    return capacity.actor.pk in accused or capacity.principal.pk in accused


def _coordinates(capacity: Capacity, complaint: Complaint) -> bool:
    return any(
        role in COORDINATORS
        and (COORDINATORS[role] or capacity.principal.department_id == complaint.handling_department_id)
        for role in capacity.roles
    )


def _heads(capacity: Capacity, department_id: int) -> bool:
    return capacity.principal.department_id == department_id and Role.DEPARTMENT_HEAD in capacity.roles


def _first(capacities: list[Capacity], accused: set[int], test) -> Capacity | None:
    return next((c for c in capacities if not _recused(c, accused) and test(c)), None)


def coordinator(complaint: Complaint, staff: Staff, accused: set[int]) -> Capacity | None:
    return _first(capacities_of(staff=staff), accused, lambda c: _coordinates(c, complaint))


def task_capacity(task: Task, action: str, staff: Staff, accused: set[int]) -> Capacity | None:
    """The capacity in which ``staff`` may take ``action`` on the open ``task`` now, if any."""
    if not task.is_open or not task.complaint.is_open:
        return None
    capacities = capacities_of(staff=staff)
    if action == "assign_task":
        return _first(capacities, accused, lambda c: _heads(c, task.department_id))
    if action == "complete_task":
        return _first(
            capacities,
            accused,
            lambda c: (
                _heads(c, task.department_id)
                or (task.assignee_id is not None and c.principal.pk == task.assignee_id)
            ),
        )
    if action == "cancel_task":
        return _first(capacities, accused, lambda c: _coordinates(c, task.complaint))
    return None


def allowed_task_actions(task: Task, staff: Staff, accused: set[int]) -> list[str]:
    return [a for a in TASK_ACTIONS if task_capacity(task, a, staff, accused) is not None]


def member_capacity(distribution: Distribution, staff: Staff, accused: set[int]) -> Capacity | None:
    if distribution.is_acknowledged:
        return None
    return _first(
        capacities_of(staff=staff), accused, lambda c: c.principal.department_id == distribution.department_id
    )


def refuse(
    *, action: str, staff: Staff, accused: set[int], allowed: list[str], reason: str
) -> ActionNotAllowed:
    """The error for a refused act: recusal named first, as the complaint actions do."""
    if staff.pk in accused:
        reason = _("You are the person complained about and must recuse yourself (回避).")
    return ActionNotAllowed(action=action, allowed=allowed, reason=reason)
