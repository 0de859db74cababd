from django.urls import include, path

urlpatterns = [path("", include("kesu.complaints.urls"))]
