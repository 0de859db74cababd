"""The decision page (/complaints/<number>/decision/): propose through the form (the service the
API calls), field errors on the form with nothing saved, the customer's countersign and refusal
(seed 002 (九)9: the refusal files a new complaint with the old attached, in the same transaction)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kesu.approvals.services import decide_approval
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.decisions.models import Decision, DecisionVersion, ResponsibilityShare, VersionStatus
from tests.conftest import make_staff
from tests.decisions.conftest import investigated, propose

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    """Signed in, the pages in English (the Chinese page is the browser test's)."""

    def _as(staff):
        client.force_login(staff.user)
        client.cookies["django_language"] = "en"
        return client

    return _as


def page_url(complaint: Complaint, act: str = "") -> str:
    if act:
        return reverse("complaint-decision-act", args=[complaint.number, act])
    return reverse("complaint-decision", args=[complaint.number])


def form_70_30(**overrides: str) -> dict[str, str]:
    """The committee's determination as the form posts it: production 70 %, the customer 30 %,
    a repair of one piece, a 1 000.00 yuan repair budget (seed 000 4.2.3.3 ④)."""
    data = {
        "cause": "quality_defect",
        "party_0": "department",
        "department_0": "production",
        "share_0": "70",
        "party_1": "customer",
        "name_1": "刘先生",
        "share_1": "30",
        "kind_0": "repair",
        "quantity_0": "1",
        "loss_amount": "0",
        "repair_budget": "1000.00",
        "compensation": "0",
        "freight": "0",
        "note": "返修交货：7天内",
    }
    data.update(overrides)
    return data


def test_the_production_head_proposes_a_70_30_split_and_sees_the_ledger(furniture, as_user):
    org = furniture
    complaint = investigated(org)
    client = as_user(org.production_head)

    page = client.get(page_url(complaint))
    assert page.status_code == 200 and 'id="propose"' in page.content.decode()

    response = client.post(page_url(complaint, "propose"), form_70_30(), follow=True)
    assert response.status_code == 200
    version = DecisionVersion.objects.get()
    assert version.status == VersionStatus.PROPOSED and version.repair_budget == Decimal("1000.00")
    assert [(s.party, s.share) for s in version.shares.all()] == [
        ("department", Decimal("70.00")),
        ("customer", Decimal("30.00")),
    ]
    html = response.content.decode()
    ledger = html[html.index('class="ledger"') :]
    assert "生产部 ¥700.00" in ledger and "刘先生 ¥300.00" in ledger
    assert version.approval is not None  # furniture: the GM approves (seed 000 4.2.3.3 4))
    # the complaint page links to it
    detail = client.get(reverse("complaint-detail", args=[complaint.number])).content.decode()
    assert page_url(complaint) in detail


@pytest.mark.parametrize(
    ("overrides", "field_text"),
    [
        ({"share_1": "20"}, "add up to exactly 100.00"),  # 90 %
        ({"share_1": "40"}, "add up to exactly 100.00"),  # 110 %
        ({"repair_budget": "-5"}, "between 0 and"),
        ({"repair_budget": "abc"}, "Enter an amount in CNY"),
        ({"freight": "1.234"}, "At most 2 decimal places"),
        ({"share_0": "七十"}, "Enter an amount"),
        ({"cause": "bogus"}, "Select a valid choice"),
        ({"department_0": ""}, "existing department"),
        ({"kind_0": "", "quantity_0": ""}, "Name at least one remedy"),
        ({"kind_0": ""}, "Unknown remedy kind"),  # a quantity without a kind
        ({"party_1": "", "name_1": ""}, "This field is required"),  # a share without a party
    ],
)
def test_bad_input_is_a_message_on_the_form_and_nothing_is_saved(furniture, as_user, overrides, field_text):
    org = furniture
    complaint = investigated(org)
    events = complaint.events.count()
    response = as_user(org.production_head).post(page_url(complaint, "propose"), form_70_30(**overrides))
    assert response.status_code == 400
    assert field_text in response.content.decode()
    assert not Decision.objects.exists() and not ResponsibilityShare.objects.exists()
    assert complaint.events.count() == events


def test_the_field_error_stands_next_to_its_field(furniture, as_user):
    org = furniture
    complaint = investigated(org)
    html = (
        as_user(org.production_head)
        .post(page_url(complaint, "propose"), form_70_30(freight="x"))
        .content.decode()
    )
    freight = html[html.index("field-freight") :]
    freight = freight[: freight.index("</div>\n</div>") if "</div>\n</div>" in freight else 800]
    assert "Enter an amount in CNY" in freight or "请输入" in freight


def test_who_may_not_propose_has_no_form_and_is_refused(furniture, as_user):
    org = furniture
    complaint = investigated(org)
    client = as_user(org.clerk)
    assert 'id="propose"' not in client.get(page_url(complaint)).content.decode()
    response = client.post(page_url(complaint, "propose"), form_70_30())
    assert response.status_code == 403 and not Decision.objects.exists()
    # an unknown act or a complaint one may not see: 404
    assert client.post(page_url(complaint, "approve"), {}).status_code == 404
    outsider = make_staff("stranger", "外人", org.sales)
    assert as_user(outsider).get(page_url(complaint)).status_code == 404


def test_a_second_proposal_while_one_waits_is_refused_409(furniture, as_user):
    org = furniture
    complaint = investigated(org)
    propose(org, complaint)
    response = as_user(org.production_head).post(page_url(complaint, "propose"), form_70_30())
    assert response.status_code == 409
    assert "waits for approval" in response.content.decode()
    assert DecisionVersion.objects.count() == 1


def test_the_desk_records_the_countersign_through_the_form(furniture, as_user):
    org = furniture
    complaint = investigated(org)
    version = propose(org, complaint)
    decide_approval(approval=version.approval, by=org.gm, approve=True)
    client = as_user(org.clerk)
    assert 'id="countersign"' in client.get(page_url(complaint)).content.decode()

    future = (timezone.localtime() + timezone.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(
        page_url(complaint, "countersign"), {"how": "memo", "signed_by": "刘先生", "at": future}
    )
    assert refused.status_code == 400 and "cannot be in the future" in refused.content.decode()
    assert (
        client.post(
            page_url(complaint, "countersign"), {"how": "fax", "signed_by": "x", "at": future}
        ).status_code
        == 400
    )

    at = (timezone.localtime() - timezone.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        page_url(complaint, "countersign"), {"how": "memo", "signed_by": "刘先生", "at": at}, follow=True
    )
    assert response.status_code == 200
    version.refresh_from_db()
    assert (version.customer_answer, version.countersigned_by) == ("signed", "刘先生")
    assert "刘先生" in response.content.decode()
    assert 'id="countersign"' not in response.content.decode()  # recorded once


def test_the_refusal_files_a_new_complaint_with_the_old_attached(furniture, as_user):
    """seed 002 (九)9: 若客户未能理解时业务部门应再填一份新的"客户抱怨处理表"附原抱怨表一并呈报处理."""
    org = furniture
    complaint = investigated(org)
    version = propose(org, complaint)
    decide_approval(approval=version.approval, by=org.gm, approve=True)

    empty = as_user(org.clerk).post(page_url(complaint, "refusal"), {"reason": " "})
    assert empty.status_code == 400 and Complaint.objects.count() == 1

    response = as_user(org.clerk).post(
        page_url(complaint, "refusal"), {"reason": "不同意承担30%"}, follow=True
    )
    assert response.status_code == 200
    refiled = Complaint.objects.get(parent=complaint)
    assert refiled.number in response.content.decode()
    assert "不同意承担30%" in refiled.description and refiled.category == complaint.category
    version.refresh_from_db()
    assert version.customer_answer == "refused"
    old = ComplaintEvent.objects.get(complaint=complaint, action="decision_refused_by_customer")
    assert old.data["secondary"] == refiled.number
    new = ComplaintEvent.objects.get(complaint=refiled, action="refiled_after_refusal")
    assert new.data["original"] == complaint.number


def test_only_the_desk_records_a_refusal_and_then_nothing_is_saved(furniture, as_user):
    org = furniture
    complaint = investigated(org)
    version = propose(org, complaint)
    decide_approval(approval=version.approval, by=org.gm, approve=True)
    response = as_user(org.production_head).post(page_url(complaint, "refusal"), {"reason": "不同意"})
    assert response.status_code == 403
    assert "desk" in response.content.decode()
    version.refresh_from_db()
    assert version.customer_answer == "" and Complaint.objects.count() == 1
