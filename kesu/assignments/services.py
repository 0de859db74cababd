"""Writes: department tasks (会办) and the distribution of the result. One function per act.

Each validates its input first (field errors, nothing written), then in one transaction locks the
complaint row and then the task rows it touches (always in this order, tasks by id, so two acts on
the same complaint queue instead of deadlocking), checks permission (kesu.assignments.rules), writes
and appends the complaint's timeline entry (``complaints.services.append_event``). Task acts leave the
complaint's status and version as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.assignments import rules
from kesu.assignments.models import Distribution, DueUnit, Task, TaskStatus
from kesu.complaints import workflow
from kesu.complaints.models import Complaint
from kesu.complaints.services import append_event
from kesu.core import limits
from kesu.organization.models import Department, Staff
from kesu.organization.selectors import Capacity
from kesu.workcalendar.calendar import CalendarNotCovered
from kesu.workcalendar.selectors import get_calendar

# A time limit longer than this is a typing error, not a plan (about two working years).
MAX_DUE_AMOUNT = {DueUnit.WORKING_HOURS: 4_000, DueUnit.WORKING_DAYS: 500}


@dataclass(frozen=True)
class TaskSpec:
    """One task to open: the department, what it is asked (``kind`` in the company's words, e.g.
    原因分析, and optional ``instructions``), an optional assignee of that department and an
    optional time limit (``due_amount`` working hours or working days from now)."""

    department: Department
    kind: str
    instructions: str = ""
    assignee: Staff | None = None
    due_amount: int | None = None
    due_unit: str = DueUnit.WORKING_DAYS


def _text_errors(value: str, name: str, *, required: bool, limit: int) -> list[str]:
    if required and not value.strip():
        return [_("This field is required.")]
    try:
        limits.check_text(value, max_length=limit)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def due_time(*, start: datetime, amount: int, unit: str) -> datetime:
    """``amount`` working hours or working days after ``start`` on the working calendar; "N working
    days" ends at the close of the Nth working day after the start day (kesu.workcalendar.calendar)."""
    calendar = get_calendar()
    if unit == DueUnit.WORKING_HOURS:
        return calendar.add_working_hours(start, amount)
    return calendar.end_of_nth_working_day(start, amount, count_receipt_day=False)


def _spec_errors(spec: TaskSpec, now: datetime) -> tuple[dict[str, list[str]], datetime | None]:
    errors: dict[str, list[str]] = {}
    if problems := _text_errors(spec.kind, "kind", required=True, limit=limits.TASK_KIND):
        errors["kind"] = problems
    if problems := _text_errors(
        spec.instructions, "instructions", required=False, limit=limits.HANDLING_TEXT
    ):
        errors["instructions"] = problems
    if spec.assignee is not None and spec.assignee.department_id != spec.department.pk:
        errors["assignee"] = [_("The assignee must belong to the task's department.")]
    due_at = None
    if spec.due_amount is not None:
        if spec.due_unit not in DueUnit.values:
            errors["due_unit"] = [_("Unknown unit.")]
        elif not 1 <= spec.due_amount <= MAX_DUE_AMOUNT[DueUnit(spec.due_unit)]:
            errors["due_amount"] = [
                _("Must be between 1 and %(max)d.") % {"max": MAX_DUE_AMOUNT[DueUnit(spec.due_unit)]}
            ]
        else:
            try:
                due_at = due_time(start=now, amount=spec.due_amount, unit=spec.due_unit)
            except CalendarNotCovered as exc:
                errors["due_amount"] = [str(exc)]
    return errors, due_at


def _lock(complaint: Complaint) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("handling_department")
        .get(pk=complaint.pk)
    )


def _lock_task(task: Task) -> tuple[Complaint, Task, set[int]]:
    """Lock the task's complaint, then the task (the fixed order)."""
    complaint = _lock(task.complaint)
    locked = (
        Task.objects.select_for_update(of=("self",)).select_related("department", "assignee").get(pk=task.pk)
    )
    locked.complaint = complaint
    return complaint, locked, workflow.accused_ids(complaint)


def _lock_task_for(
    task: Task, action: str, by: Staff, *, refusal: str
) -> tuple[Complaint, Task, set[int], Capacity]:
    """Lock the task (:func:`_lock_task`) and the capacity in which ``by`` may take ``action`` on
    it, or ActionNotAllowed with ``refusal`` and the task actions ``by`` may take instead."""
    complaint, locked, accused = _lock_task(task)
    capacity = rules.task_capacity(locked, action, by, accused)
    if capacity is None:
        raise rules.refuse(
            action=action,
            staff=by,
            accused=accused,
            allowed=rules.allowed_task_actions(locked, by, accused),
            reason=refusal,
        )
    return complaint, locked, accused, capacity


def _label(task: Task) -> str:
    return f"{task.department.name}：{task.kind}"


def _refuse_accused_assignee(assignee: Staff | None, accused: set[int], field: str) -> list[str]:
    if assignee is not None and assignee.pk in accused:
        return [
            _("%(name)s is complained about in this complaint and must recuse (回避); name someone else.")
            % {"name": assignee.display_name}
        ]
    return []


def open_tasks(
    *, complaint: Complaint, by: Staff, tasks: Sequence[TaskSpec], comment: str = ""
) -> list[Task]:
    """Open tasks in one or more departments at once (会办), each with its own assignee and time
    limit. The desk or the head of the responsible department does it (rules.COORDINATORS). A
    department may not get a second open task of the same kind. Field errors are named
    ``tasks.<i>.<field>``."""
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if not tasks:
        errors["tasks"] = [_("Name at least one department task.")]
    if problems := _text_errors(comment, "comment", required=False, limit=limits.HANDLING_TEXT):
        errors["comment"] = problems
    due: list[datetime | None] = []
    seen: set[tuple[int, str]] = set()
    for index, spec in enumerate(tasks):
        spec_errors, due_at = _spec_errors(spec, now)
        key = (spec.department.pk, spec.kind.strip())
        if key in seen:
            spec_errors.setdefault("kind", []).append(_("This department is given this task twice."))
        seen.add(key)
        errors.update({f"tasks.{index}.{name}": messages for name, messages in spec_errors.items()})
        due.append(due_at)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock(complaint)
        accused = workflow.accused_ids(locked)
        capacity = rules.coordinator(locked, by, accused) if locked.is_open else None
        if capacity is None:
            reason = (
                _("Only the desk or the head of the responsible department opens department tasks.")
                if locked.is_open
                else _("The complaint is no longer open.")
            )
            raise rules.refuse(action="open_tasks", staff=by, accused=accused, allowed=[], reason=reason)
        existing = {
            (department_id, kind)
            for department_id, kind in Task.objects.select_for_update(of=("self",))
            .filter(complaint=locked, status=TaskStatus.OPEN)
            .order_by("pk")
            .values_list("department_id", "kind")
        }
        for index, spec in enumerate(tasks):
            if (spec.department.pk, spec.kind.strip()) in existing:
                errors[f"tasks.{index}.kind"] = [_("This department already has this task open.")]
            if problems := _refuse_accused_assignee(spec.assignee, accused, "assignee"):
                errors[f"tasks.{index}.assignee"] = problems
        if errors:
            raise ValidationError(errors)
        created = [
            Task.objects.create(
                complaint=locked,
                department=spec.department,
                kind=spec.kind.strip(),
                instructions=spec.instructions,
                assignee=spec.assignee,
                due_amount=spec.due_amount,
                due_unit=spec.due_unit if spec.due_amount is not None else "",
                due_at=due_at,
                created_by=by,
                created_at=now,
            )
            for spec, due_at in zip(tasks, due, strict=True)
        ]
        append_event(
            complaint=locked,
            capacity=capacity,
            action="tasks_opened",
            comment=comment,
            data={
                "tasks": [_label(t) for t in created],
                "task_ids": [t.pk for t in created],
            },
        )
    return created


def assign_task(*, task: Task, by: Staff, assignee: Staff) -> Task:
    """The head of the task's department names (or changes) who does it."""
    with transaction.atomic():
        complaint, locked, accused, capacity = _lock_task_for(
            task,
            "assign_task",
            by,
            refusal=_("Only the head of the task's department assigns it, while it is open."),
        )
        errors: dict[str, list[str]] = {}
        if assignee.department_id != locked.department_id:
            errors["assignee"] = [_("The assignee must belong to the task's department.")]
        elif problems := _refuse_accused_assignee(assignee, accused, "assignee"):
            errors["assignee"] = problems
        if errors:
            raise ValidationError(errors)
        old = locked.assignee
        locked.assignee = assignee
        locked.save(update_fields=["assignee"])
        append_event(
            complaint=complaint,
            capacity=capacity,
            action="task_assigned",
            data={
                "task": _label(locked),
                "task_id": locked.pk,
                "assignee": {"old": old.display_name if old else None, "new": assignee.display_name},
            },
        )
    return locked


def complete_task(*, task: Task, by: Staff, result: str) -> Task:
    """Record the task's result and mark it done: only its department (the head, or the assignee)."""
    if problems := _text_errors(result, "result", required=True, limit=limits.HANDLING_TEXT):
        raise ValidationError({"result": problems})
    with transaction.atomic():
        complaint, locked, accused, capacity = _lock_task_for(
            task,
            "complete_task",
            by,
            refusal=_("Only the task's department (its head or the assignee) completes an open task."),
        )
        now = timezone.now()
        locked.status, locked.result, locked.done_by, locked.done_at = TaskStatus.DONE, result, by, now
        locked.save(update_fields=["status", "result", "done_by", "done_at"])
        append_event(
            complaint=complaint,
            capacity=capacity,
            action="task_done",
            comment=result,
            data={
                "task": _label(locked),
                "task_id": locked.pk,
                "late": locked.due_at is not None and now > locked.due_at,
            },
        )
    return locked


def cancel_task(*, task: Task, by: Staff, reason: str) -> Task:
    """Withdraw an open task (a coordinator, with the reason)."""
    if problems := _text_errors(reason, "reason", required=True, limit=limits.HANDLING_TEXT):
        raise ValidationError({"reason": problems})
    with transaction.atomic():
        complaint, locked, accused, capacity = _lock_task_for(
            task,
            "cancel_task",
            by,
            refusal=_("Only the desk or the head of the responsible department cancels an open task."),
        )
        locked.status, locked.cancelled_by, locked.cancelled_at = TaskStatus.CANCELLED, by, timezone.now()
        locked.save(update_fields=["status", "cancelled_by", "cancelled_at"])
        append_event(
            complaint=complaint,
            capacity=capacity,
            action="task_cancelled",
            comment=reason,
            data={"task": _label(locked), "task_id": locked.pk},
        )
    return locked


def distribute_result(
    *, complaint: Complaint, by: Staff, departments: Sequence[Department], note: str = ""
) -> list[Distribution]:
    """Send the decision and result to the named departments, one copy each (分送; seed 002
    第(九)8: QA, production, sales, accounting, GM office). Each department receives it once."""
    errors: dict[str, list[str]] = {}
    if not departments:
        errors["departments"] = [_("Name at least one department.")]
    elif len({d.pk for d in departments}) != len(departments):
        errors["departments"] = [_("A department is named twice.")]
    if problems := _text_errors(note, "note", required=False, limit=limits.HANDLING_TEXT):
        errors["note"] = problems
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock(complaint)
        accused = workflow.accused_ids(locked)
        capacity = rules.coordinator(locked, by, accused)
        if capacity is None:
            raise rules.refuse(
                action="distribute_result",
                staff=by,
                accused=accused,
                allowed=[],
                reason=_("Only the desk or the head of the responsible department distributes the result."),
            )
        already = set(
            Distribution.objects.filter(complaint=locked, department__in=departments).values_list(
                "department__name", flat=True
            )
        )
        if already:
            raise ValidationError(
                {"departments": [_("Already sent to: %(names)s.") % {"names": "、".join(sorted(already))}]}
            )
        now = timezone.now()
        created = [
            Distribution.objects.create(
                complaint=locked, department=d, note=note, distributed_by=by, distributed_at=now
            )
            for d in departments
        ]
        append_event(
            complaint=locked,
            capacity=capacity,
            action="result_distributed",
            comment=note,
            data={"departments": [d.name for d in departments]},
        )
    return created


def acknowledge_distribution(*, distribution: Distribution, by: Staff) -> Distribution:
    """A member of the receiving department acknowledges receipt (签收), once."""
    with transaction.atomic():
        complaint = _lock(distribution.complaint)
        locked = (
            Distribution.objects.select_for_update(of=("self",))
            .select_related("department")
            .get(pk=distribution.pk)
        )
        accused = workflow.accused_ids(complaint)
        capacity = rules.member_capacity(locked, by, accused)
        if capacity is None:
            reason = (
                _("%(department)s acknowledged it already.") % {"department": locked.department.name}
                if locked.is_acknowledged
                else _("Only a member of the receiving department acknowledges receipt.")
            )
            raise rules.refuse(
                action="acknowledge_distribution", staff=by, accused=accused, allowed=[], reason=reason
            )
        locked.acknowledged_by, locked.acknowledged_at = by, timezone.now()
        locked.save(update_fields=["acknowledged_by", "acknowledged_at"])
        append_event(
            complaint=complaint,
            capacity=capacity,
            action="distribution_acknowledged",
            data={"department": locked.department.name},
        )
    return locked
