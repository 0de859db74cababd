from django.contrib import admin

from kesu.core.admin import HistoryAdmin
from kesu.rulebook.models import NumberCounter, RecusalSubstitute, RuleBook


@admin.register(RuleBook)
class RuleBookAdmin(admin.ModelAdmin):
    list_display = ["company_name", "preset", "numbering_pattern", "numbering_reset", "updated_at"]

    def has_add_permission(self, request):
        return not RuleBook.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NumberCounter)
class NumberCounterAdmin(HistoryAdmin):
    """Read-only: editing a counter could reuse a number."""

    list_display = ["period", "last_value"]


@admin.register(RecusalSubstitute)
class RecusalSubstituteAdmin(admin.ModelAdmin):
    """Who decides when every holder of a role is recused (回避); presets fill it in."""

    list_display = ["role", "substitute_role", "substitute", "deputy_stands_in", "source"]
    autocomplete_fields = ["substitute"]
