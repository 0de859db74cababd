"""The paper forms as PDF (kesu.paperwork): each is read back with pypdf as a person would read
the printout — the number, the company, the people who signed and when — and the font is embedded
(a subset), so the form reads on a machine without Chinese fonts."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from kesu.complaints import services
from kesu.complaints.models import Status, TransferSlip
from kesu.rulebook.models import RuleBook
from tests.conftest import advance, local


def text_of(content: bytes) -> str:
    """The PDF's text with its white space removed (the table cells wrap and space it apart).

    pypdf reads fpdf2's embedded Identity CMap a byte at a time and puts a NUL before each
    character, which it drops here; poppler's pdftotext and the viewers read the text as it is."""
    reader = PdfReader(io.BytesIO(content))
    return "".join("".join(page.extract_text() for page in reader.pages).replace("\x00", "").split())


def fonts_of(content: bytes) -> list[dict]:
    reader = PdfReader(io.BytesIO(content))
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                fonts.append(descendant.get_object()["/FontDescriptor"].get_object())
    return fonts


def get_pdf(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    return response.content


@pytest.fixture
def followed_up(org, register):
    with time_machine.travel(local(2026, 11, 16, 9), tick=False):
        complaint = register(received_at=local(2026, 11, 16, 8, 30), complainant_name="刘先生")
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        return advance(complaint, org, Status.FOLLOWED_UP)


def test_the_transfer_slip_names_both_sides_and_the_approver(as_user, org, followed_up):
    # given a complaint transferred by the desk, approved by the GM, signed for by production
    slip = TransferSlip.objects.get(complaint=followed_up)
    # when the desk downloads the slip
    content = get_pdf(
        as_user(org.clerk), reverse("paperwork-transfer-slip", args=[followed_up.number, slip.pk])
    )
    # then it reads as the paper slip: title, company, number, the three signers with their times
    text = text_of(content)
    assert "客户投诉转交处理联系单" in text
    assert RuleBook.current().company_name.replace(" ", "") in text
    assert f"{followed_up.number}-1" in text
    for name in (org.clerk.display_name, org.gm.display_name, org.production_head.display_name):
        assert name in text
    assert "2026-11-1610:00" in text  # signed at 10:00 local time (spaces removed)
    assert "生产部" in text and "质量问题，转生产部" in text


def test_the_font_is_embedded_as_a_small_subset(as_user, org, followed_up):
    slip = TransferSlip.objects.get(complaint=followed_up)
    content = get_pdf(
        as_user(org.clerk), reverse("paperwork-transfer-slip", args=[followed_up.number, slip.pk])
    )
    fonts = fonts_of(content)
    assert fonts, "no CID font in the PDF"
    for descriptor in fonts:
        # the font program is in the file (FontFile2 for TrueType, FontFile3 for CFF), and it is
        # a subset (a 6-letter tag before the name)
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
        assert descriptor["/FontName"][7] == "+"
    assert len(content) < 150_000  # the whole font is 8 MB


def test_the_registration_form_tracks_every_signature(as_user, org, followed_up):
    content = get_pdf(as_user(org.gm), reverse("paperwork-registration", args=[followed_up.number]))
    text = text_of(content)
    assert "客户投诉登记及跟踪处理记录表单" in text
    assert followed_up.number in text
    assert "刘先生" in text and "沙发扶手开裂" in text
    assert "投诉承接" in text and "投诉调查处理意见" in text
    for name in (
        org.clerk.display_name,  # registered, replied, visited
        org.gm.display_name,  # approved the transfer
        org.production_head.display_name,  # signed for it
        org.production_handler.display_name,  # handler, proposed the resolution
    ):
        assert name in text
    assert "上门维修并更换扶手" in text and "客户满意" in text


def test_forms_print_in_english_for_an_english_reader(as_user, org, followed_up):
    client = as_user(org.clerk)
    client.cookies["django_language"] = "en"
    text = text_of(get_pdf(client, reverse("paperwork-registration", args=[followed_up.number])))
    assert "Complaintregistrationandtrackingform" in text
    assert org.gm.display_name in text


def test_the_complaint_page_links_its_forms(as_user, org, followed_up):
    slip = TransferSlip.objects.get(complaint=followed_up)
    html = as_user(org.clerk).get(reverse("complaint-detail", args=[followed_up.number])).content.decode()
    assert reverse("paperwork-registration", args=[followed_up.number]) in html
    assert reverse("paperwork-transfer-slip", args=[followed_up.number, slip.pk]) in html
    # nothing is overdue and the complaint is open: neither reminder nor inquiry slip
    assert reverse("paperwork-reminder", args=[followed_up.number]) not in html
    assert reverse("paperwork-inquiry", args=[followed_up.number]) not in html


def test_the_reminder_slip_lists_the_overdue_limit(as_user, org, accepted):
    # given production accepted on Monday; its resolution is due Wednesday 17:30
    url = reverse("paperwork-reminder", args=[accepted.number])
    with time_machine.travel(local(2026, 11, 17, 9), tick=False):
        early = as_user(org.gm).get(url)
    assert early.status_code == 404  # nothing overdue yet, and the page says so
    assert "没有需要打印的催办单" in early.content.decode()
    # when it is Thursday and nothing was proposed
    with time_machine.travel(local(2026, 11, 19, 9, 30), tick=False):
        page = as_user(org.gm).get(reverse("complaint-detail", args=[accepted.number])).content.decode()
        content = get_pdf(as_user(org.gm), url)
    # then the page offers the reminder slip, and it names the limit, its due time and the department
    assert url in page
    text = text_of(content)
    assert "催办单" in text and accepted.number in text
    assert "2026-11-1817:30" in text and "生产部" in text
    assert org.gm.display_name in text  # who issued it


def test_the_inquiry_slip_gives_the_late_reason(as_user, org, november):
    late = november  # the fixture returns nothing; find the late one
    from kesu.complaints.models import Complaint

    late = Complaint.objects.get(received_at=local(2026, 11, 9, 9))
    content = get_pdf(as_user(org.director), reverse("paperwork-inquiry", args=[late.number]))
    text = text_of(content)
    assert "洽办单" in text and late.number in text and "配件缺货" in text
    on_time = Complaint.objects.get(received_at=local(2026, 11, 2, 8))
    response = as_user(org.director).get(reverse("paperwork-inquiry", args=[on_time.number]))
    assert response.status_code == 404
    assert "没有需要打印的洽办单" in response.content.decode()


@pytest.mark.parametrize("name", ["paperwork-registration", "paperwork-reminder", "paperwork-inquiry"])
def test_an_outsider_gets_no_form(as_user, org, followed_up, name):
    response = as_user(org.outsider).get(reverse(name, args=[followed_up.number]))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_outsider_gets_no_transfer_slip_and_a_wrong_slip_is_404(as_user, org, followed_up, register):
    slip = TransferSlip.objects.get(complaint=followed_up)
    url = reverse("paperwork-transfer-slip", args=[followed_up.number, slip.pk])
    assert as_user(org.outsider).get(url).status_code == 404
    other = register()
    # a slip of another complaint is not this complaint's slip
    wrong = reverse("paperwork-transfer-slip", args=[other.number, slip.pk])
    assert as_user(org.clerk).get(wrong).status_code == 404
    assert (
        as_user(org.clerk)
        .get(f"/complaints/{followed_up.number}/forms/transfer-slips/99999999999.pdf")
        .status_code
        == 404
    )


def test_signed_out_is_sent_to_sign_in_and_post_is_refused(client, as_user, org, followed_up):
    url = reverse("paperwork-registration", args=[followed_up.number])
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert as_user(org.clerk).post(url).status_code == 405


def test_odd_text_prints_without_error(as_user, org, register):
    # emoji (not in the font), control characters, the longest texts the limits allow (a
    # description of 10 000 characters, a transfer reason of 4 000): a form over pages, never a 500
    description = ("第一行\n第二行\t制表\u200b" + "很长的描述。" * 2000)[:10_000]
    complaint = register(complainant_name="张😀三", description=description)
    reason = ("转交原因很长。" * 600)[:4000] + "原因结束"
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        services.propose_transfer(
            complaint=complaint, by=org.clerk, to_department=org.production, reason=reason
        )
    slip = TransferSlip.objects.get(complaint=complaint)
    client = as_user(org.clerk)
    content = get_pdf(client, reverse("paperwork-registration", args=[complaint.number]))
    text = text_of(content)
    assert "第一行" in text and "很长的描述" in text and "原因结束" in text
    assert len(PdfReader(io.BytesIO(content)).pages) > 2
    slip_text = text_of(get_pdf(client, reverse("paperwork-transfer-slip", args=[complaint.number, slip.pk])))
    assert "原因结束" in slip_text


def test_the_quality_memo_prints_the_decision_and_who_approved_it(as_user, org, register):
    # given a quality complaint investigated by production, with its handling decision proposed
    # (production bears it all: repair, a 1 200 yuan repair-cost budget) and approved by amount
    from decimal import Decimal

    from kesu.approvals.authority import approvers_now
    from kesu.approvals.services import decide_approval
    from kesu.decisions.services import MoneyIn, RemedyIn, ShareIn, propose_decision

    with time_machine.travel(local(2026, 11, 16, 9), tick=False):
        complaint = register(received_at=local(2026, 11, 16, 8, 30))
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        complaint = advance(complaint, org, Status.INVESTIGATING)
        version = propose_decision(
            complaint=complaint,
            by=org.production_handler,
            cause="quality_defect",
            shares=[ShareIn(party="department", department="production", share="100")],
            remedies=[RemedyIn(kind="repair", quantity=1)],
            money=MoneyIn(repair_budget=Decimal("1200.00")),
        )
        assert version.approval is not None  # the furniture preset: approved by amount
        approver = approvers_now(version.approval)[0]
        decide_approval(approval=version.approval, by=approver, approve=True)
    url = reverse("paperwork-quality-memo", args=[complaint.number])
    page = as_user(org.clerk).get(reverse("complaint-detail", args=[complaint.number])).content.decode()
    assert url in page
    # when the desk prints the memo
    text = text_of(get_pdf(as_user(org.clerk), url))
    # then it reads as 《客户产品质量投诉处理备忘单》: the facts, the ratio, the budget, the signers
    assert "客户产品质量投诉处理备忘单" in text and f"{complaint.number}-v{version.number}" in text
    assert "责任认定" in text and "生产部" in text and "100" in text and "1200.00" in text
    assert org.production_handler.display_name in text and approver.display_name in text
    assert "沙发扶手开裂" in text


def test_no_quality_memo_without_a_decision(as_user, org, register):
    complaint = register()
    url = reverse("paperwork-quality-memo", args=[complaint.number])
    assert (
        url
        not in as_user(org.clerk).get(reverse("complaint-detail", args=[complaint.number])).content.decode()
    )
    response = as_user(org.clerk).get(url)
    assert response.status_code == 404 and "没有需要打印的备忘单" in response.content.decode()
    assert as_user(org.outsider).get(url).status_code == 404
