from django.urls import path

from kesu.assignments import views

urlpatterns = [
    path("complaints/<str:number>/tasks/", views.tasks_page, name="complaint-tasks"),
    path("complaints/<str:number>/tasks/<slug:act>/", views.complaint_act, name="complaint-tasks-act"),
    path("tasks/<int:task_id>/<slug:act>/", views.task_act, name="task-act"),
    path(
        "distributions/<int:distribution_id>/acknowledge/", views.acknowledge, name="distribution-acknowledge"
    ),
]
