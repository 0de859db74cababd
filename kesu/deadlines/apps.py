from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def _import_statutory_calendar(sender, using="default", apps=None, **kwargs):
    """After `migrate` (and after tests flush the database) the package's years are covered; a newer
    `chinesecalendar` release is picked up by the next `kesu migrate`."""
    if apps is not None:
        try:
            apps.get_model("deadlines", "CalendarRevision")
        except LookupError:  # migrated backwards past this app's tables
            return
    from kesu.deadlines.services import import_statutory_calendar

    import_statutory_calendar(using=using)


def _calendar_changed(sender, using="default", **kwargs):
    from kesu.deadlines.models import CalendarRevision

    CalendarRevision.bump(using=using)


class DeadlinesConfig(AppConfig):
    name = "kesu.deadlines"
    label = "deadlines"
    verbose_name = _("deadlines")

    def ready(self) -> None:
        from kesu.deadlines.contributions import contribute
        from kesu.deadlines.models import CalendarDay, CalendarYear, WorkingHours
        from kesu.deadlines.presets import load_time_limits
        from kesu.rulebook import sections

        sections.register("time_limits", order=20, load=load_time_limits)

        contribute()  # actions, inputs, timeline entries, panel: kesu.complaints.registry

        post_migrate.connect(_import_statutory_calendar, sender=self, dispatch_uid="kesu-statutory-calendar")
        for model in (CalendarDay, CalendarYear, WorkingHours):
            post_save.connect(
                _calendar_changed, sender=model, dispatch_uid=f"kesu-calendar-{model.__name__}-save"
            )
            post_delete.connect(
                _calendar_changed, sender=model, dispatch_uid=f"kesu-calendar-{model.__name__}-delete"
            )
