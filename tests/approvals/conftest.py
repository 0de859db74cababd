"""Approvals test data: the persona company with a sales manager, and rules made to measure."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from kesu.approvals.models import ApprovalApprover, ApprovalRule
from kesu.complaints import services
from kesu.complaints.models import Category, Complaint
from kesu.organization.models import Role, Staff
from kesu.rulebook.services import apply_preset
from tests.conftest import Org, intake, make_staff


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the UI's default language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def sales_head(org: Org) -> Staff:
    """业务部经理: the head of the sales department."""
    return make_staff("saleshead", "孙业务经理", org.sales, Role.DEPARTMENT_HEAD)


@pytest.fixture
def pcb(org: Org, sales_head: Staff) -> Org:
    """The company runs the PCB rule book (seed 002)."""
    apply_preset(name="pcb")
    return org


def complaint_of(org: Org, code: str, accused: tuple[Staff, ...] = ()) -> Complaint:
    return services.register_complaint(
        by=org.clerk, intake=intake(category=Category.objects.get(code=code)), accused_staff=accused
    )


def rule(
    step: str = "decision", category: str | None = None, low: Any = None, high: Any = None, *levels
) -> ApprovalRule:
    """A rule whose ``levels`` are (mode, [approver kwargs…]) in sequence."""
    made = ApprovalRule(
        step=step,
        category=Category.objects.get(code=category) if category else None,
        amount_from=None if low is None else Decimal(str(low)),
        amount_to=None if high is None else Decimal(str(high)),
        source="test",
    )
    made.full_clean()
    made.save()
    for number, (mode, approvers) in enumerate(levels, start=1):
        for approver in approvers:
            row = ApprovalApprover(rule=made, level=number, mode=mode, **approver)
            row.full_clean()
            row.save()
    return made


GM = {"role": Role.GENERAL_MANAGER}
VP = {"role": Role.VICE_PRESIDENT}
