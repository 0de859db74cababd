from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

UNREAD_SHOWN = 20  # unread notifications listed in the workbench; the count shows them all


class NotificationsConfig(AppConfig):
    name = "kesu.notifications"
    label = "notifications"
    verbose_name = _("notifications")

    def ready(self) -> None:
        from kesu.complaints import registry
        from kesu.notifications import handover, major
        from kesu.notifications.models import MajorComplaintRule
        from kesu.notifications.selectors import inbox, unread_count
        from kesu.rulebook import cache, sections

        registry.after_event(handover.on_complaint_event)
        registry.after_event(major.on_complaint_event)
        sections.register("major_complaint_recipients", order=45, load=major.load_major_complaint_recipients)
        cache.watch(MajorComplaintRule)

        # The unread notifications on the workbench and the count on the bell in the navigation.
        registry.register_panel(
            "workbench",
            registry.Panel(
                "notifications/_unread.html",
                lambda staff: {"notifications": list(inbox(staff=staff, unread_only=True)[:UNREAD_SHOWN])},
                order=0,
            ),
        )
        registry.register_navigation("unread", lambda staff: unread_count(staff=staff))
