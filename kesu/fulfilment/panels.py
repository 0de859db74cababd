"""The cost ledger on the complaint page (registry.register_panel("complaint", …)): what was
shipped, repaired, returned, credited and claimed, and what the complaint cost and on whom it
falls. A fixed number of queries whatever the number of rows (tests/fulfilment/test_web.py)."""

from __future__ import annotations

from typing import Any

from kesu.complaints.models import Complaint
from kesu.fulfilment.selectors import fulfilment_of


def cost_panel(complaint: Complaint) -> dict[str, Any]:
    f = fulfilment_of(complaint)
    anything = any(
        [f.shipments, f.repair_steps, f.claims, f.returns, f.credit_notes, f.receivables, f.cost is not None]
    )
    return {"f": f, "anything": anything}
