"""The department-task endpoints of /api/v1/ (会办 and the distribution of the result). Each one
parses, calls one service or selector, renders; errors are raised and mapped by kesu.api
(422 with field errors, 403 naming what the caller may do, 404 for what the caller may not see)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router
from ninja.responses import Status as Reply

from kesu.assignments import rules, selectors, services
from kesu.assignments.models import Distribution, Task
from kesu.assignments.schemas import (
    AssignIn,
    CancelIn,
    ComplaintTasksOut,
    CompleteIn,
    DistributeIn,
    DistributionListOut,
    DistributionOut,
    TaskListOut,
    TaskOut,
    TasksIn,
)
from kesu.complaints import workflow
from kesu.complaints.models import Complaint
from kesu.complaints.schemas import MAX_INT, ActionNotAllowedOut, ErrorOut
from kesu.organization.models import Department, Staff

router = Router(tags=["department tasks"])

UNAUTHORIZED = {401: ErrorOut, 429: ErrorOut}
FORBIDDEN = {403: ActionNotAllowedOut | ErrorOut}  # ErrorOut: a session write without CSRF token
NOT_FOUND = {404: ErrorOut}
INVALID = {422: ErrorOut}
WRITE = {**FORBIDDEN, **UNAUTHORIZED, **NOT_FOUND, **INVALID}

TaskId = Path(..., ge=1, le=MAX_INT, description="The task's id.")
DistributionId = Path(..., ge=1, le=MAX_INT, description="The distribution's id.")


def _staff(staff: Staff | None) -> dict[str, str] | None:
    return None if staff is None else {"username": staff.user.get_username(), "name": staff.display_name}


def _task(task: Task, number: str, staff: Staff, accused: set[int]) -> dict[str, Any]:
    return {
        "id": task.pk,
        "complaint": number,
        "department": {"code": task.department.code, "name": task.department.name},
        "kind": task.kind,
        "instructions": task.instructions,
        "assignee": _staff(task.assignee),
        "status": task.status,
        "status_label": task.get_status_display(),
        "result": task.result,
        "due_amount": task.due_amount,
        "due_unit": task.due_unit or None,
        "due_at": task.due_at,
        "overdue": task.is_overdue(),
        "created_by": _staff(task.created_by),
        "created_at": task.created_at,
        "done_by": _staff(task.done_by),
        "done_at": task.done_at,
        "cancelled_by": _staff(task.cancelled_by),
        "cancelled_at": task.cancelled_at,
        "allowed_actions": rules.allowed_task_actions(task, staff, accused),
    }


def _distribution(d: Distribution, number: str, staff: Staff, accused: set[int]) -> dict[str, Any]:
    return {
        "id": d.pk,
        "complaint": number,
        "department": {"code": d.department.code, "name": d.department.name},
        "note": d.note,
        "distributed_by": _staff(d.distributed_by),
        "distributed_at": d.distributed_at,
        "acknowledged_by": _staff(d.acknowledged_by),
        "acknowledged_at": d.acknowledged_at,
        "may_acknowledge": rules.member_capacity(d, staff, accused) is not None,
    }


def _overview(complaint: Complaint, staff: Staff) -> dict[str, Any]:
    accused = workflow.accused_ids(complaint)
    tasks = list(selectors.tasks_of(complaint=complaint))
    for task in tasks:
        task.complaint = complaint
    return {
        "number": complaint.number,
        "all_tasks_done": not any(t.is_open for t in tasks),
        "tasks": [_task(t, complaint.number, staff, accused) for t in tasks],
        "distributions": [
            _distribution(d, complaint.number, staff, accused)
            for d in selectors.distributions_of(complaint=complaint)
        ],
    }


def _complaint_or_404(staff: Staff, number: str) -> Complaint:
    complaint = selectors.complaint_for_tasks(staff=staff, number=number)
    if complaint is None:
        raise Http404(number)
    return complaint


def _task_or_404(staff: Staff, task_id: int) -> Task:
    task = selectors.task_visible_to(staff=staff, task_id=task_id)
    if task is None:
        raise Http404(str(task_id))
    return task


def _reread(task: Task, staff: Staff) -> dict[str, Any]:
    fresh = selectors.tasks_of(complaint=task.complaint).select_related("complaint").get(pk=task.pk)
    return _task(fresh, fresh.complaint.number, staff, workflow.accused_ids(fresh.complaint))


def _departments(codes: list[str], errors: dict[str, list[str]], name: str) -> list[Department]:
    found = {d.code: d for d in Department.objects.filter(code__in=codes)}
    unknown = [code for code in dict.fromkeys(codes) if code not in found]
    if unknown:
        errors[name] = [_("Unknown value: %(value)s") % {"value": ", ".join(unknown)}]
    return [found[code] for code in codes if code in found]


def _person(username: str | None, errors: dict[str, list[str]], name: str) -> Staff | None:
    if not username:
        return None
    person = Staff.objects.select_related("user").filter(user__username=username).first()
    if person is None:
        errors[name] = [_("Unknown value: %(value)s") % {"value": username}]
    return person


@router.get(
    "/complaints/{number}/tasks",
    response={200: ComplaintTasksOut, **UNAUTHORIZED, **NOT_FOUND},
    summary="Department tasks and distributions of a complaint",
)
def complaint_tasks(request: HttpRequest, number: str) -> dict[str, Any]:
    """The complaint's department tasks (会办) with what the caller may do on each, and the copies
    of its result sent to departments with their acknowledgements. 404 also when the caller may
    not see the complaint (a task's department sees it)."""
    staff: Staff = request.auth
    return _overview(_complaint_or_404(staff, number), staff)


@router.post(
    "/complaints/{number}/tasks", response={201: ComplaintTasksOut, **WRITE}, summary="Open department tasks"
)
def open_tasks(request: HttpRequest, number: str, payload: TasksIn) -> Reply:
    """Open tasks in one or several departments at once (the desk or the head of the responsible
    department). Field errors are named ``tasks.<i>.<field>``; nothing is written unless all are
    valid. 201 with all of the complaint's tasks."""
    staff: Staff = request.auth
    complaint = _complaint_or_404(staff, number)
    errors: dict[str, list[str]] = {}
    specs = []
    for index, item in enumerate(payload.tasks):
        departments = _departments([item.department], errors, f"tasks.{index}.department")
        assignee = _person(item.assignee, errors, f"tasks.{index}.assignee")
        if departments:
            specs.append(
                services.TaskSpec(
                    department=departments[0],
                    kind=item.kind,
                    instructions=item.instructions,
                    assignee=assignee,
                    due_amount=item.due_amount,
                    due_unit=item.due_unit,
                )
            )
    if errors:
        raise ValidationError(errors)
    services.open_tasks(complaint=complaint, by=staff, tasks=specs, comment=payload.comment)
    return Reply(201, _overview(complaint, staff))


@router.get("/tasks", response={200: TaskListOut, **UNAUTHORIZED}, summary="My department's open tasks")
def my_tasks(request: HttpRequest) -> dict[str, Any]:
    """The open tasks of the caller's department (and of absent principals' departments), earliest
    due first; at most 100."""
    staff: Staff = request.auth
    tasks = selectors.open_tasks_for(staff=staff, limit=100)
    accused = selectors.accused_by_complaint({t.complaint_id for t in tasks})
    return {"items": [_task(t, t.complaint.number, staff, accused[t.complaint_id]) for t in tasks]}


@router.post("/tasks/{task_id}/assign", response={200: TaskOut, **WRITE}, summary="Assign a task")
def assign(request: HttpRequest, payload: AssignIn, task_id: int = TaskId) -> dict[str, Any]:
    """The head of the task's department names who does it (a member of that department)."""
    staff: Staff = request.auth
    task = _task_or_404(staff, task_id)
    errors: dict[str, list[str]] = {}
    assignee = _person(payload.assignee, errors, "assignee")
    if errors or assignee is None:
        raise ValidationError(errors)
    return _reread(services.assign_task(task=task, by=staff, assignee=assignee), staff)


@router.post("/tasks/{task_id}/complete", response={200: TaskOut, **WRITE}, summary="Complete a task")
def complete(request: HttpRequest, payload: CompleteIn, task_id: int = TaskId) -> dict[str, Any]:
    """Record the result and mark the task done (its department's head or its assignee)."""
    staff: Staff = request.auth
    task = _task_or_404(staff, task_id)
    return _reread(services.complete_task(task=task, by=staff, result=payload.result), staff)


@router.post("/tasks/{task_id}/cancel", response={200: TaskOut, **WRITE}, summary="Cancel a task")
def cancel(request: HttpRequest, payload: CancelIn, task_id: int = TaskId) -> dict[str, Any]:
    """Withdraw an open task, with the reason (the desk or the head of the responsible department)."""
    staff: Staff = request.auth
    task = _task_or_404(staff, task_id)
    return _reread(services.cancel_task(task=task, by=staff, reason=payload.reason), staff)


@router.post(
    "/complaints/{number}/distributions",
    response={201: DistributionListOut, **WRITE},
    summary="Distribute the result",
)
def distribute(request: HttpRequest, number: str, payload: DistributeIn) -> Reply:
    """Send the decision and result to departments, one copy each (seed 002: QA, production,
    sales, accounting, GM office). 201 with the copies just sent."""
    staff: Staff = request.auth
    complaint = _complaint_or_404(staff, number)
    errors: dict[str, list[str]] = {}
    departments = _departments(payload.departments, errors, "departments")
    if errors:
        raise ValidationError(errors)
    sent = services.distribute_result(
        complaint=complaint, by=staff, departments=departments, note=payload.note
    )
    accused = workflow.accused_ids(complaint)
    rows = selectors.distributions_of(complaint=complaint).filter(pk__in=[d.pk for d in sent])
    return Reply(201, {"items": [_distribution(d, complaint.number, staff, accused) for d in rows]})


@router.post(
    "/distributions/{distribution_id}/acknowledge",
    response={200: DistributionOut, **WRITE},
    summary="Acknowledge receipt",
)
def acknowledge(request: HttpRequest, distribution_id: int = DistributionId) -> dict[str, Any]:
    """A member of the receiving department acknowledges receipt of the copy (签收), once."""
    staff: Staff = request.auth
    found = selectors.distribution_visible_to(staff=staff, distribution_id=distribution_id)
    if found is None:
        raise Http404(str(distribution_id))
    done = services.acknowledge_distribution(distribution=found, by=staff)
    fresh = selectors.distributions_of(complaint=done.complaint).get(pk=done.pk)
    return _distribution(fresh, done.complaint.number, staff, workflow.accused_ids(done.complaint))
