"""Real threads against the real database: two approvers deciding at once never both complete a
level (the complaint row, then the approval row, are locked in that order)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kesu.approvals.errors import ApprovalClosed
from kesu.approvals.models import ApprovalRule, ApprovalStatus
from kesu.approvals.services import decide_approval, request_approval
from kesu.organization.models import Role
from tests.approvals.conftest import GM, VP, complaint_of, rule
from tests.complaints.test_concurrency import run_in_threads

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def test_two_approvers_of_an_any_of_level_at_once_one_decides(pcb):
    ApprovalRule.objects.all().delete()
    rule("decision", None, None, None, ("any", [VP, GM]))
    approval = request_approval(
        complaint=complaint_of(pcb, "quality"),
        step="decision",
        amount=Decimal(10),
        by=pcb.clerk,
        subject="呈核",
    )
    people = [pcb.vp, pcb.gm]

    def work(i: int) -> str:
        return decide_approval(approval=approval, by=people[i], approve=True).status

    results, errors = run_in_threads(2, work)
    assert results == [ApprovalStatus.APPROVED]
    assert len(errors) == 1 and isinstance(errors[0], ApprovalClosed)
    assert approval.decisions.count() == 1
    assert approval.complaint.events.filter(action="approval_decided").count() == 1


def test_all_of_level_decided_at_once_completes_exactly_once(pcb):
    ApprovalRule.objects.all().delete()
    head = {"role": Role.DEPARTMENT_HEAD, "scope": "department", "department_code": "quality"}
    rule("decision", None, None, None, ("all", [VP, GM, head]))
    approval = request_approval(
        complaint=complaint_of(pcb, "quality"),
        step="decision",
        amount=Decimal(10),
        by=pcb.clerk,
        subject="会签",
    )
    people = [pcb.vp, pcb.gm, pcb.quality_head]

    def work(i: int) -> str:
        return decide_approval(approval=approval, by=people[i], approve=True).status

    results, errors = run_in_threads(3, work)
    assert errors == []
    assert sorted(results) == ["approved", "pending", "pending"]
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED and approval.decisions.count() == 3
