"""The department-task page of a complaint (会办): its tasks, what the viewer may do on each, the
copies of its result and their acknowledgements. Views parse, call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kesu.assignments import rules, selectors, services
from kesu.assignments.forms import ROWS, CancelForm, CompleteForm, DistributeForm, OpenTasksForm
from kesu.assignments.models import Task
from kesu.complaints import workflow
from kesu.complaints.models import Complaint
from kesu.core.errors import ActionNotAllowed
from kesu.organization.models import Staff
from kesu.organization.selectors import staff_of

MAX_ID = 2_147_483_647


class _Invalid(Exception):
    """The form itself is invalid: its errors are on it."""


def _staff(request: HttpRequest) -> Staff:
    staff = staff_of(request.user)
    if staff is None:
        raise Http404
    return staff


def _complaint(staff: Staff, number: str) -> Complaint:
    complaint = selectors.complaint_for_tasks(staff=staff, number=number)
    if complaint is None:
        raise Http404
    return complaint


def _add_errors(form: Form, error: ValidationError) -> None:
    for name, texts in (
        error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
    ):
        if name and name.startswith("tasks.") and name.count(".") == 2:
            _tasks, index, field = name.split(".")
            name = f"{field}_{index}"
        form.add_error(name if name in form.fields else None, texts)


def _page(
    request: HttpRequest,
    staff: Staff,
    complaint: Complaint,
    *,
    forms: dict[str, Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    accused = workflow.accused_ids(complaint)
    tasks = list(selectors.tasks_of(complaint=complaint))
    bound = forms or {}
    rows = []
    for task in tasks:
        task.complaint = complaint
        allowed = rules.allowed_task_actions(task, staff, accused)
        complete = bound.get(f"complete-{task.pk}") or CompleteForm()
        cancel = bound.get(f"cancel-{task.pk}") or CancelForm()
        rows.append(
            {
                "task": task,
                "complete": complete if "complete_task" in allowed else None,
                "cancel": cancel if "cancel_task" in allowed else None,
            }
        )
    coordinates = rules.coordinator(complaint, staff, accused) is not None
    context: dict[str, Any] = {
        "complaint": complaint,
        "rows": rows,
        "all_done": not any(t.is_open for t in tasks),
        "copies": [
            {"copy": d, "may_acknowledge": rules.member_capacity(d, staff, accused) is not None}
            for d in selectors.distributions_of(complaint=complaint)
        ],
        "open_form": (bound.get("open") or OpenTasksForm()) if coordinates and complaint.is_open else None,
        "distribute_form": (bound.get("distribute") or DistributeForm()) if coordinates else None,
    }
    return render(request, "assignments/tasks.html", context, status=status)


def _refused(request: HttpRequest, complaint: Complaint, error: ActionNotAllowed) -> HttpResponse:
    context = {"complaint": complaint, "error": error, "allowed": error.allowed}
    return render(request, "complaints/refused.html", context, status=403)


@login_required
@require_GET
def tasks_page(request: HttpRequest, number: str) -> HttpResponse:
    staff = _staff(request)
    return _page(request, staff, _complaint(staff, number))


@login_required
@require_POST
def complaint_act(request: HttpRequest, number: str, act: str) -> HttpResponse:
    """Open tasks (``open``) or distribute the result (``distribute``)."""
    staff = _staff(request)
    complaint = _complaint(staff, number)
    form: Form
    if act == "open":
        form = OpenTasksForm(request.POST)
    elif act == "distribute":
        form = DistributeForm(request.POST)
    else:
        raise Http404
    try:
        if not form.is_valid():
            raise _Invalid
        data = form.cleaned_data
        if act == "open":
            specs = [
                services.TaskSpec(
                    department=data[f"department_{i}"],
                    kind=data[f"kind_{i}"],
                    due_amount=data[f"due_amount_{i}"],
                    due_unit=data[f"due_unit_{i}"] or "working_days",
                )
                for i in range(ROWS)
                if data.get(f"department_{i}")
            ]
            services.open_tasks(complaint=complaint, by=staff, tasks=specs, comment=data["comment"])
            messages.success(request, _("Department tasks opened: %(count)d.") % {"count": len(specs)})
        else:
            services.distribute_result(
                complaint=complaint, by=staff, departments=list(data["departments"]), note=data["note"]
            )
            messages.success(request, _("The result was distributed."))
    except ActionNotAllowed as error:
        return _refused(request, complaint, error)
    except ValidationError as error:
        _add_errors(form, error)
        return _page(request, staff, complaint, forms={act: form}, status=400)
    except _Invalid:
        return _page(request, staff, complaint, forms={act: form}, status=400)
    return redirect("complaint-tasks", number=complaint.number)


def _task(staff: Staff, task_id: int) -> Task:
    task = selectors.task_visible_to(staff=staff, task_id=task_id) if task_id <= MAX_ID else None
    if task is None:
        raise Http404
    return task


@login_required
@require_POST
def task_act(request: HttpRequest, task_id: int, act: str) -> HttpResponse:
    """Complete (``complete``) or cancel (``cancel``) one task."""
    staff = _staff(request)
    task = _task(staff, task_id)
    form: Form
    if act == "complete":
        form = CompleteForm(request.POST)
    elif act == "cancel":
        form = CancelForm(request.POST)
    else:
        raise Http404
    complaint = task.complaint
    try:
        if not form.is_valid():
            raise _Invalid
        if act == "complete":
            services.complete_task(task=task, by=staff, result=form.cleaned_data["result"])
            messages.success(request, _("Done: %(task)s.") % {"task": task})
        else:
            services.cancel_task(task=task, by=staff, reason=form.cleaned_data["reason"])
            messages.success(request, _("Cancelled: %(task)s.") % {"task": task})
    except ActionNotAllowed as error:
        return _refused(request, complaint, error)
    except ValidationError as error:
        _add_errors(form, error)
        return _page(request, staff, complaint, forms={f"{act}-{task.pk}": form}, status=400)
    except _Invalid:
        return _page(request, staff, complaint, forms={f"{act}-{task.pk}": form}, status=400)
    return redirect("complaint-tasks", number=complaint.number)


@login_required
@require_POST
def acknowledge(request: HttpRequest, distribution_id: int) -> HttpResponse:
    staff = _staff(request)
    copy = (
        selectors.distribution_visible_to(staff=staff, distribution_id=distribution_id)
        if distribution_id <= MAX_ID
        else None
    )
    if copy is None:
        raise Http404
    try:
        services.acknowledge_distribution(distribution=copy, by=staff)
    except ActionNotAllowed as error:
        return _refused(request, copy.complaint, error)
    messages.success(request, _("Receipt acknowledged."))
    return redirect("complaint-tasks", number=copy.complaint.number)
