"""The complaint page's cost panel, the shipment forms and the cost figures page in a real browser,
on a 390 px phone and a desktop screen, in Chinese and English. Drives Debian's chromium."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kesu.fulfilment.models import Shipment
from tests.browser.test_walkthrough import CHROMIUM, CHROMIUM_ARGS, _act, _log_in, _require_chromium
from tests.fulfilment.conftest import decided, investigated


@pytest.fixture
def browser_context(live_server, monkeypatch):
    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)

        def make(width: int, locale: str):
            context = browser.new_context(locale=locale, viewport={"width": width, "height": 844})
            context.set_default_timeout(15_000)
            return context.new_page()

        yield make
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("width", "locale", "words"), [(390, "zh-CN", "履行与费用"), (1280, "en-US", "Carrying it out")]
)
def test_ship_and_deliver_through_the_page_then_read_the_cost_figures(
    browser_context, live_server, furniture, width, locale, words
):
    from playwright.sync_api import expect

    org = furniture
    complaint = investigated(org)
    decided(org, complaint)
    page = browser_context(width, locale)
    _log_in(page, live_server, "prodhead")
    if locale.startswith("en"):
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/complaints/{complaint.number}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    shipped = timezone.localtime(timezone.now() - timedelta(minutes=30))
    _act(
        page,
        "record_shipment",
        fields={"waybill": "SF-778899", "shipped_at": shipped.strftime("%Y-%m-%dT%H:%M")},
        selects={"carrier": "logistics"},
    )
    shipment = Shipment.objects.get(complaint=complaint)
    _act(
        page,
        "deliver_shipment",
        fields={"delivered_at": (shipped + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M")},
        selects={"shipment": str(shipment.pk)},
    )
    shipment.refresh_from_db()
    assert shipment.delivered_at is not None
    costs = page.locator("#costs")
    expect(costs).to_contain_text(words)
    expect(costs).to_contain_text("SF-778899")
    expect(costs).to_contain_text("¥700.00")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    month = timezone.localtime(complaint.received_at).strftime("%Y-%m")
    page.goto(f"{live_server.url}/costs/?month={month}&by=party")
    expect(page.locator("#cost-figures")).to_contain_text("700.00")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
