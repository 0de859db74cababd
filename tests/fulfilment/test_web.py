"""The complaint page's panel "Carrying it out and costs" and the cost figures page, in Chinese and
English; the action forms with bad input; a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kesu.complaints.models import Complaint
from kesu.fulfilment.models import Shipment
from tests.fulfilment.conftest import act, decided, investigated

pytestmark = pytest.mark.django_db


def with_shipments(org, n: int) -> Complaint:
    complaint = investigated(org)
    decided(org, complaint)
    shipped = timezone.now() - timedelta(hours=1)
    for i in range(n):
        complaint = act(
            complaint,
            "record_shipment",
            org.clerk,
            carrier="logistics",
            waybill=f"SF{i}",
            shipped_at=shipped.isoformat(),
        )
        complaint = act(
            complaint,
            "record_repair_progress",
            org.production_handler,
            stage=["received", "in_repair", "repaired"][i],
        )
        complaint = act(
            complaint,
            "open_return_slip",
            org.clerk,
            reason=f"退货{i}",
            approved_quantity=1,
            unit_price="9.99",
        )
        complaint = act(complaint, "issue_credit_note", org.clerk, kind="allowance", amount=f"{i + 1}.00")
        complaint = act(complaint, "file_carrier_claim", org.clerk, carrier="logistics", amount="5.00")
    return Complaint.objects.get(pk=complaint.pk)


def page(client, complaint: Complaint) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("complaint-detail", args=[complaint.number]))
    assert response.status_code == 200
    return response.content.decode(), len(captured.captured_queries)


def panel(html: str) -> str:
    start = html.index('id="costs"')
    return html[start : html.index("</section>", start)]


def test_the_complaint_page_costs_the_same_queries_with_one_or_three_shipments(as_user, furniture):
    client = as_user(furniture.director)
    one, three = with_shipments(furniture, 1), with_shipments(furniture, 3)
    page(client, three)  # the process reads the rule book's data once (kesu.rulebook.cache)
    html_one, queries_one = page(client, one)
    html_three, queries_three = page(client, three)
    assert queries_one == queries_three
    assert panel(html_three).count('class="shipment"') == 3
    assert panel(html_one).count('class="shipment"') == 1
    assert panel(html_three).count('class="credit-note"') == 3


def test_the_panel_shows_the_ledger_in_chinese(as_user, furniture):
    client = as_user(furniture.director)
    complaint = with_shipments(furniture, 1)
    html, _queries = page(client, complaint)
    costs = panel(html)
    for text in [
        "履行与费用",
        "SF0",
        "生产部 ¥700.00",
        "刘先生 ¥300.00",
        "¥1000.00",
        "应收账款：正常收款条件",
    ]:
        assert text in costs, text


def test_the_panel_in_english(as_user, furniture, settings):
    client = as_user(furniture.director)
    complaint = with_shipments(furniture, 1)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html, _queries = page(client, complaint)
    costs = panel(html)
    assert "Carrying it out and costs" in costs and "Cost ledger" in costs


def test_a_delivery_before_the_shipment_is_a_form_message_and_nothing_changes(as_user, furniture):
    org = furniture
    complaint = with_shipments(org, 1)
    shipment = Shipment.objects.get(complaint=complaint)
    client = as_user(org.clerk)
    before = shipment.shipped_at - timedelta(hours=2)
    response = client.post(
        reverse("complaint-action", args=[complaint.number, "deliver_shipment"]),
        {
            "deliver_shipment-version": complaint.version,
            "deliver_shipment-shipment": str(shipment.pk),
            "deliver_shipment-delivered_at": timezone.localtime(before).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    shipment.refresh_from_db()
    assert shipment.delivered_at is None


def test_a_negative_or_non_numeric_amount_is_a_form_message(as_user, furniture):
    org = furniture
    complaint = investigated(org)
    client = as_user(org.clerk)
    for amount in ["-5", "abc", "1.001"]:
        response = client.post(
            reverse("complaint-action", args=[complaint.number, "file_carrier_claim"]),
            {
                "file_carrier_claim-version": complaint.version,
                "file_carrier_claim-carrier": "logistics",
                "file_carrier_claim-amount": amount,
            },
        )
        assert response.status_code == 400, amount
        assert "errorlist" in response.content.decode()
    assert not complaint.carrier_claims.exists()


@pytest.mark.parametrize(("language", "heading"), [("zh-hans", "费用统计"), ("en", "Cost figures")])
def test_the_cost_figures_page(as_user, furniture, settings, language, heading):
    client = as_user(furniture.director)
    complaint = with_shipments(furniture, 1)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    month = timezone.localtime(complaint.received_at).strftime("%Y-%m")
    response = client.get(reverse("cost-figures"), {"month": month, "by": "category"})
    html = response.content.decode()
    assert response.status_code == 200
    assert heading in html and 'id="cost-figures"' in html
    assert "700.00" in html and "300.00" in html  # production and the customer bear the repair budget
    bad = client.get(reverse("cost-figures"), {"month": "2026-13"})
    assert bad.status_code == 400 and "errorlist" in bad.content.decode()
