"""Department tasks (会办) on a complaint and the distribution of its result.

A complaint may have tasks open in several departments at once — seed 002 (PCB) 第(九)4: QA
analyses the cause and names the responsible unit, production proposes countermeasures, R&D
comments, sales negotiates with the customer; seed 003: a cross-department complaint goes to the
marketing director within 1 working day. Each task has its own department, assignee, due time and
timeline entries. The result is then filed in copies to named departments (seed 002 第(九)8:
QA, production, sales, accounting, GM office), each of which acknowledges receipt.

Rows change only through kesu.assignments.services, which writes the complaint's timeline in the
same transaction.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.complaints.models import Complaint
from kesu.core import limits
from kesu.core.limits import BoundedTextField
from kesu.organization.models import Department, Staff


class TaskStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class DueUnit(models.TextChoices):
    """How a task's time limit is counted, on the working calendar (kesu.workcalendar.calendar)."""

    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")


class TaskQuerySet(models.QuerySet):
    def open(self) -> TaskQuerySet:
        return self.filter(status=TaskStatus.OPEN)


class Task(models.Model):
    """One department's part of a complaint (会办事项), e.g. 质量部 · 原因分析."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("complaint")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("department")
    )
    kind = models.CharField(
        _("task"), max_length=limits.TASK_KIND, help_text=_("In the company's words, e.g. 原因分析.")
    )
    instructions = BoundedTextField(_("instructions"), max_length=limits.HANDLING_TEXT, blank=True)
    assignee = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tasks",
        verbose_name=_("assignee"),
    )
    status = models.CharField(_("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    result = BoundedTextField(_("result"), max_length=limits.HANDLING_TEXT, blank=True)
    due_amount = models.PositiveIntegerField(_("time limit"), null=True, blank=True)
    due_unit = models.CharField(_("unit"), max_length=20, choices=DueUnit.choices, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    created_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    done_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("done by")
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["complaint", "pk"]
        indexes = [
            models.Index(fields=["department", "status", "due_at"], name="task_department_status"),
            models.Index(fields=["complaint", "status"], name="task_complaint_status"),
        ]
        verbose_name = _("department task")
        verbose_name_plural = _("department tasks")

    def __str__(self) -> str:
        return f"{self.department.name} · {self.kind}"

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN

    def is_overdue(self, at=None) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < (at or timezone.now())


class Distribution(models.Model):
    """One copy of the complaint's decision and result sent to a department (分送), with its
    acknowledgement of receipt (签收). Seed 002 第(九)8: five copies."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="distributions", verbose_name=_("complaint")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="distributions", verbose_name=_("department")
    )
    note = BoundedTextField(_("note"), max_length=limits.HANDLING_TEXT, blank=True)
    distributed_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("distributed by")
    )
    distributed_at = models.DateTimeField(_("distributed at"), default=timezone.now)
    acknowledged_by = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        ordering = ["complaint", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "department"], name="distribution_once_per_department"
            )
        ]
        indexes = [models.Index(fields=["department", "acknowledged_at"], name="distribution_department")]
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")

    def __str__(self) -> str:
        return f"{self.complaint} → {self.department.name}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


KIND_SEPARATORS = ("、", ",", "，")


def split_kinds(raw: str) -> list[str]:
    """The task kinds written in one field, separated by 、 or commas (blanks dropped)."""
    for separator in KIND_SEPARATORS[1:]:
        raw = raw.replace(separator, KIND_SEPARATORS[0])
    return [kind.strip() for kind in raw.split(KIND_SEPARATORS[0]) if kind.strip()]


class TaskGate(models.Model):
    """A step that waits for department tasks (rule-book data): the action ``action`` is not
    offered, and refused, while a task of the named ``kinds`` is open on the complaint (no kinds:
    while any task is open). ``category`` limits it to a class and its sub-classes. Seed 002 (PCB)
    第(九)4/6: the GM office consolidates only after QA's cause analysis and production's
    countermeasures. Edited in the admin; read when the action is checked (no restart)."""

    action = models.CharField(
        _("action"),
        max_length=60,
        help_text=_("The action that waits, e.g. propose_resolution."),
    )
    category = models.ForeignKey(
        "complaints.Category",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("class"),
        help_text=_("Empty: every class. A gate for a class covers its sub-classes."),
    )
    kinds = models.CharField(
        _("task kinds waited for"),
        max_length=limits.TASK_KINDS,
        blank=True,
        help_text=_("Separated by 、 or commas, e.g. 原因分析、改善对策. Empty: every open task."),
    )
    source = BoundedTextField(
        _("source"),
        max_length=limits.HANDLING_TEXT,
        blank=True,
        help_text=_("The clause of the company's rules this follows."),
    )

    class Meta:
        ordering = ["action", "pk"]
        verbose_name = _("step waiting for department tasks")
        verbose_name_plural = _("steps waiting for department tasks")

    def __str__(self) -> str:
        return f"{self.action} ← {self.kinds or _('every open task')}"

    @property
    def kind_list(self) -> list[str]:
        return split_kinds(self.kinds)

    def clean(self) -> None:
        from kesu.complaints import registry

        if self.action and self.action not in registry.ACTIONS:
            raise ValidationError(
                {
                    "action": _("No action “%(action)s”. The actions are: %(actions)s.")
                    % {"action": self.action, "actions": ", ".join(registry.ACTIONS)}
                }
            )
        too_long = [kind for kind in self.kind_list if len(kind) > limits.TASK_KIND]
        if too_long:
            raise ValidationError(
                {
                    "kinds": _("A task kind has at most %(max)d characters: %(kind)s.")
                    % {"max": limits.TASK_KIND, "kind": too_long[0]}
                }
            )
