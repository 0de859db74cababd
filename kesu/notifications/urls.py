from django.urls import path

from kesu.notifications import views

urlpatterns = [
    path("notifications/", views.centre, name="notification-centre"),
    path("notifications/read-all/", views.read_all, name="notification-read-all"),
    path("notifications/<int:pk>/read/", views.read_one, name="notification-read"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
]
