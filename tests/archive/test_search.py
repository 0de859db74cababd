"""Issue 11 §1: the complaint list and search find complaints by phone (as typed, as digits, or a
fragment of the customer's phone), order number, product and the start of the number."""

from __future__ import annotations

import pytest

from kesu.complaints.selectors import ComplaintFilters, complaints_visible_to
from kesu.customers.models import Product


def _found(org, q: str) -> set[str]:
    return set(
        complaints_visible_to(staff=org.clerk, filters=ComplaintFilters(q=q)).values_list("number", flat=True)
    )


@pytest.fixture
def three(org, register, dealer):
    sofa = Product.objects.create(model_code="SF-200", name="真皮沙发")
    return (
        register(customer=dealer.customer, complainant_phone="021-6234 5678", order_number="SO-2024-0042"),
        register(complainant_phone="13912345678", product=sofa, description="扶手开裂"),
        register(complainant_phone="13700000000", description="送货晚了"),
    )


def test_by_the_complainants_phone_as_typed_or_as_digits(org, three):
    assert _found(org, "13912345678") == {three[1].number}
    assert _found(org, "021-6234 5678") == {three[0].number}


def test_by_a_fragment_of_the_customers_phone(org, three):
    assert _found(org, "6234 5678") == {three[0].number}


def test_by_order_number(org, three):
    assert _found(org, "SO-2024-0042") == {three[0].number}


def test_by_product_name_or_model(org, three):
    assert _found(org, "真皮沙发") == {three[1].number}
    assert _found(org, "SF-200") == {three[1].number}


def test_by_the_start_of_the_number(org, three):
    numbers = {c.number for c in three}
    prefix = three[2].number[:-1]  # the day's part: all three were registered today
    assert _found(org, prefix) == numbers
    assert _found(org, "ZZ99") == set()


def test_the_list_page_finds_by_phone(as_user, org, three):
    html = as_user(org.clerk).get("/complaints/", {"q": "13912345678"}).content.decode()
    assert three[1].number in html and three[2].number not in html
