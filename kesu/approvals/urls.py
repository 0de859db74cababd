from django.urls import path

from kesu.approvals import views

urlpatterns = [
    path("approvals/", views.approvals_page, name="approvals"),
    path("approvals/<int:approval_id>/decide", views.decide_page, name="approval-decide"),
]
