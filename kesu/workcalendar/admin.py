from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kesu.workcalendar.models import CalendarDay, CalendarYear, Source, WorkingHours
from kesu.workcalendar.selectors import uncovered_years_ahead
from kesu.workcalendar.services import changed


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
    """Open clocks counted in working time follow the edited calendar at once (timeline entries,
    written by the apps that count in it: services.changed)."""
    moved = changed(reason=gettext("Calendar changed: %(what)s") % {"what": what})
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
