"""Input and output schemas of the department-task endpoints (types as strict as the complaints')."""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Schema
from pydantic import Strict

from kesu.assignments.models import DueUnit, TaskStatus
from kesu.assignments.services import MAX_DUE_AMOUNT
from kesu.complaints.schemas import CodeName, LocalDateTime, StaffRef, bounded

DueAmount = Annotated[int, Strict(), Field(ge=1, le=max(MAX_DUE_AMOUNT.values()))]
MAX_TASKS = 20  # one request opens at most this many tasks (PCB: four departments)
MAX_COPIES = 20


class TaskIn(Schema):
    department: bounded("department") = Field(min_length=1, description="Department code.")
    kind: bounded("kind") = Field(min_length=1, description="The task in the company's words, e.g. 原因分析.")
    instructions: bounded("instructions") = Field("", description="What the department is asked.")
    assignee: bounded("assignee") | None = Field(None, description="Username of a member of the department.")
    due_amount: DueAmount | None = Field(
        None, description="Time limit, counted from now on the working calendar."
    )
    due_unit: DueUnit = Field(DueUnit.WORKING_DAYS, description="working_days (default) or working_hours.")


class TasksIn(Schema):
    tasks: list[TaskIn] = Field(min_length=1, max_length=MAX_TASKS)
    comment: bounded("comment") = ""


class AssignIn(Schema):
    assignee: bounded("assignee") = Field(min_length=1, description="Username of a member of the department.")


class CompleteIn(Schema):
    result: bounded("result") = Field(min_length=1, description="What the department found or did.")


class CancelIn(Schema):
    reason: bounded("reason") = Field(min_length=1)


class DistributeIn(Schema):
    departments: list[bounded("department")] = Field(
        min_length=1, max_length=MAX_COPIES, description="Department codes, one copy each."
    )
    note: bounded("note") = ""


class TaskOut(Schema):
    id: int
    complaint: str = Field(description="The complaint's number.")
    department: CodeName
    kind: str
    instructions: str
    assignee: StaffRef | None
    status: TaskStatus
    status_label: str
    result: str
    due_amount: int | None
    due_unit: DueUnit | None
    due_at: LocalDateTime | None
    overdue: bool
    created_by: StaffRef
    created_at: LocalDateTime
    done_by: StaffRef | None
    done_at: LocalDateTime | None
    cancelled_by: StaffRef | None
    cancelled_at: LocalDateTime | None
    allowed_actions: list[str] = Field(
        description="assign_task, complete_task, cancel_task: what the caller may do now."
    )


class DistributionOut(Schema):
    id: int
    complaint: str
    department: CodeName
    note: str
    distributed_by: StaffRef
    distributed_at: LocalDateTime
    acknowledged_by: StaffRef | None
    acknowledged_at: LocalDateTime | None
    may_acknowledge: bool


class ComplaintTasksOut(Schema):
    number: str
    all_tasks_done: bool = Field(description="No task is open.")
    tasks: list[TaskOut]
    distributions: list[DistributionOut]


class TaskListOut(Schema):
    items: list[TaskOut]


class DistributionListOut(Schema):
    items: list[DistributionOut]
