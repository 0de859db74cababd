from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    name = "kesu.committees"
    label = "committees"
    verbose_name = _("committees")

    def ready(self) -> None:
        from kesu.committees.contributions import contribute

        contribute()
