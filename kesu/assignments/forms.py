"""Web forms of the department-task page. They parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kesu.assignments.models import DueUnit
from kesu.assignments.services import MAX_DUE_AMOUNT
from kesu.core import limits
from kesu.organization.models import Department

ROWS = 4  # PCB: QA, production, R&D, sales in one go


class OpenTasksForm(forms.Form):
    """Up to ``ROWS`` tasks at once: a row with a department and a task counts, an empty row not."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=limits.HANDLING_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        departments = Department.objects.order_by("code")
        for i in range(ROWS):
            self.fields[f"department_{i}"] = forms.ModelChoiceField(
                departments, label=_("department"), required=False
            )
            self.fields[f"kind_{i}"] = forms.CharField(
                label=_("task"), required=False, max_length=limits.TASK_KIND
            )
            self.fields[f"due_amount_{i}"] = forms.IntegerField(
                label=_("time limit"), required=False, min_value=1, max_value=max(MAX_DUE_AMOUNT.values())
            )
            self.fields[f"due_unit_{i}"] = forms.ChoiceField(
                label=_("unit"), choices=DueUnit.choices, initial=DueUnit.WORKING_DAYS, required=False
            )

    def rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"{name}_{i}"] for name in ("department", "kind", "due_amount", "due_unit")]
            for i in range(ROWS)
        ]

    def clean(self) -> dict:
        data = super().clean()
        for i in range(ROWS):
            department, kind = data.get(f"department_{i}"), (data.get(f"kind_{i}") or "").strip()
            if department and not kind:
                self.add_error(f"kind_{i}", _("This field is required."))
            elif kind and not department:
                self.add_error(f"department_{i}", _("This field is required."))
        return data


class CompleteForm(forms.Form):
    result = forms.CharField(
        label=_("result"), max_length=limits.HANDLING_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=limits.HANDLING_TEXT)


class DistributeForm(forms.Form):
    departments = forms.ModelMultipleChoiceField(
        Department.objects.order_by("code"), label=_("departments"), widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=limits.HANDLING_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
