"""The rule book's lists (carriers, over-delivery tolerances, return rules, document numbering) are
edited here; what happened (shipments, returns, credit notes, …) only through the complaint's
actions, which write the timeline, so it is read-only here (kesu.core.admin.HistoryAdmin)."""

from django.contrib import admin

from kesu.core.admin import HistoryAdmin
from kesu.fulfilment.models import (
    Carrier,
    CarrierClaim,
    CreditNote,
    DocumentNumbering,
    OverDeliveryTolerance,
    Receivable,
    RepairStep,
    ReturnRule,
    ReturnSlip,
    Shipment,
)


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "is_active", "sort_order"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "name_en"]


@admin.register(OverDeliveryTolerance)
class OverDeliveryToleranceAdmin(admin.ModelAdmin):
    """超量允收比率 per customer; the row without a customer is the company's rule."""

    list_display = ["__str__", "customer", "percent"]
    autocomplete_fields = ["customer"]
    search_fields = ["customer__name", "customer__code"]


@admin.register(ReturnRule)
class ReturnRuleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "returned", "unconditional", "within_days", "is_active"]
    list_filter = ["returned", "is_active"]
    search_fields = ["code", "name", "name_en"]


@admin.register(DocumentNumbering)
class DocumentNumberingAdmin(admin.ModelAdmin):
    list_display = ["kind", "pattern", "reset"]


@admin.register(Shipment, RepairStep, CarrierClaim, ReturnSlip, CreditNote, Receivable)
class FulfilmentRecordAdmin(HistoryAdmin):
    list_display = ["__str__", "complaint"]
    search_fields = ["complaint__number"]
