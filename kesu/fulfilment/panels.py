"""The cost ledger on the complaint page (registry.register_panel("complaint", …)): what was
shipped, repaired, returned, credited and claimed, and what the complaint cost and on whom it
falls. A fixed number of queries whatever the number of rows (tests/fulfilment/test_web.py)."""

from __future__ import annotations

from typing import Any

from kesu.complaints.models import Complaint
from kesu.fulfilment.ledger import cost_of
from kesu.fulfilment.selectors import fulfilment_of


def cost_panel(complaint: Complaint) -> dict[str, Any]:
    """Every act of fulfilment and the decision's approval write the ledger row: without it there
    is nothing to show (one query, shared with the actions' guards)."""
    if cost_of(complaint) is None:
        return {"anything": False}
    return {"f": fulfilment_of(complaint, cost=cost_of(complaint)), "anything": True}
