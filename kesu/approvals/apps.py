from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "kesu.approvals"
    label = "approvals"
    verbose_name = _("approvals")

    def ready(self) -> None:
        from kesu.approvals.presets import load_approval_rules
        from kesu.rulebook import sections

        # After the classes (order 10): a rule names its class by code.
        sections.register("approval_rules", order=40, load=load_approval_rules)
        _contribute_timeline()
        from kesu.approvals import contributions

        contributions.contribute()
        _contribute_handovers()


def _contribute_handovers() -> None:
    """Who an approval's entries put work on (kesu.notifications.handover, told in the worker)."""
    from kesu.approvals import handovers
    from kesu.notifications import handover

    handover.register("approval_requested", handovers.requested)
    handover.register("approval_decided", handovers.decided)


def _contribute_timeline() -> None:
    """How the complaint page's timeline shows the entries approvals write (kesu.complaints.registry)."""
    from kesu.approvals.models import ApprovalStatus
    from kesu.complaints import registry
    from kesu.complaints.registry import DataKey

    registry.register_event("approval_requested", _("Approval requested"))
    registry.register_event("approval_decided", _("Approval decided"))
    for key, data_key in {
        "approval": DataKey(hidden=True),
        "rule": DataKey(hidden=True),
        "step": DataKey(_("step")),
        "amount": DataKey(_("amount (CNY)")),
        "levels": DataKey(_("approval levels")),
        "approve": DataKey(_("approved")),
        "approval_status": DataKey(_("approval status"), choices=dict(ApprovalStatus.choices)),
    }.items():
        registry.register_data(key, data_key)
    registry.register_data("level", DataKey(_("approval level")), event="approval_decided")
