from django.urls import path

from kesu.complaints.urls import IdConverter  # noqa: F401 — registers the "id" converter
from kesu.statistics import views

urlpatterns = [
    path("statistics/", views.dashboard, name="statistics"),
    path("statistics/export.xlsx", views.statistics_export, name="statistics-export"),
    path("statistics/complaints/", views.drill_page, name="statistics-drill"),
    path("statistics/complaints.xlsx", views.drill_export, name="statistics-drill-export"),
    path("exports/complaints.xlsx", views.complaints_export, name="complaints-export"),
    path("exports/", views.export_list, name="exports"),
    path("exports/<id:export_id>/", views.export_detail, name="export-detail"),
    path("exports/<id:export_id>/download/", views.export_download, name="export-download"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<id:report_id>/download/", views.report_download, name="report-download"),
]
