"""The page "Awaiting my decision" (待我核决) on a 390 px wide phone: nothing wider than the screen,
and the general manager refuses with a reason and then approves another, in the Chinese UI."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from kesu.approvals.models import Approval, ApprovalRule, ApprovalStatus
from kesu.approvals.services import request_approval
from tests.approvals.conftest import GM, complaint_of, rule
from tests.browser.test_walkthrough import CHROMIUM, CHROMIUM_ARGS, _require_chromium


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
def test_the_general_manager_decides_on_a_phone(phone, live_server, org):
    ApprovalRule.objects.all().delete()
    rule("decision", None, None, None, ("any", [GM]))
    first, second = (
        request_approval(
            complaint=complaint_of(org, "product_quality"),
            step="decision",
            amount=Decimal(amount),
            by=org.clerk,
            subject=subject,
        )
        for amount, subject in (("12000.00", "返修方案呈核：更换扶手并承担运费"), ("300.00", "补发配件"))
    )
    page = phone
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "gm")
    page.fill("#id_password", "pass-gm")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/approvals/")
    assert page.locator("h1").inner_text() == "待我核决"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    card = page.locator(f"#approval-{first.pk}")
    card.locator("select").select_option("refuse")
    card.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "此项为必填项" in page.locator(f"#approval-{first.pk}").inner_text()  # the reason
    page.locator(f"#approval-{first.pk} select").select_option("refuse")
    page.locator(f"#approval-{first.pk} textarea").fill("运费不应由我方承担")
    page.locator(f"#approval-{first.pk} button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/approvals/$"))

    page.locator(f"#approval-{second.pk} button[type=submit]").click()  # 同意 is the first choice
    page.wait_for_url(re.compile(r".*/approvals/$"))
    assert "没有待您核决的事项" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    statuses = dict(Approval.objects.values_list("pk", "status"))
    assert statuses == {first.pk: ApprovalStatus.REFUSED, second.pk: ApprovalStatus.APPROVED}
