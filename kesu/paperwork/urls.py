from django.urls import path

from kesu.complaints.urls import IdConverter  # noqa: F401  (registers the "id" converter)
from kesu.paperwork import views

urlpatterns = [
    path(
        "complaints/<str:number>/forms/registration.pdf",
        views.registration_form,
        name="paperwork-registration",
    ),
    path(
        "complaints/<str:number>/forms/transfer-slips/<id:slip_id>.pdf",
        views.transfer_slip,
        name="paperwork-transfer-slip",
    ),
    path("complaints/<str:number>/forms/reminder.pdf", views.reminder_slip, name="paperwork-reminder"),
    path("complaints/<str:number>/forms/inquiry.pdf", views.inquiry_slip, name="paperwork-inquiry"),
    path("complaints/<str:number>/forms/quality-memo.pdf", views.quality_memo, name="paperwork-quality-memo"),
]
