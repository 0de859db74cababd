from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    """Statistics, charts, Excel exports and the rule book's scheduled reports (issue 12)."""

    name = "kesu.statistics"
    label = "statistics"
    verbose_name = _("Statistics and reports")

    def ready(self) -> None:
        from kesu.rulebook import sections
        from kesu.statistics.presets import load_report_schedules

        sections.register("report_schedules", order=60, load=load_report_schedules)
