"""The decision page in a real browser, in the Chinese UI, on a 390 px phone and a desktop screen:
the production manager proposes the quality committee's 70/30 factory/customer split of a
1 000.00 yuan repair budget (seed 000 4.2.3.3 ④) and sees the ledger; a share total off 100 %
is a message on the form. Drives Debian's chromium."""

from __future__ import annotations

import pytest

from kesu.decisions.models import DecisionVersion
from tests.browser.test_walkthrough import CHROMIUM, CHROMIUM_ARGS, _log_in, _require_chromium
from tests.decisions.conftest import investigated


@pytest.fixture(params=[390, 1400], ids=["phone", "desktop"])
def screen(request, live_server, monkeypatch):
    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": request.param, "height": 900})
        context.set_default_timeout(15_000)
        yield context.new_page(), request.param
        context.close()
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_production_manager_proposes_a_70_30_split_and_sees_the_ledger(screen, live_server, furniture):
    from playwright.sync_api import expect

    page, width = screen
    complaint = investigated(furniture)
    _log_in(page, live_server, "prodhead")

    page.goto(f"{live_server.url}/complaints/{complaint.number}/")
    page.locator("#decision-link a.decision-link").click()
    page.wait_for_url(f"**/complaints/{complaint.number}/decision/")
    expect(page.locator("h1")).to_contain_text("处理决定")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    form = page.locator("#propose form")
    form.locator("select[name=cause]").select_option("quality_defect")
    form.locator("select[name=party_0]").select_option("department")
    form.locator("select[name=department_0]").select_option("production")
    form.locator("input[name=share_0]").fill("70")
    form.locator("select[name=party_1]").select_option("customer")
    form.locator("input[name=name_1]").fill("刘先生")
    form.locator("input[name=share_1]").fill("20")  # 90 %: refused
    form.locator("select[name=kind_0]").select_option("repair")
    form.locator("input[name=quantity_0]").fill("1")
    form.locator("input[name=repair_budget]").fill("1000.00")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#propose-errors")).to_contain_text("100.00")
    assert not DecisionVersion.objects.exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # the form kept what was typed: correct the customer's share only
    page.locator("#propose input[name=share_1]").fill("30")
    page.locator("#propose button[type=submit]").click()
    page.wait_for_load_state()

    expect(page.locator(".messages")).to_contain_text("已提出")
    ledger = page.locator("#decision table.ledger")
    expect(ledger).to_contain_text("生产部 ¥700.00")
    expect(ledger).to_contain_text("刘先生 ¥300.00")
    expect(page.locator("#decision .approval-state")).to_contain_text("赵总")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert DecisionVersion.objects.get().repair_budget == 1000
