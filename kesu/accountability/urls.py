from django.urls import path

from kesu.accountability import views

urlpatterns = [
    path("assessment/", views.months_page, name="assessment"),
    path("assessment/mine/", views.mine_page, name="assessment-mine"),
    path("assessment/running/", views.running_page, name="assessment-running"),
    path("assessment/lines/<int:line_id>/appeal", views.appeal_page, name="assessment-appeal"),
    path("assessment/<str:month>/", views.month_page, name="assessment-month"),
    path("assessment/<str:month>/review", views.review_page, name="assessment-review"),
    path("assessment/<str:month>/sheet.xlsx", views.export_page, name="assessment-export"),
    path("assessment/<str:month>/<str:step>", views.step_page, name="assessment-step"),
]
