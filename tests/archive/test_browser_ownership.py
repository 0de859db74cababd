"""Issue 11 §3 and §5 in a real browser (Debian's chromium), in the Chinese UI, on a 390 px phone
and a desktop screen: the sales manager hands a leaving salesperson's customers over and the
successor acknowledges; an archive past its retention period is proposed, reviewed by the CS
director, approved by the general manager and destroyed by the desk — and its customer's name is
gone from the customer page while the complaint's number stays."""

from __future__ import annotations

import pytest

from kesu.archive import ownership
from kesu.archive.models_ownership import ArchiveOwnership
from tests.archive.test_browser import SCREENS, _fits
from tests.browser.test_walkthrough import CHROMIUM, CHROMIUM_ARGS, _log_in, _require_chromium


@pytest.fixture(params=sorted(SCREENS))
def page(request, live_server, monkeypatch):
    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN", viewport=SCREENS[request.param])
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.screen_width = SCREENS[request.param]["width"]
        yield page
        context.close()
        browser.close()


def _as(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    _log_in(page, live_server, username)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_hand_over_and_destruction_in_the_browser(page, live_server, org, sales, dealer, old_customer):
    from playwright.sync_api import expect

    ownership.register(archive=dealer, salesperson=sales.a, by=sales.a)
    # the sales manager hands 销售A's customers over to 销售B
    _as(page, live_server, "salesmgr")
    page.goto(f"{live_server.url}/archive/handovers/?leaver={sales.a.pk}")
    expect(page.locator("#to-hand-over")).to_contain_text(dealer.number)
    _fits(page)
    page.select_option(f"select[name='successor-{dealer.number}']", str(sales.b.pk))
    page.fill("#reason", "销售A离职")
    page.locator("#to-hand-over button.primary").click()
    page.wait_for_url("**/archive/handovers/*/")
    expect(page.locator("#handover-items")).to_contain_text("销售B")
    _fits(page)
    handover_url = page.url
    # 销售B acknowledges
    _as(page, live_server, "sales_b")
    page.goto(handover_url)
    page.locator("#acknowledge").click()
    page.wait_for_load_state()
    expect(page.locator("#acknowledge")).to_have_count(0)
    assert ArchiveOwnership.objects.get(archive=dealer).owner == sales.b

    # the CS director proposes and reviews the due archive
    _as(page, live_server, "director")
    page.goto(f"{live_server.url}/archive/retention/")
    expect(page.locator("#due")).to_contain_text(old_customer.number)
    _fits(page)
    page.locator("#propose").click()
    page.wait_for_url("**/archive/destructions/*/")
    destruction_url = page.url
    page.locator("#review-form button.primary").click()
    page.wait_for_load_state()
    # the general manager approves, the desk destroys
    _as(page, live_server, "gm")
    page.goto(destruction_url)
    page.locator("#approve-form button.primary").click()
    page.wait_for_load_state()
    _as(page, live_server, "clerk")
    page.goto(destruction_url)
    page.select_option("#witness", str(org.director.pk))
    page.locator("#destroy-form button.primary").click()
    page.wait_for_load_state()
    expect(page.locator("#destroyed-by")).to_contain_text("王专员")
    expect(page.locator("#approved-by")).to_contain_text("赵总")
    _fits(page)
    page.goto(f"{live_server.url}/customers/{old_customer.number}/")
    expect(page.locator("#timeline")).to_contain_text(old_customer.complaint.number)
    expect(page.locator("main")).not_to_contain_text("刘建华")
    _fits(page)
