from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "kesu.decisions"
    label = "decisions"
    verbose_name = _("decisions")

    def ready(self) -> None:
        from kesu.approvals.services import on_decided
        from kesu.decisions.presets import load_decision_lists, load_objection_route
        from kesu.decisions.services import approval_decided
        from kesu.rulebook import sections

        # After the approval rules (order 40); the lists refer to nothing else.
        sections.register("decision_lists", order=50, load=load_decision_lists)
        sections.register("decision_objections", order=51, load=load_objection_route)
        on_decided("decision", approval_decided)
        _wire_approve_step()
        _contribute_page()
        _contribute_timeline()


def _wire_approve_step() -> None:
    """The decision's approval by amount decides the procedure's approve step (kesu.decisions.wiring)."""
    from kesu.approvals.services import on_decided
    from kesu.complaints import registry
    from kesu.decisions import wiring

    on_decided(wiring.STEP, wiring.move_step)  # after approval_decided: the version first
    registry.guard(wiring.APPROVE_STEP, wiring.not_by_hand)
    registry.guard(wiring.RETURN_STEP, wiring.not_by_hand)


def _contribute_page() -> None:
    """The decision panel on the complaint page, and the approved decision a reply quotes."""
    from kesu.complaints import registry
    from kesu.complaints.registry import Panel
    from kesu.decisions.panels import decision_panel, reply_quotes_the_decision

    registry.register_panel("complaint", Panel("decisions/_decision.html", decision_panel, order=20))
    registry.register_initial("reply_to_customer", "reply", reply_quotes_the_decision)


def _contribute_timeline() -> None:
    """How the complaint page's timeline shows the entries decisions writes (kesu.complaints.registry)."""
    from kesu.complaints import registry
    from kesu.complaints.registry import DataKey
    from kesu.decisions.models import CountersignHow

    registry.register_event("decision_proposed", _("Decision proposed"))
    registry.register_event("decision_drafted", _("Decision drafted"))
    registry.register_event("decision_countersigned", _("Decision countersigned by the customer"))
    registry.register_event("decision_refused_by_customer", _("Decision refused by the customer"))
    registry.register_event("refiled_after_refusal", _("Filed again: the customer refused the decision"))
    for event in (
        "decision_proposed",
        "decision_drafted",
        "decision_countersigned",
        "decision_refused_by_customer",
        "refiled_after_refusal",
    ):
        registry.register_data("decision_version", DataKey(_("decision version")), event=event)
    for key, data_key in {
        "cause": DataKey(_("cause")),
        "amount_at_stake": DataKey(_("amount at stake (CNY)")),
        "shares": DataKey(_("responsibility shares")),
        "approved_without_approval": DataKey(_("approved at once")),
    }.items():
        registry.register_data(key, data_key, event="decision_proposed")
        registry.register_data(key, data_key, event="decision_drafted")
    registry.register_data(
        "how", DataKey(_("how"), choices=dict(CountersignHow.choices)), event="decision_countersigned"
    )
    registry.register_data("signed_by", DataKey(_("signed by")), event="decision_countersigned")
    registry.register_data("at", DataKey(_("answered at"), when=True), event="decision_countersigned")
    registry.register_data("refiling", DataKey(_("re-filing")), event="decision_refused_by_customer")
    registry.register_data("original", DataKey(_("refused complaint")), event="refiled_after_refusal")
    from kesu.decisions.models import ObjectionStatus

    registry.register_event("decision_objection_raised", _("Objection to the decision raised (签呈)"))
    registry.register_event("decision_objection_decided", _("Objection to the decision decided (签呈)"))
    for event in ("decision_objection_raised", "decision_objection_decided"):
        registry.register_data("decision_version", DataKey(_("decision version")), event=event)
    registry.register_data("department", DataKey(_("department")), event="decision_objection_raised")
    registry.register_data("decider", DataKey(_("decider")), event="decision_objection_raised")
    registry.register_data(
        "outcome",
        DataKey(_("outcome"), choices=dict(ObjectionStatus.choices)),
        event="decision_objection_decided",
    )
