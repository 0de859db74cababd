"""The committee page in a real browser, in the Chinese UI, on a 390 px phone and a desktop screen:
the production manager convenes the quality committee naming the related sales manager, who
records the on-site memo (seed 000 4.2.3.3 ②③). Drives Debian's chromium."""

from __future__ import annotations

import pytest

from kesu.committees.models import Committee
from tests.browser.test_walkthrough import _log_in, _log_out
from tests.committees.test_services import furniture, quality_complaint  # noqa: F401 (fixture)
from tests.decisions.test_browser import screen  # noqa: F401 (the fixture)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_production_manager_convenes_and_the_salesperson_records_the_memo(
    screen,  # noqa: F811
    live_server,
    furniture,  # noqa: F811
):
    from playwright.sync_api import expect

    page, width = screen
    complaint = quality_complaint(furniture)
    _log_in(page, live_server, "prodhead")
    page.goto(f"{live_server.url}/complaints/{complaint.number}/")
    page.locator("#committee-link a.committee-link").click()
    page.wait_for_url(f"**/complaints/{complaint.number}/committee/")
    expect(page.locator("h1")).to_contain_text("产品质量投诉处理委员会")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    form = page.locator("#convene form")
    form.locator("select[name=member_1]").select_option("prodhead")
    form.locator("button[type=submit]").click()  # the sales seat left empty
    page.wait_for_load_state()
    expect(page.locator("#convene .field-member_2 .errorlist")).to_be_visible()
    assert not Committee.objects.exists()
    page.locator("#convene select[name=member_2]").select_option("outsider")
    page.locator("#convene button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("委员会已召集")
    expect(page.locator("#committee .members")).to_contain_text("关联销售经理：陈销售")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    _log_out(page)
    _log_in(page, live_server, "outsider")
    page.goto(f"{live_server.url}/complaints/{complaint.number}/committee/")
    page.locator("#evidence textarea[name=facts]").fill("扶手接缝开裂约5厘米")
    page.locator("#evidence button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#committee .evidence")).to_contain_text("扶手接缝开裂")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
