from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kesu.core.admin import HistoryAdmin
from kesu.deadlines.clocks import recompute_for_calendar
from kesu.deadlines.models import (
    CalendarDay,
    CalendarYear,
    ClockRule,
    ComplaintClock,
    EscalationStep,
    ExtensionRequest,
    HandlingTimeTarget,
    Source,
    TimeLimitPolicy,
    WorkingHours,
)
from kesu.deadlines.selectors import uncovered_years_ahead


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


def _warn_uncovered(request) -> None:
    for year in uncovered_years_ahead():
        messages.warning(
            request,
            gettext(
                "The working calendar does not cover %(year)s yet: deadlines that reach it cannot be "
                "computed. Enter its holidays and make-up working days, then mark the year covered."
            )
            % {"year": year},
        )


def _recompute(request, what: str) -> None:
    """Open clocks counted in working time follow the edited calendar at once (timeline entries)."""
    moved = recompute_for_calendar(reason=gettext("Calendar changed: %(what)s") % {"what": what})
    if moved:
        messages.info(request, gettext("Deadlines re-timed on %(count)d open complaints.") % {"count": moved})


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Exceptions to the Monday–Friday week. Edits here are an administrator's and win over the package."""

    list_display = ["date", "weekday", "is_working_day", "kind", "name", "source"]
    list_filter = [YearFilter, "kind", "is_working_day", "source"]
    search_fields = ["name"]
    readonly_fields = ["source"]
    date_hierarchy = "date"

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        return obj.date.strftime("%a")

    def save_model(self, request, obj, form, change):
        obj.source = Source.ADMIN
        super().save_model(request, obj, form, change)
        _recompute(request, obj.date.isoformat())

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _recompute(request, obj.date.isoformat())

    def changelist_view(self, request, extra_context=None):
        _warn_uncovered(request)
        return super().changelist_view(request, extra_context)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "covered", "source", "note"]
    list_filter = ["covered", "source"]
    readonly_fields = ["source"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.source = Source.ADMIN
        super().save_model(request, obj, form, change)
        _recompute(request, str(obj.year))

    def changelist_view(self, request, extra_context=None):
        _warn_uncovered(request)
        return super().changelist_view(request, extra_context)


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ["__str__", "updated_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _recompute(request, gettext("working hours"))

    def has_add_permission(self, request):
        return not WorkingHours.objects.exists()


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
