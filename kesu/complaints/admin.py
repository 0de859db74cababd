from django.contrib import admin

from kesu.complaints.models import Category, ComplaintEvent, Severity


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
class ComplaintEventAdmin(admin.ModelAdmin):
    """The audit trail, readable by administrators and never editable."""

    list_display = ["complaint", "action", "at", "actor", "acting_for", "from_status", "to_status"]
    list_filter = ["action"]
    search_fields = ["complaint__number"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
