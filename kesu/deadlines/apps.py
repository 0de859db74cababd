from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _recompute(sender, reason: str, **kwargs) -> int:
    from kesu.deadlines.clocks import recompute_for_calendar

    return recompute_for_calendar(reason=reason)


class DeadlinesConfig(AppConfig):
    name = "kesu.deadlines"
    label = "deadlines"
    verbose_name = _("deadlines")

    def ready(self) -> None:
        from kesu.deadlines.contributions import contribute
        from kesu.deadlines.models import ClockRule, TimeLimitPolicy
        from kesu.deadlines.presets import load_time_limits
        from kesu.rulebook import cache, sections
        from kesu.workcalendar.signals import calendar_changed

        sections.register("time_limits", order=20, load=load_time_limits)
        cache.watch(TimeLimitPolicy, ClockRule)
        contribute()  # actions, inputs, timeline entries, panel: kesu.complaints.registry
        # Open clocks follow an edited working calendar, in the edit's transaction.
        calendar_changed.connect(_recompute, dispatch_uid="kesu-deadlines-recompute")
