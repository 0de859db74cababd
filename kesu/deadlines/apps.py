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
        from kesu.complaints import hooks
        from kesu.deadlines import clock_actions, clocks
        from kesu.deadlines.models import CalendarDay, CalendarYear, WorkingHours
        from kesu.deadlines.presets import load_time_limits
        from kesu.rulebook import sections

        sections.register("time_limits", order=20, load=load_time_limits)

        # Clocks start and stop with the complaint's own timeline, in the same transaction.
        hooks.after_event(clocks.on_complaint_event)
        hooks.validator("close", clocks.require_late_reason)
        hooks.validator("record_follow_up", clock_actions.require_what_the_visit_follows)
        hooks.guard("acknowledge_customer", clock_actions.has_open_customer_ack)
        hooks.guard("await_customer", clock_actions.has_running_pausable_clock)
        hooks.guard("resume_clocks", clock_actions.has_paused_clock)
        hooks.guard("request_extension", clock_actions.can_request_extension)
        hooks.guard("approve_extension", clock_actions.has_pending_extension)
        hooks.guard("reject_extension", clock_actions.has_pending_extension)

        post_migrate.connect(_import_statutory_calendar, sender=self, dispatch_uid="kesu-statutory-calendar")
        for model in (CalendarDay, CalendarYear, WorkingHours):
            post_save.connect(
                _calendar_changed, sender=model, dispatch_uid=f"kesu-calendar-{model.__name__}-save"
            )
            post_delete.connect(
                _calendar_changed, sender=model, dispatch_uid=f"kesu-calendar-{model.__name__}-delete"
            )
