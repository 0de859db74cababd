from django.urls import path

from kesu.complaints import views

urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("complaints/", views.complaint_list, name="complaint-list"),
    path("complaints/new/", views.complaint_new, name="complaint-new"),
    path("complaints/<str:number>/", views.complaint_detail, name="complaint-detail"),
    path("complaints/<str:number>/actions/<slug:action>/", views.complaint_action, name="complaint-action"),
    path("complaints/<str:number>/attachments/", views.attachment_add, name="complaint-attach"),
    path(
        "complaints/<str:number>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="complaint-attachment",
    ),
]
