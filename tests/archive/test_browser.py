"""Issue 11 "Done when", in a real browser (Debian's chromium), in the Chinese UI, on a 390 px phone
and a desktop screen: a clerk types part of the caller's phone number, picks the customer, sees
their history and the possible-duplicate warning, registers the complaint; the customer's page
shows it. And an unknown caller becomes a customer in the same form."""

from __future__ import annotations

import pytest

from kesu.complaints.models import Complaint
from kesu.customers.models import Product
from tests.browser.test_walkthrough import CHROMIUM, CHROMIUM_ARGS, _log_in, _require_chromium

SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


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


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.screen_width


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_clerk_finds_the_caller_by_a_phone_fragment_sees_the_duplicate_and_registers(
    page, live_server, org, register, dealer
):
    from playwright.sync_api import expect

    Product.objects.create(model_code="SF-200", name="真皮沙发")
    earlier = register(customer=dealer.customer, description="沙发扶手开裂")
    _log_in(page, live_server, "clerk")
    page.goto(f"{live_server.url}/complaints/new/")
    _fits(page)

    page.locator("#customer-search").press_sequentially("6234 56", delay=30)
    suggestion = page.locator("#customer-results button.suggestion", has_text="上海锦程家居有限公司")
    expect(suggestion).to_be_visible()
    suggestion.click()
    card = page.locator("#customer-card")
    expect(card).to_contain_text(dealer.number)
    expect(card).to_contain_text(earlier.number)  # the open complaint in their history
    expect(page.locator("#duplicate-warning")).to_contain_text(earlier.number)
    _fits(page)

    page.locator("#product-search").press_sequentially("沙发", delay=30)
    page.locator("#product-results button.suggestion", has_text="真皮沙发").click()
    expect(page.locator("#picked-product")).to_contain_text("SF-200")

    page.fill("#id_complainant_name", "陈经理")
    page.fill("#id_complainant_phone", "021-6234 5678")
    page.fill("#id_description", "同一套沙发另一侧扶手也开裂")
    page.select_option("#id_category", "product_quality")
    page.locator("form.intake button.primary[type=submit]").click()
    page.wait_for_url("**/complaints/*/")
    complaint = Complaint.objects.exclude(pk=earlier.pk).get()
    assert complaint.customer == dealer.customer and complaint.product.model_code == "SF-200"

    page.goto(f"{live_server.url}/customers/{dealer.number}/")
    expect(page.locator("#timeline")).to_contain_text(complaint.number)
    _fits(page)
    page.fill("#contact-summary", "电话回访，客户确认收到登记号")
    page.locator("#contact-form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#timeline")).to_contain_text("电话回访")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_unknown_caller_becomes_a_customer_in_the_same_form(page, live_server, org):
    from playwright.sync_api import expect

    _log_in(page, live_server, "clerk")
    page.goto(f"{live_server.url}/complaints/new/")
    page.locator("#customer-search").press_sequentially("0571", delay=30)
    expect(page.locator("#customer-results")).to_contain_text("未找到")
    page.locator("#new-customer summary").click()
    page.fill("#new-customer-name", "杭州新客户有限公司")
    page.fill("#new-customer-phone", "0571-8888 1234")
    page.locator("#create-customer").click()
    expect(page.locator("#customer-card")).to_contain_text("杭州新客户有限公司")
    _fits(page)
    page.fill("#id_complainant_name", "新客户")
    page.fill("#id_description", "首次来电投诉送货延误")
    page.locator("form.intake button.primary[type=submit]").click()
    page.wait_for_url("**/complaints/*/")
    assert Complaint.objects.get().customer.name == "杭州新客户有限公司"
