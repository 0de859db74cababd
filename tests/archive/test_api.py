"""The archive's API (issue 11): type-ahead, create, read, contact log, corrections and
classification; every answer as the OpenAPI document says; bad input 422 by field, never a 500."""

from __future__ import annotations

import pytest

from kesu.archive.models import ArchiveChange, CustomerArchive, CustomerClass

BASE = "/api/v1"


def test_the_type_ahead_by_phone_fragment(org, api, dealer, buyer):
    response = api(org.clerk).get(f"{BASE}/customers", {"q": "(021) 6234"})
    assert response.status_code == 200
    assert [c["number"] for c in response.json()["items"]] == [dealer.number]


def test_create_a_customer_with_a_profile_and_read_it(org, api):
    client = api(org.clerk)
    response = client.post(
        f"{BASE}/customers",
        {
            "name": "苏州宏达家具城",
            "phone": "0512-6666 7777",
            "contact_name": "周老板",
            "profile": {"legal_representative": "周宏达", "registered_capital": "1000000"},
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["number"].startswith("KH") and body["profile"]["registered_capital"] == "1000000.00"
    assert body["registered_at"] is None and body["registration_due"]
    again = client.get(f"{BASE}/customers/{body['number']}")
    assert again.status_code == 200 and again.json()["contacts"][0]["name"] == "周老板"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "profile": {"shoe_size": "42"}}, "profile.shoe_size"),
        ({"name": "X", "phone": "not a phone"}, "phone"),
        ({"name": ""}, "name"),
        ({"name": "X", "kind": "robot"}, "kind"),
        ({"name": "X" * 201}, "name"),
        ({"name": "X", "profile": {"registered_capital": [1]}}, "profile.registered_capital"),
        ({"name": "X", "profile": "a string"}, "profile"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_nothing_is_saved(org, api, body, field):
    response = api(org.clerk).post(f"{BASE}/customers", body)
    assert response.status_code == 422, response.json()
    assert field in response.json()["errors"]
    assert not CustomerArchive.objects.exists()


def test_a_department_member_may_read_but_not_create(org, api, dealer):
    client = api(org.production_handler)
    assert client.post(f"{BASE}/customers", {"name": "X"}).status_code == 403
    assert client.get(f"{BASE}/customers/{dealer.number}").status_code == 200
    assert api(None).get(f"{BASE}/customers", {"q": "x"}).status_code == 401


def test_contact_log_corrections_classification_and_timeline(org, api, register, dealer):
    client = api(org.clerk)
    register(customer=dealer.customer)
    response = client.post(
        f"{BASE}/customers/{dealer.number}/contacts", {"kind": "email", "summary": "邮件寄送检测报告"}
    )
    assert response.status_code == 201 and response.json()["staff"] == "王专员"
    response = client.post(
        f"{BASE}/customers/{dealer.number}/corrections",
        {"changes": {"address": "上海市闵行区", "profile.post_code": "201100"}, "reason": "客户来函"},
    )
    assert response.status_code == 200
    assert {c["field"] for c in response.json()["items"]} == {"address", "profile.post_code"}
    CustomerClass.objects.get_or_create(scheme="class", code="key", defaults={"name": "重要客户"})
    response = client.post(
        f"{BASE}/customers/{dealer.number}/classification",
        {"changes": {"customer_class": "key", "credit_limit": 20000}, "reason": "年度评定"},
    )
    assert response.status_code == 200 and len(response.json()["items"]) == 2
    timeline = client.get(f"{BASE}/customers/{dealer.number}/timeline").json()["items"]
    assert {i["kind"] for i in timeline} == {"complaint", "contact", "change"}
    assert ArchiveChange.objects.filter(archive=dealer, field="customer_class").get().new == "key"


def test_corrections_refuse_unknown_fields_with_422(org, api, dealer):
    response = api(org.clerk).post(
        f"{BASE}/customers/{dealer.number}/corrections",
        {"changes": {"profile.shoe_size": "42"}, "reason": "x"},
    )
    assert response.status_code == 422 and "changes.profile.shoe_size" in response.json()["errors"]


def test_duplicates_and_profile_fields(org, api, register, dealer):
    earlier = register(customer=dealer.customer, order_number="SO-77")
    client = api(org.clerk)
    response = client.get(f"{BASE}/customer-duplicates", {"order_number": "SO-77"})
    assert [c["number"] for c in response.json()["items"]] == [earlier.number]
    assert client.get(f"{BASE}/customer-duplicates", {"customer": "nope"}).status_code == 404
    fields = client.get(f"{BASE}/customer-profile-fields").json()["items"]
    person = [f for f in fields if f["kind"] == "person"]
    assert len(person) == 42  # furniture: seed 001's whole template, six groups
    assert len({f["group"] for f in person}) == 6


def test_an_unknown_customer_is_404(org, api):
    assert api(org.clerk).get(f"{BASE}/customers/KH0000").status_code == 404
    assert (
        api(org.clerk).post(f"{BASE}/customers/KH0000/contacts", {"kind": "call", "summary": "x"}).status_code
        == 404
    )
