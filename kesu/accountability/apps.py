from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "kesu.accountability"
    label = "accountability"
    verbose_name = _("accountability (考核)")

    def ready(self) -> None:
        from kesu.accountability.lateness import record_holder
        from kesu.accountability.presets import load_assessment
        from kesu.deadlines.signals import clock_went_late
        from kesu.rulebook import sections

        # After the time limits (20) and the decision lists (50): rules may name clock kinds.
        sections.register("assessment", order=60, load=load_assessment)
        # Who held a clock when it went late, in the transaction that notes it (kesu.deadlines).
        clock_went_late.connect(record_holder, dispatch_uid="kesu-accountability-late-holder")
