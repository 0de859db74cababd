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
        _contribute_timeline()


def _contribute_timeline() -> None:
    """How the complaint page's timeline shows the entries decisions writes (kesu.complaints.registry)."""
    from kesu.complaints import registry
    from kesu.complaints.registry import DataKey
    from kesu.decisions.models import CountersignHow

    registry.register_event("decision_proposed", _("Decision proposed"))
    registry.register_event("decision_countersigned", _("Decision countersigned by the customer"))
    registry.register_event("decision_refused_by_customer", _("Decision refused by the customer"))
    for event in ("decision_proposed", "decision_countersigned", "decision_refused_by_customer"):
        registry.register_data("decision_version", DataKey(_("decision version")), event=event)
    for key, data_key in {
        "cause": DataKey(_("cause")),
        "amount_at_stake": DataKey(_("amount at stake (CNY)")),
        "shares": DataKey(_("responsibility shares")),
        "approved_without_approval": DataKey(_("approved at once")),
    }.items():
        registry.register_data(key, data_key, event="decision_proposed")
    registry.register_data(
        "how", DataKey(_("how"), choices=dict(CountersignHow.choices)), event="decision_countersigned"
    )
    registry.register_data("signed_by", DataKey(_("signed by")), event="decision_countersigned")
    registry.register_data("at", DataKey(_("answered at"), when=True), event="decision_countersigned")
    registry.register_data("refiling", DataKey(_("re-filing")), event="decision_refused_by_customer")
