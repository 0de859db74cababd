from django.urls import path

from kesu.committees import views

urlpatterns = [
    path("complaints/<str:number>/committee/", views.committee_page, name="complaint-committee"),
    path(
        "complaints/<str:number>/committee/<slug:act>/", views.committee_act, name="complaint-committee-act"
    ),
]
