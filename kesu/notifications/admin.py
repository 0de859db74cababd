from django.contrib import admin

from kesu.core.admin import HistoryAdmin
from kesu.notifications.models import MajorComplaintRule, Notification


@admin.register(Notification)
class NotificationAdmin(HistoryAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "complaint", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__display_name", "complaint__number"]


@admin.register(MajorComplaintRule)
class MajorComplaintRuleAdmin(HistoryAdmin):
    list_display = ["severity", "category", "role", "source"]
    list_filter = ["role"]
