from django.contrib import admin

from kesu.committees.models import (
    Committee,
    CommitteeMember,
    CommitteeRule,
    CommitteeSeat,
    Meeting,
    MeetingVote,
)
from kesu.core.admin import HistoryAdmin


class SeatInline(admin.TabularInline):
    model = CommitteeSeat
    extra = 0
    fields = ["position", "label", "role", "scope", "department_code", "collects_evidence", "duty"]


@admin.register(CommitteeRule)
class CommitteeRuleAdmin(admin.ModelAdmin):
    """The rule book's committees (委员会成员及职责) and meetings that vote (合伙人会议): who convenes,
    the seats, and for a vote its quorum and majority; validated by the models."""

    list_display = [
        "name",
        "decides_by",
        "category",
        "severity",
        "convenor_role",
        "quorum_percent",
        "majority_percent",
        "is_active",
    ]
    list_filter = ["is_active", "decides_by"]
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


class VoteInline(admin.TabularInline):
    model = MeetingVote
    extra = 0
    can_delete = False
    fields = ["position", "label", "staff", "vote", "comment", "cast_by", "cast_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(HistoryAdmin):
    """Meetings are read-only here: convened, voted and concluded through the complaint's actions
    (web, API, `kesu act`), which write the timeline."""

    list_display = ["complaint", "rule", "round", "status", "outcome", "convened_at", "concluded_at"]
    list_filter = ["status", "outcome"]
    inlines = [VoteInline]
