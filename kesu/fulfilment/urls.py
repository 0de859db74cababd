from django.urls import path

from kesu.fulfilment import views

urlpatterns = [
    path("costs/", views.cost_figures_page, name="cost-figures"),
]
