from django.contrib.auth import views as auth_views
from django.urls import include, path

from kesu.organization.forms import LoginForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("kesu.deadlines.urls")),
    path("", include("kesu.notifications.urls")),
    path("", include("kesu.approvals.urls")),
    path("", include("kesu.complaints.urls")),
    path("", include("kesu.assignments.urls")),
    path("", include("kesu.accountability.urls")),
]
