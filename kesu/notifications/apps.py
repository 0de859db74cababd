from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "kesu.notifications"
    label = "notifications"
    verbose_name = _("notifications")

    def ready(self) -> None:
        from kesu.complaints import hooks
        from kesu.notifications import handover, major
        from kesu.rulebook import sections

        hooks.after_event(handover.on_complaint_event)
        hooks.after_event(major.on_complaint_event)
        sections.register("major_complaint_recipients", order=45, load=major.load_major_complaint_recipients)
