from django.urls import path

from kesu.deadlines import views

urlpatterns = [
    path("figures/", views.figures_page, name="figures"),
]
