"""The intake form (登记): every registration field, accused staff, several attachments."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kesu.complaints.models import Attachment, Complaint, ComplaintEvent, Status
from kesu.customers.models import Customer, Product

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test\n"


def _form(**overrides) -> dict:
    received = timezone.localtime() - timedelta(hours=2)
    data = {
        "channel": "phone",
        "received_at": received.strftime("%Y-%m-%dT%H:%M:%S"),
        "complainant_name": "刘先生",
        "complainant_phone": "13800000000",
        "complainant_address": "上海市浦东新区",
        "product_model": "SF-200",
        "batch_number": "B2401",
        "order_number": "SO-9",
        "shipped_on": "2026-01-02",
        "arrived_on": "2026-01-05",
        "quantity": "10",
        "defective_quantity": "2",
        "description": "沙发扶手开裂，要求更换。",
        "requested_remedy": "更换扶手",
        "category": "product_quality",
        "severity": "urgent",
    }
    data.update(overrides)
    return data


def test_form_shows_every_field_and_multiple_file_input(as_user, org):
    response = as_user(org.clerk).get(reverse("complaint-new"))

    html = response.content.decode()
    assert response.status_code == 200
    for name in (
        "channel",
        "received_at",
        "customer",
        "product",
        "shipped_on",
        "defective_quantity",
        "requested_remedy",
        "category",
        "severity",
        "accused_staff",
    ):
        assert f'name="{name}"' in html, name
    assert 'type="file" name="attachments" multiple' in html


def test_registering_saves_everything_and_redirects_with_the_number(as_user, org):
    customer = Customer.objects.create(code="C-001", name="红星家具城")
    product = Product.objects.create(model_code="SF-200", name="三人沙发")
    files = [
        SimpleUploadedFile("裂缝.png", PNG, content_type="image/png"),
        SimpleUploadedFile("发票.pdf", PDF, content_type="application/pdf"),
    ]
    data = _form(
        customer="C-001", product="SF-200", accused_staff=[org.production_handler.pk], attachments=files
    )

    response = as_user(org.clerk).post(reverse("complaint-new"), data)

    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("complaint-detail", args=[complaint.number])
    assert complaint.number in [str(m) for m in get_messages(response.wsgi_request)][0]
    assert complaint.status == Status.CLASSIFIED
    assert complaint.customer == customer and complaint.product == product
    assert (complaint.quantity, complaint.defective_quantity) == (10, 2)
    assert complaint.severity.code == "urgent" and complaint.category.code == "product_quality"
    assert list(complaint.accused_staff.all()) == [org.production_handler]
    assert sorted(a.original_name for a in complaint.attachments.all()) == ["发票.pdf", "裂缝.png"]
    assert complaint.registered_by == org.clerk


def test_service_errors_show_on_their_fields_and_nothing_is_saved(as_user, org):
    # given: more defective pieces than delivered, arrival before shipping (rules of the model)
    data = _form(quantity="2", defective_quantity="5", shipped_on="2026-01-05", arrived_on="2026-01-02")

    response = as_user(org.clerk).post(reverse("complaint-new"), data)

    assert response.status_code == 400
    form = response.context["form"]
    assert "defective_quantity" in form.errors and "arrived_on" in form.errors
    assert not Complaint.objects.exists() and not ComplaintEvent.objects.exists()


def test_missing_and_malformed_fields_are_field_errors(as_user, org):
    data = _form(description="", received_at="not a date", quantity="many", customer="NO-SUCH")

    response = as_user(org.clerk).post(reverse("complaint-new"), data)

    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"description", "received_at", "quantity", "customer"}
    assert 'class="errorlist' in response.content.decode()
    assert not Complaint.objects.exists()


def test_a_disallowed_attachment_is_refused_and_nothing_is_saved(as_user, org):
    data = _form(attachments=[SimpleUploadedFile("virus.png", b"MZ\x90\x00binary", content_type="image/png")])

    response = as_user(org.clerk).post(reverse("complaint-new"), data)

    assert response.status_code == 400
    assert "attachments" in response.context["form"].errors
    assert not Complaint.objects.exists() and not Attachment.objects.exists()


def test_only_the_desk_may_register(as_user, org):
    for person in (org.production_head, org.outsider, org.gm):
        client = as_user(person)
        assert client.get(reverse("complaint-new")).status_code == 403
        assert client.post(reverse("complaint-new"), _form()).status_code == 403
    assert not Complaint.objects.exists()


def test_intake_refuses_other_methods(as_user, org):
    assert as_user(org.clerk).put(reverse("complaint-new")).status_code == 405


def test_far_off_dates_and_huge_numbers_are_field_errors(as_user, org):
    data = _form(received_at="0001-01-01T00:00:00", shipped_on="9999-12-31", quantity=str(10**12))

    response = as_user(org.clerk).post(reverse("complaint-new"), data)

    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"received_at", "shipped_on", "quantity"}
    assert not Complaint.objects.exists()
