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
