from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfilmentConfig(AppConfig):
    """Carrying the handling decision out and what it costs (issue 9 §3–§4).

    Built on kesu.decisions (and approvals, deadlines, complaints): shipments whose delivery drives
    the follow-up clock through deadlines' ``record_delivery``, repair progress, carrier claims,
    finished-goods return slips (成品退货单), allowance certificates (销货折让证明单) approved by
    amount, receivables affected, the cost ledger and the month's cost figures. Contributes through
    ``kesu.complaints.registry`` (``contributions.contribute``); the rule book's lists are preset
    section ``fulfilment`` (``presets.load_fulfilment``)."""

    name = "kesu.fulfilment"
    label = "fulfilment"
    verbose_name = _("fulfilment and costs")

    def ready(self) -> None:
        from kesu.fulfilment import contributions
        from kesu.fulfilment.presets import load_fulfilment
        from kesu.rulebook import sections

        # After the decision lists (order 50) and the approval rules (40).
        sections.register("fulfilment", order=60, load=load_fulfilment)
        contributions.contribute()
