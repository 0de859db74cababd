"""POST /api/v1/complaints: registration, bad input with field names, idempotent retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kesu.complaints.models import Complaint, IdempotencyKey
from kesu.customers.models import Customer, Product
from tests.api.conftest import complaint_body

URL = "/api/v1/complaints"


def test_the_desk_registers_a_complaint_and_gets_its_number(org, clerk_api):
    # given
    Customer.objects.create(code="C001", name="宜家家居")
    Product.objects.create(model_code="SF-200", name="三人沙发")
    body = complaint_body(
        customer="C001",
        product="SF-200",
        batch_number="B2405",
        order_number="SO-1",
        shipped_on="2024-04-20",
        arrived_on="2024-04-25",
        requested_remedy="换货",
        accused_staff=["prodhandler"],
    )

    # when
    response = clerk_api.post(URL, body)

    # then
    assert response.status_code == 201
    data = response.json()
    complaint = Complaint.objects.get(number=data["number"])
    assert response["Location"] == f"{URL}/{complaint.number}"
    assert data["status"] == "classified" and data["version"] == 1
    assert data["received_at"] == "2024-05-01T09:30:00+08:00"
    assert data["customer"] == {"code": "C001", "name": "宜家家居"}
    assert data["product"] == "SF-200"
    assert data["severity"]["code"] == "urgent"
    assert data["accused_staff"] == [{"username": "prodhandler", "name": "周师傅"}]
    assert complaint.registered_by == org.clerk
    # the timeline and the next actions are at the Location
    detail = clerk_api.get(response["Location"]).json()
    assert [e["action"] for e in detail["timeline"]] == ["registered"]
    assert "propose_transfer" in detail["allowed_actions"]
    assert complaint.customer.code == "C001" and complaint.shipped_on.isoformat() == "2024-04-20"


def test_without_a_class_it_is_registered_with_the_default_severity(org, clerk_api):
    body = complaint_body()
    del body["category"], body["severity"]

    response = clerk_api.post(URL, body)

    assert response.status_code == 201
    assert response.json()["status"] == "registered"
    assert response.json()["severity"]["code"] == "normal"


def test_a_datetime_without_offset_is_read_in_the_company_time_zone(org, clerk_api):
    response = clerk_api.post(URL, complaint_body(received_at="2024-05-01T09:30:00"))

    assert response.status_code == 201
    assert response.json()["received_at"] == "2024-05-01T09:30:00+08:00"


def test_only_the_desk_registers(org, client_for):
    response = client_for(org.production_head).post(URL, complaint_body())

    assert response.status_code == 403
    assert response.json()["allowed_actions"] == []
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"channel": "pigeon"}, {"channel"}),
        ({"received_at": "yesterday"}, {"received_at"}),
        ({"description": "", "complainant_name": ""}, {"description", "complainant_name"}),
        ({"quantity": -1}, {"quantity"}),
        ({"accused_staff": "prodhandler"}, {"accused_staff"}),
        (
            {"category": "no-such-class", "severity": "no-such", "customer": "C404"},
            {"category", "severity", "customer"},
        ),
        ({"accused_staff": ["ghost"]}, {"accused_staff"}),
        ({"quantity": 1, "defective_quantity": 3}, {"defective_quantity"}),
        ({"shipped_on": "2024-04-25", "arrived_on": "2024-04-20"}, {"arrived_on"}),
    ],
)
def test_bad_input_is_422_naming_the_fields(org, clerk_api, overrides, fields):
    response = clerk_api.post(URL, complaint_body(**overrides))

    assert response.status_code == 422
    assert set(response.json()["errors"]) == fields
    assert Complaint.objects.count() == 0


def test_a_future_received_at_is_refused(org, clerk_api):
    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()

    response = clerk_api.post(URL, complaint_body(received_at=tomorrow))

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["received_at"]


def test_missing_fields_are_named(org, clerk_api):
    response = clerk_api.post(URL, {})

    assert response.status_code == 422
    assert {"channel", "received_at", "complainant_name", "description"} <= set(response.json()["errors"])


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", "", '"text"'])
def test_a_body_that_is_not_a_json_object_is_422(org, clerk_api, raw):
    response = clerk_api.post(URL, raw=raw)

    assert response.status_code == 422
    assert response.json()["errors"]
    assert Complaint.objects.count() == 0


def test_wrong_method_is_405(org, clerk_api):
    assert clerk_api.put(URL, complaint_body()).status_code == 405
    assert clerk_api.delete(URL).status_code == 405


# ---------------------------------------------------------------------------------------------
# Idempotency-Key


def test_a_retry_with_the_same_key_returns_the_first_complaint(org, clerk_api):
    first = clerk_api.post(URL, complaint_body(), HTTP_IDEMPOTENCY_KEY="order-42")
    # the same request, keys in another order and an omitted default spelled out
    retry_body = dict(reversed(list(complaint_body(requested_remedy="").items())))
    retry = clerk_api.post(URL, retry_body, HTTP_IDEMPOTENCY_KEY="order-42")

    assert first.status_code == retry.status_code == 201
    assert retry.json()["number"] == first.json()["number"]
    assert retry["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Complaint.objects.count() == 1
    assert IdempotencyKey.objects.get().complaint.number == first.json()["number"]


def test_the_same_key_with_another_body_is_422(org, clerk_api):
    clerk_api.post(URL, complaint_body(), HTTP_IDEMPOTENCY_KEY="order-42")

    response = clerk_api.post(URL, complaint_body(description="另一件事"), HTTP_IDEMPOTENCY_KEY="order-42")

    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]
    assert Complaint.objects.count() == 1


def test_keys_are_per_person_and_requests_without_a_key_are_not_deduplicated(org, clerk_api, client_for):
    director_api = client_for(org.director)

    a = clerk_api.post(URL, complaint_body(), HTTP_IDEMPOTENCY_KEY="k")
    b = director_api.post(URL, complaint_body(), HTTP_IDEMPOTENCY_KEY="k")
    c = clerk_api.post(URL, complaint_body())
    d = clerk_api.post(URL, complaint_body())

    assert len({r.json()["number"] for r in (a, b, c, d)}) == 4


def test_a_failed_registration_does_not_use_up_the_key(org, clerk_api):
    bad = clerk_api.post(URL, complaint_body(category="no-such"), HTTP_IDEMPOTENCY_KEY="k")
    good = clerk_api.post(URL, complaint_body(), HTTP_IDEMPOTENCY_KEY="k")

    assert bad.status_code == 422 and good.status_code == 201
    assert "Idempotent-Replayed" not in good


def test_an_overlong_key_is_422(org, clerk_api):
    response = clerk_api.post(URL, complaint_body(), HTTP_IDEMPOTENCY_KEY="k" * 201)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["Idempotency-Key"]
    assert Complaint.objects.count() == 0


def test_a_twin_that_committed_first_wins_and_our_registration_rolls_back(org, monkeypatch):
    """The race the unique (staff, key) constraint settles: both requests passed the look-up,
    the twin committed first; ours fails on the key, rolls back (number given back), and
    returns the twin's complaint. Runs inside the test's transaction, so it also proves the
    IntegrityError is caught at a savepoint (PostgreSQL would refuse further queries otherwise)."""
    from kesu.complaints import services
    from tests.conftest import intake

    twin, _ = services.register_complaint_idempotently(
        by=org.clerk, intake=intake(), key="k", request_digest="d"
    )
    real_replayed = services._replayed
    missed = []

    def replayed(*args):
        if not missed:  # the first look-up misses the twin, as under a real race
            missed.append(True)
            return None
        return real_replayed(*args)

    monkeypatch.setattr(services, "_replayed", replayed)

    complaint, created = services.register_complaint_idempotently(
        by=org.clerk, intake=intake(), key="k", request_digest="d"
    )

    assert missed and (complaint, created) == (twin, False)
    assert Complaint.objects.count() == 1
    assert services.register_complaint(by=org.clerk, intake=intake()).number[-3:] == "002"
