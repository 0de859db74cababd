from django.contrib import admin, messages
from django.utils.translation import gettext

from kesu.core.admin import HistoryAdmin
from kesu.deadlines.models import (
    ClockRule,
    ComplaintClock,
    EscalationStep,
    ExtensionRequest,
    HandlingTimeTarget,
    TimeLimitPolicy,
)


class ClockRuleInline(admin.TabularInline):
    model = ClockRule
    extra = 1


@admin.register(TimeLimitPolicy)
class TimeLimitPolicyAdmin(admin.ModelAdmin):
    """Time limits per class, severity and channel (时限). Each clock is validated when saved:
    no zero or negative limits, no tie with an equally specific overlapping policy."""

    list_display = ["name", "category", "severity", "channel", "market", "is_active"]
    list_filter = ["is_active", "category", "severity", "channel", "market"]
    inlines = [ClockRuleInline]


@admin.register(HandlingTimeTarget)
class HandlingTimeTargetAdmin(admin.ModelAdmin):
    """The rule book's target for the monthly average time from receipt to the final reply (e.g.
    telecom: at most 17 hours). Delete it and the figures show no target."""

    list_display = ["name", "max_average_hours", "source"]

    def has_add_permission(self, request):
        return not HandlingTimeTarget.objects.exists()


@admin.register(EscalationStep)
class EscalationStepAdmin(admin.ModelAdmin):
    list_display = ["order", "role", "after_hours"]


@admin.register(ComplaintClock)
class ComplaintClockAdmin(HistoryAdmin):
    """Clocks are set by the complaint's actions; read-only here. Filter "cannot compute" to find
    deadlines that reach into a year the calendar does not cover."""

    list_display = ["complaint", "kind", "state", "started_at", "due_at", "due_error", "escalation_level"]
    list_filter = ["state", "kind", ("due_error", admin.EmptyFieldListFilter)]
    search_fields = ["complaint__number"]

    def changelist_view(self, request, extra_context=None):
        blocked = ComplaintClock.objects.filter(state__in=["running", "paused"]).exclude(due_error="").count()
        if blocked:
            messages.error(
                request,
                gettext(
                    "%(count)d open clocks have no due time: the working calendar does not cover their year."
                )
                % {"count": blocked},
            )
        return super().changelist_view(request, extra_context)


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(HistoryAdmin):
    """Requested and decided through the complaint's actions (which move the clock and write the
    timeline); read-only here."""

    list_display = ["clock", "extra_amount", "state", "requested_by", "decided_by", "requested_at"]
    list_filter = ["state"]
