"""The notification centre on a 390 px phone: nothing wider than the screen, the complaint link
and "mark read" reachable. Drives Debian's chromium (skipped where it is not installed)."""

from __future__ import annotations

import pytest

from kesu.complaints.models import Status
from kesu.notifications.models import Notification
from tests.browser.test_walkthrough import CHROMIUM, CHROMIUM_ARGS, _log_in, _require_chromium
from tests.conftest import advance


@pytest.fixture
def phone(live_server, monkeypatch):
    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
        context.set_default_timeout(15_000)
        yield context.new_page()
        context.close()
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_notification_centre_fits_a_390px_phone(phone, live_server, org, register):
    complaint = advance(register(), org, Status.TRANSFER_PROPOSED)  # the GM is told
    _log_in(phone, live_server, "gm")

    phone.goto(f"{live_server.url}/notifications/")

    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.locator(f"a.number:has-text('{complaint.number}')").first.is_visible()
    phone.locator("form[action$='/read/'] button").first.click()
    phone.wait_for_load_state()
    assert not Notification.objects.filter(recipient=org.gm, read_at__isnull=True).exists()
