"""The page "Awaiting my decision": list, approve, refuse with a reason; others are told who may."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from kesu.approvals.models import ApprovalRule, ApprovalStatus
from kesu.approvals.services import request_approval
from tests.approvals.conftest import GM, complaint_of, rule


@pytest.fixture
def waiting(org):
    ApprovalRule.objects.all().delete()
    rule("decision", None, None, None, ("any", [GM]))
    return request_approval(
        complaint=complaint_of(org, "product_quality"),
        step="decision",
        amount=Decimal("800.00"),
        by=org.clerk,
        subject="返修方案呈核",
    )


def signed_in(staff) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff.user)
    return client


@pytest.mark.django_db
def test_the_approver_sees_and_approves(org, waiting):
    gm = signed_in(org.gm)
    page = gm.get(reverse("approvals"))
    assert page.status_code == 200 and "返修方案呈核" in page.content.decode()
    assert f'id="approval-{waiting.pk}"' in page.content.decode()
    response = gm.post(
        reverse("approval-decide", args=[waiting.pk]),
        {f"{waiting.pk}-decision": "approve", f"{waiting.pk}-reason": ""},
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == ApprovalStatus.APPROVED
    assert "Nothing waits for your decision." in gm.get(reverse("approvals")).content.decode()


@pytest.mark.django_db
def test_a_refusal_without_reason_is_a_form_error(org, waiting):
    gm = signed_in(org.gm)
    url = reverse("approval-decide", args=[waiting.pk])
    page = gm.post(url, {f"{waiting.pk}-decision": "refuse", f"{waiting.pk}-reason": " "})
    assert page.status_code == 400 and "This field is required." in page.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == ApprovalStatus.PENDING
    gm.post(url, {f"{waiting.pk}-decision": "refuse", f"{waiting.pk}-reason": "方案不可行"})
    waiting.refresh_from_db()
    assert waiting.status == ApprovalStatus.REFUSED


@pytest.mark.django_db
def test_someone_else_is_told_who_may(org, waiting):
    director = signed_in(org.director)
    assert "Nothing waits for your decision." in director.get(reverse("approvals")).content.decode()
    response = director.post(
        reverse("approval-decide", args=[waiting.pk]), {f"{waiting.pk}-decision": "approve"}, follow=True
    )
    assert org.gm.display_name in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == ApprovalStatus.PENDING


@pytest.mark.django_db
def test_signed_out_is_sent_to_log_in(waiting):
    assert Client().get(reverse("approvals")).status_code == 302


@pytest.mark.django_db
def test_the_complaint_page_shows_the_approval_on_its_timeline(org, waiting):
    signed_in(org.gm).post(
        reverse("approval-decide", args=[waiting.pk]),
        {f"{waiting.pk}-decision": "refuse", f"{waiting.pk}-reason": "方案不可行"},
    )
    page = signed_in(org.director).get(reverse("complaint-detail", args=[waiting.complaint.number]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "event-approval_requested" in html and "event-approval_decided" in html
    assert "返修方案呈核" in html and "方案不可行" in html
    # labelled through kesu.complaints.registry, as every app's entries are (internal ids hidden)
    assert "Approval requested" in html and "Approval decided" in html and "approval_status" not in html
    assert "approval level" in html and "escalation level" not in html  # "level" as approvals mean it
