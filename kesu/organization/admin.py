from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kesu.core.admin import HistoryAdmin
from kesu.organization.forms import AdminLoginForm
from kesu.organization.models import ApiToken, AuthFailure, Department, Position, RoleAssignment, Staff
from kesu.organization.services import revoke_token

# The admin's sign-in is throttled like the site's (kesu.organization.throttle).
admin.site.login_form = AdminLoginForm


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
class ApiTokenAdmin(HistoryAdmin):
    """Tokens are issued by `kesu token create` (which shows the secret once) and can only be
    revoked here: a revoked token is never restored and a token never changes hands."""

    list_display = ["prefix", "staff", "name", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    actions = ["revoke"]

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("organization.change_apitoken")

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = sum(revoke_token(token=token, by=request.user.get_username()) for token in queryset)
        messages.info(request, gettext("%(count)d tokens revoked.") % {"count": revoked})


@admin.register(AuthFailure)
class AuthFailureAdmin(admin.ModelAdmin):
    """Failed sign-ins and token authentications being counted; delete a row to lift its lock-out."""

    list_display = ["scope", "key", "failures", "window_started_at", "last_failure_at", "locked_until"]
    list_filter = ["scope"]
    search_fields = ["key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
