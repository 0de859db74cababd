from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def _import_statutory_calendar(sender, using="default", apps=None, **kwargs):
    """After `migrate` (and after tests flush the database) the package's years are covered; a newer
    `chinesecalendar` release is picked up by the next `kesu migrate`."""
    if apps is not None:
        try:
            apps.get_model("workcalendar", "CalendarRevision")
        except LookupError:  # migrated backwards past this app's tables
            return
    from kesu.workcalendar.services import import_statutory_calendar

    import_statutory_calendar(using=using)


def _calendar_changed(sender, using="default", **kwargs):
    from kesu.workcalendar.models import CalendarRevision

    CalendarRevision.bump(using=using)


class WorkCalendarConfig(AppConfig):
    """The working calendar (工作日历): statutory holidays and make-up working days (调休), company
    days, working hours, and the arithmetic over them. Time limits count in it; it knows none of
    the apps that do (they connect to ``signals.calendar_changed``)."""

    name = "kesu.workcalendar"
    label = "workcalendar"
    verbose_name = _("working calendar")

    def ready(self) -> None:
        from kesu.workcalendar.models import CalendarDay, CalendarYear, WorkingHours

        post_migrate.connect(_import_statutory_calendar, sender=self, dispatch_uid="kesu-statutory-calendar")
        for model in (CalendarDay, CalendarYear, WorkingHours):
            post_save.connect(
                _calendar_changed, sender=model, dispatch_uid=f"kesu-calendar-{model.__name__}-save"
            )
            post_delete.connect(
                _calendar_changed, sender=model, dispatch_uid=f"kesu-calendar-{model.__name__}-delete"
            )
