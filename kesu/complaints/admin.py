from django.contrib import admin

from kesu.complaints.models import Category, ComplaintEvent, Severity
from kesu.core.admin import HistoryAdmin


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "name_en",
        "parent",
        "can_answer_on_spot",
        "transfer_requires_approval",
        "is_active",
    ]
    list_editable = ["can_answer_on_spot", "transfer_requires_approval", "is_active"]


@admin.register(Severity)
class SeverityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "rank", "is_default"]


@admin.register(ComplaintEvent)
class ComplaintEventAdmin(HistoryAdmin):
    """The audit trail, readable by administrators and never editable (a database trigger
    refuses UPDATE and DELETE too: migration 0006_append_only_timeline)."""

    list_display = ["complaint", "action", "at", "actor", "acting_for", "from_status", "to_status"]
    list_filter = ["action"]
    search_fields = ["complaint__number"]
