"""The desk's main pages on a phone (390 × 844), a tablet (768 px) and a desktop: nothing wider
than the screen (no horizontal scrolling), the top bar's links each on one line, and a screenshot
of each page kept with the test's files; and the transfer slip downloaded as a PDF that names the
people who signed it (issue 12 §3 and §5)."""

from __future__ import annotations

import io

import pytest
import time_machine
from pypdf import PdfReader

from kesu.complaints.models import Status
from tests.browser.test_walkthrough import CHROMIUM, CHROMIUM_ARGS, _require_chromium
from tests.conftest import advance, local

SCREENS = {"phone": (390, 844), "tablet": (768, 1024), "desktop": (1400, 1000)}


@pytest.fixture
def browser(live_server, monkeypatch):
    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _page(browser, live_server, username: str, width: int, height: int):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": width, "height": height}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pass-{username}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def _transferred(org, register):
    with time_machine.travel(local(2026, 11, 16, 9), tick=False):
        complaint = register(
            received_at=local(2026, 11, 16, 8, 30),
            description="沙发扶手开裂，要求更换。客户称已多次联系销售未果，" * 6,
            requested_remedy="更换扶手并赔偿运费",
        )
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        return advance(complaint, org, Status.INVESTIGATING)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("screen", SCREENS)
def test_main_pages_fit_the_screen(browser, live_server, org, register, screen, tmp_path):
    complaint = _transferred(org, register)
    width, height = SCREENS[screen]
    page = _page(browser, live_server, "clerk", width, height)
    pages = {
        "workbench": "/",
        "list": "/complaints/",
        "complaint": f"/complaints/{complaint.number}/",
        "new": "/complaints/new/",
        "notifications": "/notifications/",
        "tasks": f"/complaints/{complaint.number}/tasks/",
        "approvals": "/approvals/",
        "list-sorted": "/complaints/?sort=-handler&status=investigating&status=registered",
        "statistics": "/statistics/",
        "drill-down": "/statistics/complaints/?measure=received",
        "reports": "/reports/",
        "exports": "/exports/",
    }
    too_wide = {}
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state()
        page.screenshot(path=str(tmp_path / f"{screen}-{name}.png"), full_page=True)
        scroll_width, inner_width = page.evaluate(
            "[document.scrollingElement.scrollWidth, window.innerWidth]"
        )
        if scroll_width > inner_width:
            too_wide[name] = (scroll_width, inner_width)
        # the top bar's links are each one line high (the bug: one character per line on a phone)
        heights = page.eval_on_selector_all(
            ".topbar a, .topbar button", "els => els.map(e => e.getBoundingClientRect().height)"
        )
        assert heights and max(heights) < 40, (name, heights)
    assert not too_wide, too_wide


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_transfer_slip_downloads_as_a_pdf_with_the_signers(browser, live_server, org, register):
    complaint = _transferred(org, register)
    page = _page(browser, live_server, "clerk", 390, 844)
    page.goto(f"{live_server.url}/complaints/{complaint.number}/")
    with page.expect_download() as download_info:
        page.locator("a.transfer-slip-pdf").first.click()
    download = download_info.value
    assert download.suggested_filename == f"{complaint.number}-transfer-1.pdf"
    content = download.path().read_bytes()
    reader = PdfReader(io.BytesIO(content))
    text = "".join(reader.pages[0].extract_text().replace("\x00", "").split())
    assert "客户投诉转交处理联系单" in text and complaint.number in text
    for person in (org.clerk, org.gm, org.production_head):
        assert person.display_name in text


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_printed_complaint_page_has_no_navigation_nor_forms(browser, live_server, org, register):
    complaint = _transferred(org, register)
    page = _page(browser, live_server, "clerk", 1400, 1000)
    page.goto(f"{live_server.url}/complaints/{complaint.number}/")
    page.emulate_media(media="print")
    hidden = page.evaluate(
        """() => ['.topbar', '#actions', 'form.attach', '#forms-to-print'].map(
            s => { const e = document.querySelector(s); return e ? getComputedStyle(e).display : 'none'; })"""
    )
    assert hidden == ["none", "none", "none", "none"]
    # what the page is about still prints
    assert page.locator("h1").is_visible() and page.locator("#timeline").is_visible()
    pdf = page.pdf(format="A4")
    text = "".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert complaint.number in text


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_gm_approves_transfers_in_bulk_on_a_phone(browser, live_server, org, register):
    from kesu.complaints.models import Complaint

    with time_machine.travel(local(2026, 11, 16, 9), tick=False):
        complaints = [register(complainant_name=f"客户{i}") for i in range(3)]
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        complaints = [advance(c, org, Status.TRANSFER_PROPOSED) for c in complaints]
    page = _page(browser, live_server, "gm", 390, 844)
    # from the workbench's "awaiting my approval" panel to all of it
    page.locator("#awaiting-approval a.view-all").click()
    page.wait_for_load_state()
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    for complaint in complaints[:2]:
        page.locator(f"input[name=number][value='{complaint.number}']").check()
    page.locator("#bulk-approve button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("tr.done").count() == 2 and page.locator("tr.refused").count() == 0
    statuses = [Complaint.objects.get(pk=c.pk).status for c in complaints]
    assert statuses == [Status.TRANSFER_APPROVED, Status.TRANSFER_APPROVED, Status.TRANSFER_PROPOSED]
