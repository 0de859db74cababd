"""The admin of ownership (§3) and retention (§5): the rule book's rules and periods are editable
configuration; ownerships, their history, disputes, hand-overs and destruction records are history,
view-only (they change only through kesu.archive.ownership and kesu.archive.retention)."""

from __future__ import annotations

from django.contrib import admin

from kesu.archive.models_ownership import (
    ArchiveOwnership,
    CreditSplitCase,
    Handover,
    HandoverItem,
    OwnershipDispute,
    OwnershipEvent,
    OwnershipRules,
)
from kesu.archive.models_retention import DestructionItem, DestructionList, RetentionPeriod


class _ReadOnly:
    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OwnershipRules)
class OwnershipRulesAdmin(admin.ModelAdmin):
    list_display = ["registration_valid_months"]


@admin.register(CreditSplitCase)
class CreditSplitCaseAdmin(admin.ModelAdmin):
    list_display = ["order", "code", "name", "registrant_share", "requires_valid_registration"]
    list_editable = ["registrant_share", "requires_valid_registration"]


@admin.register(RetentionPeriod)
class RetentionPeriodAdmin(admin.ModelAdmin):
    list_display = ["record", "years", "reviewer_role", "approver_role", "witness_required"]


@admin.register(ArchiveOwnership)
class ArchiveOwnershipAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["archive", "owner", "department", "registered_at", "renewed_at"]


@admin.register(OwnershipEvent)
class OwnershipEventAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["at", "archive", "kind", "from_staff", "to_staff", "by"]
    list_filter = ["kind"]


@admin.register(OwnershipDispute)
class OwnershipDisputeAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["opened_at", "archive", "claimant", "owner", "status", "winner"]


class HandoverItemInline(_ReadOnly, admin.TabularInline):
    model = HandoverItem
    extra = 0


@admin.register(Handover)
class HandoverAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["at", "leaver", "by", "reason"]
    inlines = [HandoverItemInline]


class DestructionItemInline(_ReadOnly, admin.TabularInline):
    model = DestructionItem
    extra = 0


@admin.register(DestructionList)
class DestructionListAdmin(_ReadOnly, admin.ModelAdmin):
    """The destruction records (销毁记录): never changed or deleted here."""

    list_display = ["pk", "record", "status", "proposed_at", "approved_by", "destroyed_by", "destroyed_at"]
    inlines = [DestructionItemInline]
