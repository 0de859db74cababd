from django.contrib import admin

from kesu.core.admin import HistoryAdmin
from kesu.statistics.models import HotSpotRule, ReportSchedule, StoredReport


@admin.register(ReportSchedule)
class ReportScheduleAdmin(admin.ModelAdmin):
    """The rule book's scheduled reports (定期报表); validated by the model (day, roles)."""

    list_display = ["code", "name", "cadence", "day", "at", "by", "listing", "roles", "is_active"]
    list_filter = ["cadence", "is_active"]
    search_fields = ["code", "name", "name_en", "source"]


@admin.register(StoredReport)
class StoredReportAdmin(HistoryAdmin):
    """What the worker built: read-only here (the reports page downloads them)."""

    list_display = ["schedule", "period_start", "period_end", "built_at", "builds", "complaints", "size"]
    list_filter = ["schedule"]
    exclude = ["content"]


@admin.register(HotSpotRule)
class HotSpotRuleAdmin(admin.ModelAdmin):
    """When a product or batch counts as a hot spot on the statistics page (one row)."""

    list_display = ["__str__", "periods", "k", "minimum"]
