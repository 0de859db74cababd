"""Every archive input's documented limit (kesu.core.limits, README "Limits"): the maximum is
accepted, one character more is refused naming the field (API 422), nothing saved; and the
inputs that cannot be stored (NUL, a lone surrogate) are refused the same way."""

from __future__ import annotations

import pytest

from kesu.archive.models import ArchiveChange, ContactLogEntry, CustomerArchive, ProfileField
from kesu.core import limits

BASE = "/api/v1"


def _customer_body(field: str, value: str) -> dict:
    body = {"name": "某公司"}
    body[field] = value
    return body


@pytest.mark.parametrize(
    ("limit", "field"), [("customer_name", "name"), ("contact_name", "contact_name")], ids=lambda v: v
)
def test_a_new_customers_text_has_the_documented_limit(org, api, limit, field):
    client = api(org.clerk)
    maximum = limits.max_length(limit)
    too_long = client.post(f"{BASE}/customers", _customer_body(field, "字" * (maximum + 1)))
    assert too_long.status_code == 422 and field in too_long.json()["errors"]
    assert not CustomerArchive.objects.exists()
    assert client.post(f"{BASE}/customers", _customer_body(field, "字" * maximum)).status_code == 201


def test_a_phone_has_the_documented_limit(org, api):
    client = api(org.clerk)
    assert limits.max_length("phone") == 40
    too_long = client.post(f"{BASE}/customers", _customer_body("phone", "1" * 12 + " " * 29))
    assert too_long.status_code == 422 and "phone" in too_long.json()["errors"]
    assert (
        client.post(f"{BASE}/customers", _customer_body("phone", "021-" + " " * 25 + "62345678")).status_code
        == 201
    )


def test_a_contact_summary_has_the_documented_limit(org, api, dealer):
    client = api(org.clerk)
    maximum = limits.max_length("summary")
    url = f"{BASE}/customers/{dealer.number}/contacts"
    assert client.post(url, {"kind": "call", "summary": "x" * (maximum + 1)}).status_code == 422
    assert not ContactLogEntry.objects.exists()
    assert client.post(url, {"kind": "call", "summary": "x" * maximum}).status_code == 201


@pytest.mark.parametrize(
    ("limit", "code"), [("profile text", "legal_representative"), ("profile long text", "business_scope")]
)
def test_a_profile_field_has_the_documented_limit_of_its_type(org, api, dealer, limit, code):
    maximum = limits.max_length(limit)
    assert ProfileField.objects.get(kind="company", code=code).max_length == maximum
    client = api(org.clerk)
    url = f"{BASE}/customers/{dealer.number}/corrections"
    response = client.post(url, {"changes": {f"profile.{code}": "x" * (maximum + 1)}, "reason": "r"})
    assert response.status_code == 422 and f"changes.profile.{code}" in response.json()["errors"]
    assert client.post(url, {"changes": {f"profile.{code}": "x" * maximum}, "reason": "r"}).status_code == 200


@pytest.mark.parametrize(
    ("limit", "field"), [("contact_title", "title"), ("email", "email"), ("contact_name", "name")]
)
def test_a_contact_persons_fields_have_the_documented_limits(org, dealer, limit, field):
    from django.core.exceptions import ValidationError

    from kesu.archive import services

    maximum = limits.max_length(limit)
    values = {"name": "小王", "email": "a@b.cn", "title": "采购"}
    values[field] = ("a@" + "b" * (maximum - 1)) if field == "email" else "x" * (maximum + 1)
    with pytest.raises(ValidationError) as error:
        services.add_contact(archive=dealer, by=org.clerk, **values)
    assert field in error.value.message_dict
    values[field] = ("a@" + "b" * (maximum - 2)) if field == "email" else "x" * maximum
    services.add_contact(archive=dealer, by=org.clerk, **values)


def test_the_lookup_has_the_documented_limit(org, api, as_user):
    maximum = limits.max_length("lookup")
    assert api(org.clerk).get(f"{BASE}/customers", {"q": "x" * (maximum + 1)}).status_code == 422
    assert api(org.clerk).get(f"{BASE}/customers", {"q": "x" * maximum}).status_code == 200
    assert (
        as_user(org.clerk).get("/customers/lookup/", {"customer_q": "x" * (maximum + 1)}).status_code == 400
    )


@pytest.mark.parametrize("bad", ["a\x00b", "\ud800"])
def test_unstorable_text_is_refused_not_a_500(org, api, dealer, bad):
    client = api(org.clerk)
    assert client.post(f"{BASE}/customers", {"name": bad}).status_code == 422
    url = f"{BASE}/customers/{dealer.number}/corrections"
    assert client.post(url, {"changes": {"profile.fax": bad}, "reason": "r"}).status_code == 422
    assert client.post(url, {"changes": {bad: "x"}, "reason": "r"}).status_code == 422
    if "\x00" in bad:  # a query string cannot carry a lone surrogate
        assert client.get(f"{BASE}/customers", {"q": bad}).status_code in (200, 422)
        assert client.get(f"{BASE}/customers/{dealer.number}x\x00").status_code in (404, 422)
    assert not ArchiveChange.objects.filter(field__startswith="profile").exists()
