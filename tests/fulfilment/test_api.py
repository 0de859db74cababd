"""The fulfilment API: the actions through POST /complaints/{number}/actions (typed inputs), the
complaint's fulfilment and the cost figures — answers as documented (ApiClient checks them against
the OpenAPI document), field errors as 422, nothing half-saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kesu.fulfilment.models import CarrierClaim, Shipment
from tests.api.conftest import ApiClient
from tests.fulfilment.conftest import decided, investigated

pytestmark = pytest.mark.django_db


def action(api: ApiClient, complaint, name: str, **inputs):
    complaint.refresh_from_db()
    return api.post(
        f"/api/v1/complaints/{complaint.number}/actions",
        {"action": name, "version": complaint.version, "inputs": inputs},
    )


def test_ship_deliver_and_read_the_fulfilment(furniture, client_for):
    org = furniture
    complaint = investigated(org)
    decided(org, complaint)
    head: ApiClient = client_for(org.production_head)
    shipped = timezone.now() - timedelta(minutes=30)
    answer = action(
        head,
        complaint,
        "record_shipment",
        carrier="logistics",
        waybill="SF42",
        shipped_at=shipped.isoformat(),
    )
    assert answer.status_code == 200, answer.json()
    shipment = Shipment.objects.get(complaint=complaint)
    answer = action(
        head,
        complaint,
        "deliver_shipment",
        shipment=shipment.pk,
        delivered_at=(shipped + timedelta(minutes=10)).isoformat(),
    )
    assert answer.status_code == 200, answer.json()

    read = head.get(f"/api/v1/complaints/{complaint.number}/fulfilment")
    assert read.status_code == 200
    data = read.json()
    assert [s["waybill"] for s in data["shipments"]] == ["SF42"]
    assert data["shipments"][0]["delivered_at"] is not None
    assert data["ledger"]["borne"] == {"生产部": "700.00", "刘先生": "300.00"}
    assert data["ledger"]["spent"] == "1000.00"
    assert data["collection_terms"] == "normal"
    assert (
        client_for(org.outsider).get(f"/api/v1/complaints/{complaint.number}/fulfilment").status_code == 404
    )


@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        ({"carrier": "logistics", "amount": "-1.00"}, "inputs.amount"),
        ({"carrier": "logistics", "amount": "abc"}, "inputs.amount"),
        ({"carrier": "logistics", "amount": "1.001"}, "inputs.amount"),
        ({"carrier": "nobody", "amount": "10.00"}, "inputs.carrier"),
        ({"carrier": "logistics", "amount": True}, "inputs.amount"),
        ({"carrier": "logistics"}, "inputs.amount"),
    ],
)
def test_bad_input_is_422_with_the_field_and_nothing_is_saved(furniture, client_for, inputs, field):
    org = furniture
    complaint = investigated(org)
    answer = action(client_for(org.production_head), complaint, "file_carrier_claim", **inputs)
    assert answer.status_code == 422, answer.json()
    assert field in answer.json()["errors"]
    assert not CarrierClaim.objects.exists()


def test_a_delivery_before_the_shipment_is_422(furniture, client_for):
    org = furniture
    complaint = investigated(org)
    head = client_for(org.production_head)
    shipped = timezone.now() - timedelta(minutes=30)
    action(
        head, complaint, "record_shipment", carrier="logistics", waybill="SF1", shipped_at=shipped.isoformat()
    )
    shipment = Shipment.objects.get()
    answer = action(
        head,
        complaint,
        "deliver_shipment",
        shipment=shipment.pk,
        delivered_at=(shipped - timedelta(minutes=10)).isoformat(),
    )
    assert answer.status_code == 422
    assert "inputs.delivered_at" in answer.json()["errors"] or "delivered_at" in answer.json()["errors"]
    shipment.refresh_from_db()
    assert shipment.delivered_at is None


def test_cost_figures(furniture, client_for):
    org = furniture
    complaint = investigated(org)
    decided(org, complaint, loss_amount="120.00")
    api = client_for(org.director)
    month = timezone.localtime(complaint.received_at).strftime("%Y-%m")
    answer = api.get("/api/v1/cost-figures", {"month": month, "by": "party"})
    assert answer.status_code == 200
    data = answer.json()
    assert data["total"]["upheld"] == 1 and data["total"]["loss_amount"] == "120.00"
    assert {r["key"]: r["borne"] for r in data["rows"]} == {
        "生产部": {"生产部": "784.00"},
        "客户": {"客户": "336.00"},
    }
    for bad in ({"month": "2026-13"}, {"month": "26-1"}, {"by": "weather"}):
        assert api.get("/api/v1/cost-figures", bad).status_code == 422
