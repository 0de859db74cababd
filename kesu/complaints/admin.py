from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from kesu.complaints.models import Category, ComplaintEvent, Procedure, ProcedureStep, Severity
from kesu.complaints.procedures import STEP_ACTIONS, validate_steps
from kesu.core.admin import HistoryAdmin


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "parent", "is_active"]
    list_editable = ["is_active"]


@admin.register(Severity)
class SeverityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "rank", "is_default"]


class ProcedureStepForm(forms.ModelForm):
    action = forms.ChoiceField(choices=list(STEP_ACTIONS.items()))

    class Meta:
        model = ProcedureStep
        fields = ["order", "action", "label", "role", "scope", "position", "required", "source"]
        widgets = {"source": forms.Textarea(attrs={"rows": 2, "cols": 40})}


class ProcedureStepFormSet(forms.BaseInlineFormSet):
    """The whole procedure is checked before anything is saved: it must reach closing, every step
    must have someone who can take it, no step twice for the same role."""

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        steps = [
            {
                "action": form.cleaned_data.get("action"),
                "role": form.cleaned_data.get("role"),
                "scope": form.cleaned_data.get("scope"),
                "position": form.cleaned_data.get("position"),
                "required": form.cleaned_data.get("required"),
            }
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            validate_steps(steps)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class ProcedureStepInline(admin.TabularInline):
    model = ProcedureStep
    form = ProcedureStepForm
    formset = ProcedureStepFormSet
    extra = 0
    ordering = ["order", "pk"]


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    """A rule book's procedure, readable as a list of steps (处理流程)."""

    list_display = ["name", "category", "severity", "source"]
    inlines = [ProcedureStepInline]


@admin.register(ComplaintEvent)
class ComplaintEventAdmin(HistoryAdmin):
    """The audit trail, readable by administrators and never editable (a database trigger
    refuses UPDATE and DELETE too: migration 0006_append_only_timeline)."""

    list_display = ["complaint", "action", "at", "actor", "acting_for", "from_status", "to_status"]
    list_filter = ["action"]
    search_fields = ["complaint__number"]
