"""Issue 11 §4: a classified customer's complaints, their attachments, exports and printed forms
are read only by those who may know the customer (seed 001 客户管理制度10 四、1 知晓范围), on every
read path — generated over level × role × path — and no e-mail carries their content."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from kesu.archive import secrecy
from kesu.archive.models import ReadAudit
from kesu.complaints import services as complaint_services
from kesu.notifications.services import notify

BASE = "/api/v1"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32
LEVELS = ["", "secret", "confidential", "top_secret"]
# People who see every complaint of an open customer.
PERSONAS = ["clerk", "director", "gm", "vp", "auditor", "admin"]
# Who may know each level, written out from the seed (not computed from the code's table).
MAY_KNOW = {
    "": set(PERSONAS),
    "secret": {"clerk", "director", "gm", "vp"},
    "confidential": {"director", "gm", "vp"},
    "top_secret": {"gm", "vp"},
}
LISTS = {"web_search", "api_list"}  # the complaint list's rows are not audited one by one
PATHS = ["page", "api_detail", "web_search", "api_list", "attachment", "pdf_form", "excel_export"]


@pytest.fixture
def case(org, dealer, register):
    complaint = register(customer=dealer.customer)
    attachment = complaint_services.add_attachment(
        complaint=complaint, by=org.clerk, upload=SimpleUploadedFile("合同.png", PNG)
    )
    return complaint, attachment


def _exported_numbers(content: bytes) -> set[str]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {
        str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
    }


def _read(path, who, complaint, attachment, as_user, api) -> bool:
    number = complaint.number
    if path == "page":
        return as_user(who).get(f"/complaints/{number}/").status_code == 200
    if path == "api_detail":
        return api(who).get(f"{BASE}/complaints/{number}").status_code == 200
    if path == "web_search":
        # the list links each complaint it finds (the search box repeats the number typed)
        return f"/complaints/{number}/" in as_user(who).get("/complaints/", {"q": number}).content.decode()
    if path == "api_list":
        return number in api(who).get(f"{BASE}/complaints", {"q": number}).content.decode()
    if path == "attachment":
        url = reverse("complaint-attachment", args=[number, attachment.pk])
        return as_user(who).get(url).status_code == 200
    if path == "pdf_form":
        return as_user(who).get(reverse("paperwork-registration", args=[number])).status_code == 200
    response = as_user(who).get(reverse("complaints-export"))
    assert response.status_code == 200
    return number in _exported_numbers(
        b"".join(response.streaming_content) if response.streaming else response.content
    )


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("level", LEVELS)
def test_a_classified_customers_complaint_is_read_only_by_who_may_know(
    org, dealer, case, as_user, api, level, persona, path
):
    # given a complaint of the customer, classified at the level
    complaint, attachment = case
    if level:
        secrecy.set_level(archive=dealer, by=org.gm, level=level, reason="客户要求保密")
    # when the persona reads it by the path / then only who may know the customer does
    who = getattr(org, persona)
    before = ReadAudit.objects.count()
    read = _read(path, who, complaint, attachment, as_user, api)
    assert read == (persona in MAY_KNOW[level]), f"{persona} {path} {level or 'open'}"
    # and each read of a classified customer's complaint (a list's rows aside) leaves one audit row
    rows = ReadAudit.objects.filter(staff=who, complaint_number=complaint.number)
    assert ReadAudit.objects.count() - before == rows.count()
    audited = read and level and path not in LISTS
    assert rows.count() == (1 if audited else 0), f"{persona} {path} {level or 'open'}"
    if audited:
        row = rows.get()
        assert (row.kind, row.level) == ("export" if path == "excel_export" else "complaint", level)
        assert row.address == "127.0.0.1"


def test_a_named_person_reads_the_complaints_too(org, dealer, case, as_user):
    complaint, _attachment = case
    secrecy.set_level(archive=dealer, by=org.gm, level="confidential", reason="谈判中")
    assert as_user(org.clerk).get(f"/complaints/{complaint.number}/").status_code == 404
    secrecy.grant(archive=dealer, by=org.director, staff=org.clerk)
    assert as_user(org.clerk).get(f"/complaints/{complaint.number}/").status_code == 200


@pytest.mark.parametrize("level", LEVELS)
def test_no_email_carries_a_classified_customers_complaint(
    org, dealer, case, django_capture_on_commit_callbacks, level
):
    complaint, _attachment = case
    if level:
        secrecy.set_level(archive=dealer, by=org.gm, level=level, reason="客户要求保密")
    org.gm.user.email = "gm@example.com"
    org.gm.user.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[org.gm],
            kind="info",
            title=f"上海锦程家居有限公司 投诉 {complaint.number}",
            body="上海锦程家居有限公司要求赔偿 80 万元",
            complaint=complaint,
            dedup_key=f"t:{level}",
        )
    (sent,) = mail.outbox
    assert complaint.number in sent.subject
    leaked = "锦程" in sent.subject or "锦程" in sent.body or "80 万" in sent.body
    assert leaked == (not level)


def test_a_scheduled_report_lists_no_classified_customers_complaint(org, dealer, case):
    from kesu.complaints import registry
    from kesu.complaints.models import Complaint

    complaint, _attachment = case
    assert registry.restricted(Complaint.objects.all(), staff=None).filter(pk=complaint.pk).exists()
    secrecy.set_level(archive=dealer, by=org.gm, level="secret", reason="客户要求保密")
    assert not registry.restricted(Complaint.objects.all(), staff=None).filter(pk=complaint.pk).exists()
