from django.contrib import admin

from kesu.committees.models import Committee, CommitteeMember, CommitteeRule, CommitteeSeat
from kesu.core.admin import HistoryAdmin


class SeatInline(admin.TabularInline):
    model = CommitteeSeat
    extra = 0
    fields = ["position", "label", "role", "scope", "department_code", "collects_evidence", "duty"]


@admin.register(CommitteeRule)
class CommitteeRuleAdmin(admin.ModelAdmin):
    """The rule book's committees (委员会成员及职责): who convenes, the seats; validated by the models."""

    list_display = ["name", "category", "convenor_role", "convenor_scope", "is_active"]
    list_filter = ["is_active"]
    inlines = [SeatInline]


class MemberInline(admin.TabularInline):
    model = CommitteeMember
    extra = 0
    can_delete = False
    fields = ["position", "label", "staff", "agreement", "comment", "answered_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Committee)
class CommitteeAdmin(HistoryAdmin):
    """Committees are read-only here: convened, determined and agreed through the services (web,
    API), which write the timeline."""

    list_display = ["complaint", "rule", "status", "convened_at", "agreed_at"]
    list_filter = ["status"]
    inlines = [MemberInline]
