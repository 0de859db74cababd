from django.urls import path

from kesu.notifications import views

urlpatterns = [
    path("notifications/read/", views.notifications_read, name="notifications-read"),
]
