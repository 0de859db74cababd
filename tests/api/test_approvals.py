"""/api/v1/approvals: what waits for my decision, and deciding it — answers as documented."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kesu.approvals.models import Approval, ApprovalRule, ApprovalStatus
from kesu.approvals.services import request_approval
from kesu.organization.models import Role
from tests.approvals.conftest import GM, complaint_of, rule
from tests.conftest import make_staff

BASE = "/api/v1/approvals"


@pytest.fixture
def waiting(org) -> Approval:
    ApprovalRule.objects.all().delete()
    rule("decision", None, None, None, ("any", [GM]))
    return request_approval(
        complaint=complaint_of(org, "product_quality"),
        step="decision",
        amount=Decimal("12000.50"),
        by=org.clerk,
        subject="生产部处理意见呈核",
    )


@pytest.mark.django_db
def test_the_approver_lists_what_waits_for_him(org, client_for, waiting):
    body = client_for(org.gm).get(BASE).json()
    assert [a["id"] for a in body["items"]] == [waiting.pk]
    item = body["items"][0]
    assert item["complaint"] == waiting.complaint.number
    assert (item["step"], item["amount"], item["status"], item["mode"]) == (
        "decision",
        "12000.50",
        "pending",
        "any",
    )
    assert item["approvers"] == [{"username": "gm", "name": org.gm.display_name}]
    assert client_for(org.director).get(BASE).json() == {"items": []}


@pytest.mark.django_db
def test_without_a_token_401(client_for, waiting):
    assert client_for(None).get(BASE).status_code == 401
    assert client_for(None).post(f"{BASE}/{waiting.pk}/decision", {"approve": True}).status_code == 401


@pytest.mark.django_db
def test_approve(org, client_for, waiting):
    response = client_for(org.gm).post(f"{BASE}/{waiting.pk}/decision", {"approve": True, "reason": "同意"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "approved" and body["approvers"] == []
    assert body["decisions"][0]["by"]["username"] == "gm" and body["decisions"][0]["reason"] == "同意"
    waiting.refresh_from_db()
    assert waiting.status == ApprovalStatus.APPROVED
    # decided: 409 for anyone who comes later
    again = client_for(org.gm).post(f"{BASE}/{waiting.pk}/decision", {"approve": True})
    assert again.status_code == 409


@pytest.mark.django_db
def test_refuse_needs_a_reason(org, client_for, waiting):
    gm = client_for(org.gm)
    response = gm.post(f"{BASE}/{waiting.pk}/decision", {"approve": False})
    assert response.status_code == 422 and "reason" in response.json()["errors"]
    too_long = gm.post(f"{BASE}/{waiting.pk}/decision", {"approve": False, "reason": "x" * 4001})
    assert too_long.status_code == 422 and "reason" in too_long.json()["errors"]
    response = gm.post(f"{BASE}/{waiting.pk}/decision", {"approve": False, "reason": "金额过高"})
    assert response.status_code == 200 and response.json()["status"] == "refused"


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"approve": "yes"}, {"approve": 1}, {"approve": True, "reason": 5}])
def test_bad_input_422(org, client_for, waiting, body):
    response = client_for(org.gm).post(f"{BASE}/{waiting.pk}/decision", body)
    assert response.status_code == 422
    waiting.refresh_from_db()
    assert waiting.status == ApprovalStatus.PENDING


@pytest.mark.django_db
def test_someone_who_sees_the_complaint_but_may_not_decide_403_naming_who_may(org, client_for, waiting):
    response = client_for(org.director).post(f"{BASE}/{waiting.pk}/decision", {"approve": True})
    assert response.status_code == 403
    assert response.json()["approvers"] == [{"username": "gm", "name": org.gm.display_name}]


@pytest.mark.django_db
def test_someone_who_may_neither_see_nor_decide_404(org, client_for, waiting):
    outsider = make_staff("sales2", "周业务", org.sales, Role.HANDLER)
    assert client_for(outsider).post(f"{BASE}/{waiting.pk}/decision", {"approve": True}).status_code == 404
    assert client_for(org.gm).post(f"{BASE}/999999/decision", {"approve": True}).status_code == 404


@pytest.mark.django_db
def test_the_list_reads_two_queries_per_waiting_approval_at_most(org, client_for):
    """Who may decide each one is read per approval (2 queries); everything else is shared."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ApprovalRule.objects.all().delete()
    rule("decision", None, None, None, ("any", [GM]))
    gm = client_for(org.gm)
    counts = []
    for total in (1, 6):
        while Approval.objects.count() < total:
            request_approval(
                complaint=complaint_of(org, "product_quality"),
                step="decision",
                amount=Decimal(1),
                by=org.clerk,
                subject="呈核",
            )
        with CaptureQueriesContext(connection) as queries:
            assert len(gm.get(BASE).json()["items"]) == total
        counts.append(len(queries))
    assert counts[1] - counts[0] <= 2 * 5, counts
