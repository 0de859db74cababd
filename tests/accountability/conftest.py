"""Accountability test data: the persona company under the PCB and telecom rule books, people's
base points, approved decisions with a loss, late clocks made by the real sweep."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from kesu.accountability import services
from kesu.accountability.models import DepartmentReview, ReviewState
from kesu.approvals.authority import approvers_now
from kesu.approvals.services import decide_approval
from kesu.complaints import services as complaint_services
from kesu.complaints.models import Category, Complaint, Status
from kesu.decisions.services import MoneyIn, RemedyIn, ShareIn, propose_decision
from kesu.organization.models import Role, Staff
from kesu.rulebook.services import apply_preset
from tests.api.conftest import client_for, token_for  # noqa: F401 (the API tests' fixtures)
from tests.conftest import Org, advance, intake, local, make_staff

NOVEMBER = date(2026, 11, 1)
DECEMBER = date(2026, 12, 1)
JANUARY = date(2027, 1, 1)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def pcb(org: Org) -> Org:
    make_staff("saleshead", "孙业务经理", org.sales, Role.DEPARTMENT_HEAD)
    apply_preset(name="pcb")
    return org


@pytest.fixture
def telecom(org: Org) -> Org:
    apply_preset(name="telecom")
    return org


def terms(staff: Staff, base: str, bonus: str = "0", month: date = date(2026, 10, 1)) -> None:
    services.set_terms(staff=staff, effective_month=month, base_points=base, monthly_bonus=bonus, by=None)


def forty_base_points(org: Org) -> tuple[Staff, Staff, Staff]:
    """Production's 40 base points: the head 3 (bonus 1 000), the handler 5, two workers 16 each."""
    one = make_staff("worker1", "工人甲", org.production, Role.HANDLER)
    two = make_staff("worker2", "工人乙", org.production)
    terms(org.production_head, "3", "1000.00")
    terms(org.production_handler, "5", "1200.00")
    terms(one, "16", "800.00")
    terms(two, "16", "800.00")
    return org.production_head, one, two


def approved_loss(org: Org, *, loss: str, at, shares=None, code: str = "quality") -> Complaint:
    """A complaint whose handling decision (loss ``loss``, production responsible by default) is
    approved at ``at``."""
    with time_machine.travel(at, tick=False):
        complaint = complaint_services.register_complaint(
            by=org.clerk, intake=intake(category=Category.objects.get(code=code), received_at=at)
        )
        complaint = advance(complaint, org, Status.RESOLUTION_PROPOSED)
        version = propose_decision(
            complaint=complaint,
            by=org.production_head,
            cause="quality_defect",
            shares=shares or [ShareIn(party="department", department="production", share="100")],
            remedies=[RemedyIn(kind="compensation")],
            money=MoneyIn(loss_amount=Decimal(loss)),
        )
        decide_approval(approval=version.approval, by=approvers_now(version.approval)[0], approve=True)
    return complaint


def confirm_all(month: date) -> None:
    """Every current department review of the month confirmed by one of the department's heads
    (the PCB rule book requires the heads' review before the GM approves)."""
    for review in DepartmentReview.objects.filter(month__month=month, is_current=True).exclude(
        state=ReviewState.CONFIRMED
    ):
        head = Staff.objects.filter(
            role_assignments__role=Role.DEPARTMENT_HEAD, department=review.department
        ).first()
        services.review_department(month=month, department=review.department, by=head, confirm=True)


__all__ = [
    "DECEMBER",
    "confirm_all",
    "JANUARY",
    "NOVEMBER",
    "approved_loss",
    "forty_base_points",
    "local",
    "terms",
]
