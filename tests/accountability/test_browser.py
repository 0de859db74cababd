"""The assessment pages in a real browser (Debian's chromium), on a 390 px wide phone in Chinese
and in English and at desktop width: the general manager approves a month (which locks it), a
person appeals his own published line, a department head reads the running month."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from kesu.accountability import services
from kesu.accountability.models import AssessmentMonth, Rule, SheetLine
from kesu.accountability.sheet import previous_month
from kesu.rulebook.services import apply_preset
from tests.accountability.conftest import confirm_all
from tests.browser.test_walkthrough import CHROMIUM, CHROMIUM_ARGS, _log_in, _require_chromium


def _browser(monkeypatch, *, locale: str, width: int):
    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    manager = sync_playwright()
    p = manager.__enter__()
    browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 844})
    context.set_default_timeout(15_000)
    return manager, browser, context


@pytest.fixture
def open_page(live_server, monkeypatch):
    opened = []

    def make(locale: str = "zh-CN", width: int = 390):
        manager, browser, context = _browser(monkeypatch, locale=locale, width=width)
        opened.append((manager, browser, context))
        return context.new_page()

    yield make
    for manager, browser, context in opened:
        context.close()
        browser.close()
        manager.__exit__(None, None, None)


def last_month() -> date:
    return previous_month(timezone.localdate().replace(day=1))


@pytest.fixture
def sanctioned(org):
    """The PCB rule book; last month the handler (2 bases, bonus 1 000) got a minor demerit."""
    apply_preset(name="pcb")
    month = last_month()
    services.set_terms(
        staff=org.production_handler,
        effective_month=previous_month(month),
        base_points="2",
        monthly_bonus="1000",
        by=None,
    )
    services.record_finding(
        month=month,
        rule=Rule.objects.get(code="minor_demerit"),
        by=org.gm,
        staff=org.production_handler,
        reason="交货延迟",
        evidence="签呈",
    )
    services.draft_month(month=month, by=org.gm)
    return org


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_general_manager_approves_the_month_on_a_phone(open_page, live_server, sanctioned):
    from playwright.sync_api import expect

    label = last_month().strftime("%Y-%m")
    # the production head confirms his department's lines first (PCB: seed 002 (九)10)
    page = open_page()
    _log_in(page, live_server, "prodhead")
    page.goto(f"{live_server.url}/assessment/{label}/")
    page.locator("#assessment-reviews input[value=yes]").check()
    page.locator("#assessment-reviews button", has_text="提交确认").click()
    expect(page.locator("#assessment-reviews .badge")).to_have_text("已确认")
    fits(page, 390)

    page.context.clear_cookies()  # the general manager now, on the same phone
    _log_in(page, live_server, "gm")
    page.locator("nav.mainnav a", has_text="考核").click()
    expect(page.locator("h1")).to_have_text("考核")
    fits(page, 390)
    page.locator("#assessment-months a", has_text=label).click()
    expect(page.locator("#assessment-lines")).to_contain_text("¥800.00 × 2 base × 1 = ¥1 600.00")
    fits(page, 390)
    page.locator("button", has_text="批准并锁定").click()
    expect(page.locator("#month-status")).to_have_text("已批准（锁定）")
    expect(page.locator("#locked-note")).to_be_visible()
    fits(page, 390)
    assert AssessmentMonth.objects.get(month=last_month()).status == "approved"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_person_appeals_his_line_on_a_phone_in_english(open_page, live_server, sanctioned):
    from playwright.sync_api import expect

    confirm_all(last_month())
    services.approve_month(month=last_month(), by=sanctioned.gm)
    services.publish_month(month=last_month(), by=sanctioned.gm)
    page = open_page(locale="en-US")
    _log_in(page, live_server, "prodhandler")
    page.goto(f"{live_server.url}/assessment/mine/")
    expect(page.locator("h1")).to_have_text("My assessment")
    fits(page, 390)
    line = SheetLine.objects.get(staff=sanctioned.production_handler)
    row = page.locator(f"li[data-line='{line.pk}']")
    row.locator("textarea").fill("Not my shift")
    row.locator("button", has_text="Appeal").click()
    expect(page.locator(".messages")).to_contain_text("Your appeal is filed.")
    fits(page, 390)
    assert line.appeals.get().reason == "Not my shift"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_at_desktop_width(open_page, live_server, sanctioned):
    from playwright.sync_api import expect

    page = open_page(width=1280)
    _log_in(page, live_server, "prodhead")
    page.goto(f"{live_server.url}/assessment/running/")
    expect(page.locator("h1")).to_contain_text("本月考核")
    fits(page, 1280)
    page.goto(f"{live_server.url}/assessment/{last_month():%Y-%m}/")
    expect(page.locator("#assessment-totals")).to_contain_text("周师傅")
    fits(page, 1280)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_department_head_disputes_his_lines_at_desktop_width_in_english(open_page, live_server, sanctioned):
    from playwright.sync_api import expect

    label = last_month().strftime("%Y-%m")
    page = open_page(locale="en-US", width=1280)
    _log_in(page, live_server, "prodhead")
    page.goto(f"{live_server.url}/assessment/{label}/")
    page.locator("#assessment-reviews input[value=no]").check()
    page.locator("#assessment-reviews textarea[name=reason]").fill("The delay was the supplier's")
    page.locator("#assessment-reviews button", has_text="Send review").click()
    expect(page.locator("#assessment-reviews .badge")).to_have_text("disputed")
    expect(page.locator("#assessment-reviews")).to_contain_text("The delay was the supplier's")
    fits(page, 1280)
