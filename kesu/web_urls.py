from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from kesu.organization.forms import LoginForm


class _Favicon(RedirectView):
    """/favicon.ico → the static icon (its hashed name is known only once static files are set up)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("kesu/favicon.svg")


urlpatterns = [
    # for clients that ask for /favicon.ico without reading the page's <link rel="icon">
    path("favicon.ico", _Favicon.as_view()),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("kesu.deadlines.urls")),
    path("", include("kesu.notifications.urls")),
    path("", include("kesu.approvals.urls")),
    path("", include("kesu.paperwork.urls")),
    path("", include("kesu.complaints.urls")),
    path("", include("kesu.assignments.urls")),
    path("", include("kesu.statistics.urls")),
    path("", include("kesu.fulfilment.urls")),
    path("", include("kesu.archive.urls")),
    path("", include("kesu.decisions.urls")),
    path("", include("kesu.committees.urls")),
    path("", include("kesu.accountability.urls")),
]
