from django.urls import path

from kesu.decisions import views

urlpatterns = [
    path("complaints/<str:number>/decision/", views.decision_page, name="complaint-decision"),
    path("complaints/<str:number>/decision/<slug:act>/", views.decision_act, name="complaint-decision-act"),
]
