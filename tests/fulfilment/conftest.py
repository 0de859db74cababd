"""Fulfilment test data: the persona company under a preset, a complaint with an approved
decision, and a helper to take an action as the web, the API and the CLI do."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from kesu.approvals.services import decide_approval
from kesu.complaints.actions import perform_action
from kesu.complaints.models import Complaint
from kesu.decisions.services import MoneyIn, RemedyIn, ShareIn
from kesu.organization.models import Role, Staff
from kesu.rulebook.services import apply_preset
from tests.api.conftest import client_for, token_for  # noqa: F401 (the API tests' fixtures)
from tests.conftest import Org, make_staff
from tests.decisions.conftest import investigated, propose
from tests.web.conftest import as_user  # noqa: F401 (the fixture)

__all__ = ["act", "decided", "investigated"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def furniture(org: Org) -> Org:
    apply_preset(name="furniture")
    return org


@pytest.fixture
def pcb(org: Org) -> Org:
    org.sales_head = make_staff("saleshead", "孙业务经理", org.sales, Role.DEPARTMENT_HEAD)
    apply_preset(name="pcb")
    return org


def act(complaint: Complaint, action: str, by: Staff, **inputs: Any) -> Complaint:
    """Take ``action`` with raw inputs (codes, ids, ISO strings), as the web form, API and CLI do."""
    complaint.refresh_from_db()
    return perform_action(complaint=complaint, action=action, by=by, inputs=inputs, version=complaint.version)


def decided(
    org: Org,
    complaint: Complaint,
    *,
    cause: str = "quality_defect",
    approver: Staff | None = None,
    **money: str,
):
    """Propose a decision (production 70 %, the customer 30 %) and have it approved."""
    version = propose(
        org,
        complaint,
        cause=cause,
        shares=[
            ShareIn(party="department", department="production", share="70.00"),
            ShareIn(party="customer", name="刘先生", share="30.00"),
        ],
        remedies=[RemedyIn(kind="repair", quantity=1)],
        money=MoneyIn(**{"repair_budget": Decimal("1000.00"), **money}),
    )
    if version.approval is not None:
        decide_approval(approval=version.approval, by=approver or org.gm, approve=True)
    version.refresh_from_db()
    return version
