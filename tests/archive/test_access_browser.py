"""Issue 11 §4 in a real browser (Chinese UI, 390 px phone and desktop): a production handler asks
to read a confidential archive, the general manager approves it on the access page, and the
handler then reads the customer's page; the desk drafts a correction on the customer page."""

from __future__ import annotations

import pytest

from kesu.archive import secrecy
from tests.archive.test_browser import SCREENS, _fits, page  # noqa: F401 (the page fixture)
from tests.browser.test_walkthrough import _log_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_asking_for_access_approving_it_and_reading(page, live_server, org, dealer):  # noqa: F811
    from playwright.sync_api import expect

    secrecy.set_level(archive=dealer, by=org.gm, level="confidential", reason="合同谈判中")
    _log_in(page, live_server, "prodhandler")
    page.goto(f"{live_server.url}/customers/access/")
    _fits(page)
    page.fill("#ar-archive", dealer.number)
    page.select_option("#ar-kind", "read")
    page.fill("#ar-reason", "处理投诉需核对合同")
    page.locator("#access-form button[type=submit]").click()
    expect(page.locator("#my-requests")).to_contain_text(dealer.number)
    _fits(page)

    page.context.clear_cookies()
    _log_in(page, live_server, "gm")
    page.goto(f"{live_server.url}/customers/access/")
    waiting = page.locator("#waiting .access-request")
    expect(waiting).to_contain_text(dealer.number)
    _fits(page)
    waiting.locator("button[value=yes]").click()
    expect(page.locator("#waiting")).to_have_count(0)

    page.context.clear_cookies()
    _log_in(page, live_server, "prodhandler")
    page.goto(f"{live_server.url}/customers/{dealer.number}/")
    expect(page.locator("h1")).to_contain_text("锦程")
    _fits(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_desk_drafts_a_correction(page, live_server, org, dealer):  # noqa: F811
    from playwright.sync_api import expect

    _log_in(page, live_server, "clerk")
    page.goto(f"{live_server.url}/customers/{dealer.number}/")
    page.locator("#corrections summary").click()
    page.select_option("#corr-field", "phone")
    page.fill("#corr-value", "021-6234 9999")
    page.fill("#corr-plan", "电话登记错误，按营业执照更正")
    page.locator("#correction-form button[type=submit]").click()
    expect(page.locator("#corrections .correction")).to_contain_text("021-6234 9999")
    _fits(page)
