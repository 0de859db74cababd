"""Which rule decides: the amount's range (from inclusive, to exclusive) and the most specific class."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kesu.approvals.models import ApprovalRule
from kesu.approvals.rules import choose_rule
from kesu.approvals.selectors import approvers_for
from kesu.approvals.services import request_approval
from kesu.complaints.models import Category
from kesu.organization.models import Role
from tests.approvals.conftest import GM, VP, complaint_of, rule


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "who"),
    [
        ("0.00", "sales_head"),
        ("4999.99", "sales_head"),  # just under the first threshold
        ("5000.00", "vp"),  # equal to it: from is inclusive
        ("5000.01", "vp"),  # just over
        ("49999.99", "vp"),
        ("50000.00", "gm"),
        ("50000.01", "gm"),
        ("9999999.99", "gm"),
    ],
)
def test_pcb_amount_picks_the_authority_at_each_boundary(pcb, sales_head, amount, who):
    """seed 002 （九）6 依據核決權限分送業務部經理、副總經理或總經理核決 — with the preset's example
    thresholds 5 000 and 50 000 CNY (the seed gives none)."""
    complaint = complaint_of(pcb, "quality_electrical")
    approval = request_approval(
        complaint=complaint, step="decision", amount=Decimal(amount), by=pcb.clerk, subject="综合意见呈核"
    )
    expected = sales_head if who == "sales_head" else getattr(pcb, who)
    assert approvers_for(approval=approval) == [expected]


@pytest.fixture
def tree(pcb):
    """The PCB class tree with made-to-measure rules instead of the preset's."""
    ApprovalRule.objects.all().delete()
    rule("decision", None, None, None, ("any", [GM]))  # every class
    rule("decision", "quality", None, None, ("any", [VP]))  # quality and its sub-classes
    rule("decision", "quality_electrical", 0, 1000, ("any", [{"role": Role.CS_DIRECTOR}]))
    return pcb


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "amount", "role"),
    [
        ("quality_electrical", "999.99", Role.CS_DIRECTOR),  # its own rule
        ("quality_electrical", "1000.00", Role.VICE_PRESIDENT),  # beyond its own range: the parent's
        ("quality_appearance", "10.00", Role.VICE_PRESIDENT),  # no own rule: the parent's
        ("quality", "10.00", Role.VICE_PRESIDENT),
        ("non_quality_delivery", "10.00", Role.GENERAL_MANAGER),  # no rule on the way up: every class
    ],
)
def test_the_most_specific_class_wins(tree, code, amount, role):
    chosen = choose_rule(step="decision", category=Category.objects.get(code=code), amount=Decimal(amount))
    assert [a.role for a in chosen.approvers.all()] == [role]


@pytest.mark.django_db
def test_no_rule_is_a_clear_error_naming_step_class_and_amount(tree):
    with pytest.raises(ValidationError) as caught:
        choose_rule(step="transfer", category=Category.objects.get(code="quality"), amount=Decimal("12345.6"))
    message = caught.value.message_dict["amount"][0]
    assert "transfer" in message and "品质类" in message and "12,345.60" in message


@pytest.mark.django_db
def test_no_rule_refuses_the_request_and_writes_nothing(tree):
    complaint = complaint_of(tree, "quality")
    events = complaint.events.count()
    with pytest.raises(ValidationError):
        request_approval(
            complaint=complaint, step="extension", amount=Decimal(1), by=tree.clerk, subject="延期"
        )
    assert not complaint.approvals.exists() and complaint.events.count() == events
