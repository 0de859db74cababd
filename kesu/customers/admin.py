from django.contrib import admin

from kesu.customers.models import Customer, Product


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "contact_name", "phone", "region", "is_overseas"]
    list_filter = ["is_overseas"]
    search_fields = ["code", "name", "contact_name"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["model_code", "name"]
    search_fields = ["model_code", "name"]
