from django.contrib import admin

from kesu.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "complaint", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__display_name", "complaint__number"]
    readonly_fields = ["created_at", "emailed_at", "dedup_key"]
