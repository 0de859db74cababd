"""The archive at the desk (issue 11 §1) and the customer's page (§2), through the web UI:
type-ahead fragments, the card with the duplicate warning, a new customer from the intake form,
registration with the customer picked by name, corrections; bad input is a 400, never a 500."""

from __future__ import annotations

from django.urls import reverse

from kesu.archive.models import ArchiveChange, ContactLogEntry, CustomerArchive
from kesu.complaints.models import Complaint
from tests.web.test_intake import _form


def test_the_intake_form_has_the_caller_panel_instead_of_code_fields(as_user, org):
    html = as_user(org.clerk).get(reverse("complaint-new")).content.decode()
    assert 'id="customer-search"' in html and 'id="product-search"' in html
    assert 'type="hidden" name="customer"' in html and 'type="hidden" name="product"' in html
    assert 'name="customer" id="id_customer"' not in html  # no code typed by hand


def test_the_type_ahead_lists_the_caller_by_a_phone_fragment(as_user, org, dealer, buyer):
    response = as_user(org.clerk).get(reverse("archive-lookup"), {"customer_q": "6234-56"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "上海锦程家居有限公司" in html and "刘建华" not in html and dealer.number in html


def test_picking_the_customer_shows_the_card_history_and_the_duplicate_warning(
    as_user, org, register, dealer
):
    earlier = register(customer=dealer.customer)
    response = as_user(org.clerk).get(reverse("archive-intake-card"), {"customer": dealer.customer.code})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="duplicate-warning"' in html and earlier.number in html
    assert f'name="customer" value="{dealer.customer.code}"' in html
    assert 'id="customer-card"' in html


def test_the_phone_typed_on_the_form_warns_of_a_duplicate_without_a_customer(as_user, org, register):
    earlier = register(complainant_phone="13911112222")
    html = (
        as_user(org.clerk)
        .get(reverse("archive-intake-card"), {"complainant_phone": "13911112222"})
        .content.decode()
    )
    assert earlier.number in html


def test_an_unknown_caller_becomes_a_customer_from_the_intake_form(as_user, org):
    response = as_user(org.clerk).post(
        reverse("archive-quick-create"),
        {
            "new_customer_name": "杭州新客户有限公司",
            "new_customer_kind": "company",
            "new_customer_phone": "0571-8888 1234",
        },
    )
    archive = CustomerArchive.objects.get(customer__name="杭州新客户有限公司")
    html = response.content.decode()
    assert response.status_code == 200 and archive.number in html
    assert f'name="customer" value="{archive.customer.code}"' in html
    assert archive.registration_due is not None and archive.registered_at is None


def test_a_new_customer_with_bad_input_is_a_400_and_nothing_is_saved(as_user, org):
    response = as_user(org.clerk).post(
        reverse("archive-quick-create"), {"new_customer_name": "", "new_customer_phone": "abc"}
    )
    assert response.status_code == 400 and "phone" in response.content.decode()
    assert not CustomerArchive.objects.exists()


def test_a_department_member_may_not_create_customers(as_user, org):
    response = as_user(org.production_handler).post(
        reverse("archive-quick-create"), {"new_customer_name": "X"}
    )
    assert response.status_code == 403


def test_registering_with_the_picked_customer_and_product_shows_on_the_customers_page(as_user, org, dealer):
    from kesu.customers.models import Product

    Product.objects.create(model_code="SF-200", name="真皮沙发")
    client = as_user(org.clerk)
    products = client.get(reverse("archive-products"), {"product_q": "沙发"}).content.decode()
    assert "SF-200" in products
    response = client.post(reverse("complaint-new"), _form(customer=dealer.customer.code, product="SF-200"))
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.customer == dealer.customer and complaint.product.model_code == "SF-200"
    page = client.get(reverse("customer-page", args=[dealer.number])).content.decode()
    assert complaint.number in page


def test_the_form_coming_back_with_errors_keeps_the_picked_customer_and_its_card(as_user, org, dealer):
    response = as_user(org.clerk).post(
        reverse("complaint-new"), _form(customer=dealer.customer.code, description="")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert f'name="customer" value="{dealer.customer.code}"' in html and 'id="customer-card"' in html


def test_the_customer_page_records_a_contact_and_a_correction(as_user, org, dealer):
    client = as_user(org.clerk)
    response = client.post(
        reverse("customer-log-contact", args=[dealer.number]), {"kind": "fax", "summary": "传真确认退货数量"}
    )
    assert response.status_code == 302
    assert ContactLogEntry.objects.get().summary == "传真确认退货数量"
    response = client.post(
        reverse("customer-correct", args=[dealer.number]),
        {"phone": "021-6234 9999", "profile.legal_representative": "陈锦程", "reason": "客户来函更正"},
    )
    assert response.status_code == 302
    assert set(ArchiveChange.objects.filter(reason="客户来函更正").values_list("field", flat=True)) == {
        "phone",
        "profile.legal_representative",
    }
    page = client.get(reverse("customer-page", args=[dealer.number])).content.decode()
    assert "传真确认退货数量" in page and "021-6234 9999" in page and "陈锦程" in page


def test_an_unknown_profile_field_on_the_page_is_refused_with_a_400(as_user, org, dealer):
    response = as_user(org.clerk).post(
        reverse("customer-correct", args=[dealer.number]), {"profile.shoe_size": "42", "reason": "x"}
    )
    assert response.status_code == 400 and "shoe_size" in response.content.decode()
    assert not ArchiveChange.objects.filter(field__startswith="profile.").exists()


def test_bad_input_never_is_a_500(as_user, org, dealer):
    client = as_user(org.clerk)
    assert client.get(reverse("archive-lookup"), {"customer_q": "x" * 101}).status_code == 400
    assert client.get(reverse("archive-lookup"), {"customer_q": "\x00"}).status_code in (200, 400)
    assert client.get(reverse("archive-intake-card"), {"customer": "nope"}).status_code == 400
    assert client.get(reverse("archive-intake-card"), {"customer": "\x00"}).status_code in (200, 400)
    assert client.get(reverse("archive-product-pick"), {"product": "nope"}).status_code == 400
    assert client.get(reverse("customer-page", args=["nope"])).status_code == 404
    assert client.get(reverse("customer-list"), {"q": "x" * 101}).status_code == 400
    response = client.post(
        reverse("customer-log-contact", args=[dealer.number]), {"kind": "x", "at": "yesterday"}
    )
    assert response.status_code == 400
    response = client.post(
        reverse("customer-classify", args=[dealer.number]), {"credit_limit": "-1", "reason": "x"}
    )
    assert response.status_code == 400


def test_the_customer_list_finds_by_phone_fragment(as_user, org, dealer):
    html = as_user(org.clerk).get(reverse("customer-list"), {"q": "62345678"}).content.decode()
    assert dealer.number in html


def test_the_workbench_reminds_the_desk_of_unregistered_new_customers(as_user, org, dealer):
    from datetime import timedelta

    from django.utils import timezone

    CustomerArchive.objects.filter(pk=dealer.pk).update(
        registration_due=timezone.localdate() - timedelta(days=1)
    )
    html = as_user(org.clerk).get(reverse("workbench")).content.decode()
    assert 'id="archive-reminders"' in html and dealer.number in html
    assert (
        'id="archive-reminders"'
        not in as_user(org.production_handler).get(reverse("workbench")).content.decode()
    )


def test_the_customer_page_reads_a_constant_number_of_queries(
    as_user, org, register, dealer, django_assert_max_num_queries
):
    client = as_user(org.clerk)
    register(customer=dealer.customer)
    client.get(reverse("customer-page", args=[dealer.number]))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("customer-page", args=[dealer.number]))
    for _ in range(25):
        register(customer=dealer.customer)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("customer-page", args=[dealer.number])).status_code == 200
    assert len(many) == len(few)


def test_the_customer_page_adds_a_contact_person_and_classifies_with_history(as_user, org, dealer):
    from kesu.archive.models import CustomerClass

    CustomerClass.objects.get_or_create(scheme="class", code="key", defaults={"name": "重要客户"})
    client = as_user(org.clerk)
    response = client.post(
        reverse("customer-add-contact", args=[dealer.number]),
        {"name": "小李", "title": "采购", "phone": "139 0000 1111", "email": "li@example.cn"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("customer-classify", args=[dealer.number]),
        {
            "customer_class": "key",
            "grade": "",
            "credit_class": "",
            "credit_limit": "30000",
            "reason": "年度评定",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("customer-page", args=[dealer.number])).content.decode()
    assert "小李" in page and "重要客户" in page and "年度评定" in page
    again = client.post(
        reverse("customer-classify", args=[dealer.number]),
        {
            "customer_class": "key",
            "grade": "",
            "credit_class": "",
            "credit_limit": "30000.00",
            "reason": "无变化",
        },
    )
    assert again.status_code == 302
    assert not ArchiveChange.objects.filter(reason="无变化").exists()
    bad = client.post(reverse("customer-add-contact", args=[dealer.number]), {"name": "", "email": "nope"})
    assert bad.status_code == 400
