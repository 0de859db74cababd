from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationConfig(AppConfig):
    name = "kesu.organization"
    label = "organization"
    verbose_name = _("organization")

    def ready(self) -> None:
        from kesu.organization import signals  # noqa: F401  (sign-in outcomes feed the throttle)
