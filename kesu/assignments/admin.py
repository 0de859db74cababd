from django.contrib import admin

from kesu.assignments.models import Distribution, Task, TaskGate
from kesu.core.admin import HistoryAdmin


@admin.register(Task)
class TaskAdmin(HistoryAdmin):
    """Department tasks (会办), changed only through their services (which write the timeline)."""

    list_display = ["complaint", "department", "kind", "assignee", "status", "due_at", "done_at"]
    list_filter = ["status", "department"]
    search_fields = ["complaint__number", "kind"]
    list_select_related = ["complaint", "department", "assignee"]


@admin.register(Distribution)
class DistributionAdmin(HistoryAdmin):
    """Copies of a complaint's result sent to departments, and their acknowledgements (签收)."""

    list_display = ["complaint", "department", "distributed_at", "acknowledged_by", "acknowledged_at"]
    list_filter = ["department"]
    search_fields = ["complaint__number"]
    list_select_related = ["complaint", "department", "acknowledged_by"]


@admin.register(TaskGate)
class TaskGateAdmin(admin.ModelAdmin):
    """Steps that wait for department tasks (rule book): an edit applies to the next check of the
    action, without a restart; an unknown action or a kind too long is refused when saved."""

    list_display = ["action", "category", "kinds", "source"]
    list_filter = ["action"]
    search_fields = ["action", "kinds", "source"]
    list_select_related = ["category"]
