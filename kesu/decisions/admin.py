from django.contrib import admin

from kesu.core.admin import HistoryAdmin
from kesu.decisions.models import (
    Cause,
    DecisionVersion,
    Objection,
    ObjectionRoute,
    Remedy,
    RemedyKind,
    ResponsibilityShare,
)


@admin.register(Cause)
class CauseAdmin(admin.ModelAdmin):
    """The rule book's causes (原因判定); validated by the model (code unique, lengths)."""

    list_display = ["code", "name", "name_en", "upheld", "is_active", "sort_order"]
    list_filter = ["upheld", "is_active"]
    search_fields = ["code", "name", "name_en"]


@admin.register(RemedyKind)
class RemedyKindAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "is_active", "sort_order"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "name_en"]


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ShareInline(_ReadOnlyInline):
    model = ResponsibilityShare
    fields = ["position", "party", "department", "staff", "name", "share"]
    readonly_fields = fields


class RemedyInline(_ReadOnlyInline):
    model = Remedy
    fields = ["position", "kind", "quantity", "amount"]
    readonly_fields = fields


@admin.register(DecisionVersion)
class DecisionVersionAdmin(HistoryAdmin):
    """Decisions are read-only here: they are proposed, approved and countersigned through the
    services (web, API), which keep every version and write the timeline."""

    list_display = ["decision", "number", "status", "cause", "customer_answer", "proposed_at"]
    list_filter = ["status", "customer_answer", "cause"]
    inlines = [ShareInline, RemedyInline]


@admin.register(ObjectionRoute)
class ObjectionRouteAdmin(admin.ModelAdmin):
    """Who decides a 签呈 against an approved decision (the first active route)."""

    list_display = ["decider_role", "decider_department", "is_active"]


@admin.register(Objection)
class ObjectionAdmin(HistoryAdmin):
    """Objections are raised and decided through the services (web, API), which write the timeline."""

    list_display = ["version", "department", "decider", "status", "raised_at", "decided_at"]
    list_filter = ["status"]
