"""Decisions test data: the persona company under a preset, a complaint being investigated by
production (the responsible department), and a proposal helper."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from kesu.complaints import services as complaint_services
from kesu.complaints.models import Category, Complaint, Status
from kesu.decisions import services
from kesu.decisions.services import MoneyIn, RemedyIn, ShareIn
from kesu.organization.models import Staff
from kesu.rulebook.services import apply_preset
from tests.api.conftest import client_for, token_for  # noqa: F401 (the API tests' fixtures)
from tests.conftest import Org, advance, intake


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def furniture(org: Org) -> Org:
    apply_preset(name="furniture")
    return org


def investigated(org: Org, code: str = "product_quality", accused: tuple[Staff, ...] = ()) -> Complaint:
    complaint = complaint_services.register_complaint(
        by=org.clerk, intake=intake(category=Category.objects.get(code=code)), accused_staff=accused
    )
    return advance(complaint, org, Status.INVESTIGATING)


FACTORY_CUSTOMER_70_30 = [
    ShareIn(party="department", department="production", share="70.00"),
    ShareIn(party="customer", name="刘先生", share="30.00"),
]


def propose(org: Org, complaint: Complaint, by: Staff | None = None, **overrides):
    fields = {
        "cause": "quality_defect",
        "shares": FACTORY_CUSTOMER_70_30,
        "remedies": [RemedyIn(kind="repair", quantity=1)],
        "money": MoneyIn(repair_budget=Decimal("1000.00")),
        "note": "委员会一致意见",
    }
    fields.update(overrides)
    return services.propose_decision(complaint=complaint, by=by or org.production_head, **fields)
