from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from kesu.approvals.models import Approval, ApprovalApprover, ApprovalDecision, ApprovalRule
from kesu.approvals.rules import check_levels
from kesu.core.admin import HistoryAdmin


class ApproverFormSet(BaseInlineFormSet):
    """The rule's approver rows together: levels 1, 2, … without gaps, one mode per level. The
    admin saves the rule and its rows in one transaction, and only when both are valid."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return  # the rows' own errors first
        rows = [
            form.instance
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
        ]
        check_levels(rows)


class ApproverInline(admin.TabularInline):
    model = ApprovalApprover
    formset = ApproverFormSet
    extra = 1
    fields = ["level", "mode", "role", "scope", "department_code", "staff"]
    autocomplete_fields = ["staff"]


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(admin.ModelAdmin):
    """核决权限: who approves a step for a class and an amount range (from inclusive, to exclusive)."""

    list_display = ["step", "category", "amount_from", "amount_to", "source"]
    list_filter = ["step", "category"]
    inlines = [ApproverInline]


class DecisionInline(admin.TabularInline):
    model = ApprovalDecision
    fields = ["level", "actor", "acting_for", "approve", "reason", "at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Approval)
class ApprovalAdmin(HistoryAdmin):
    """Read-only: an approval changes only through decide_approval, which writes the timeline."""

    list_display = ["complaint", "step", "amount", "status", "current_level", "requested_by", "created_at"]
    list_filter = ["status", "step"]
    search_fields = ["complaint__number"]
    inlines = [DecisionInline]
