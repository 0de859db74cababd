from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

UNREAD_SHOWN = 20  # unread notifications listed in the workbench; the count shows them all


class NotificationsConfig(AppConfig):
    name = "kesu.notifications"
    label = "notifications"
    verbose_name = _("notifications")

    def ready(self) -> None:
        from kesu.complaints import registry
        from kesu.notifications.selectors import inbox, unread_count

        # The notification centre on the workbench and the count on the bell in the navigation.
        registry.register_panel(
            "workbench",
            registry.Panel(
                "notifications/_unread.html",
                lambda staff: {"notifications": list(inbox(staff=staff, unread_only=True)[:UNREAD_SHOWN])},
                order=0,
            ),
        )
        registry.register_navigation("unread", lambda staff: unread_count(staff=staff))
