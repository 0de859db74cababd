from django.contrib import admin

from kesu.organization.models import ApiToken, Department, Position, RoleAssignment, Staff


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "is_customer_service"]
    search_fields = ["code", "name"]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["name", "department"]
    list_filter = ["department"]


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "department", "position", "deputy", "absent_from", "absent_until"]
    list_filter = ["department", "role_assignments__role"]
    search_fields = ["display_name", "user__username"]
    autocomplete_fields = ["deputy"]
    inlines = [RoleInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "staff", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # tokens are issued by `kesu token create`, which shows the secret once
