from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "kesu.decisions"
    label = "decisions"
    verbose_name = _("decisions")

    def ready(self) -> None:
        from kesu.approvals.services import on_decided
        from kesu.decisions.presets import load_decision_lists
        from kesu.decisions.services import approval_decided
        from kesu.rulebook import sections

        # After the approval rules (order 40); the lists refer to nothing else.
        sections.register("decision_lists", order=50, load=load_decision_lists)
        on_decided("decision", approval_decided)
