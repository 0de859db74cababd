from django.contrib import admin

from kesu.archive.access_models import AccessRules
from kesu.archive.models import (
    ArchiveChange,
    ArchiveGrant,
    ArchiveRules,
    Contact,
    ContactLogEntry,
    CustomerArchive,
    CustomerClass,
    ProfileField,
    ReadAudit,
)


@admin.register(ArchiveRules)
class ArchiveRulesAdmin(admin.ModelAdmin):
    list_display = [
        "numbering_pattern",
        "numbering_reset",
        "duplicate_window_days",
        "registration_working_days",
    ]


@admin.register(ProfileField)
class ProfileFieldAdmin(admin.ModelAdmin):
    list_display = ["kind", "order", "code", "label", "group", "type", "required", "personal"]
    list_filter = ["kind", "group"]
    list_editable = ["order", "required", "personal"]


@admin.register(CustomerClass)
class CustomerClassAdmin(admin.ModelAdmin):
    list_display = ["scheme", "order", "code", "name", "key_customer"]
    list_filter = ["scheme"]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    exclude = ["phone_digits"]


@admin.register(CustomerArchive)
class CustomerArchiveAdmin(admin.ModelAdmin):
    """Read-only here: corrections go through the customer's page (old and new value, who, why)."""

    list_display = ["number", "customer", "kind", "customer_class", "grade", "credit_class", "registered_at"]
    search_fields = ["number", "customer__name"]
    inlines = [ContactInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnly(admin.ModelAdmin):
    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ContactLogEntry)
class ContactLogAdmin(ReadOnly):
    list_display = ["archive", "kind", "at", "staff"]


@admin.register(ArchiveChange)
class ArchiveChangeAdmin(ReadOnly):
    list_display = ["archive", "field", "old", "new", "by", "at"]


@admin.register(ReadAudit)
class ReadAuditAdmin(ReadOnly):
    """Every read of a classified archive and every reveal of personal data (append-only)."""

    list_display = ["at", "staff", "archive", "kind", "level", "address"]
    list_filter = ["kind", "level"]


@admin.register(ArchiveGrant)
class ArchiveGrantAdmin(ReadOnly):
    list_display = ["archive", "staff", "granted_by", "granted_at"]


# Ownership (§3) and retention (§5).
from kesu.archive import admin_ownership  # noqa: E402, F401


@admin.register(AccessRules)
class AccessRulesAdmin(admin.ModelAdmin):
    """Who approves reading and lending an archive, who decides a correction (preset section
    ``archive_access``); the requests themselves are on the access page and in the history."""

    list_display = ["read_own_approver", "read_other_approver", "read_days", "lend_approver", "lend_days"]
