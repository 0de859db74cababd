from django.contrib import admin

from kesu.core.admin import HistoryAdmin
from kesu.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(HistoryAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "complaint", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__display_name", "complaint__number"]
