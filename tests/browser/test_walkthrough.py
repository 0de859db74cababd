"""One walk through the main path in a real browser, in the Chinese UI: the desk registers a
complaint, proposes a transfer, the GM approves, production accepts, investigates and proposes a
resolution, the desk replies, follows up and closes. Drives Debian's chromium; never downloads one."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from kesu.complaints.models import Complaint, Status

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("KESU_REQUIRE_BROWSER") == "1":
        pytest.fail(f"KESU_REQUIRE_BROWSER=1 but {CHROMIUM} is missing: apt-get install chromium")
    pytest.skip("Debian chromium not installed: apt-get install chromium")


@pytest.fixture
def page(live_server, monkeypatch):
    _require_chromium()
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between browser steps are still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(15_000)
        yield context.new_page()
        context.close()
        browser.close()


def _log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pass-{username}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")


def _log_out(page) -> None:
    page.locator("form[action='/logout/'] button").click()
    page.wait_for_url(re.compile(r".*/login/$"))


def _act(
    page, action: str, fields: dict[str, str] | None = None, selects: dict[str, str] | None = None
) -> None:
    panel = page.locator(f"details.action-{action}")
    panel.locator("summary").click()
    for name, value in (fields or {}).items():
        panel.locator(f"[name='{action}-{name}']").fill(value)
    for name, value in (selects or {}).items():
        panel.locator(f"select[name='{action}-{name}']").select_option(value)
    panel.locator("button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_main_path_in_the_chinese_ui(page, live_server, org):
    from playwright.sync_api import expect

    status = page.locator("#status")
    # the Content-Security-Policy blocks inline scripts, styles and handlers: the browser reports each
    csp_violations: list[str] = []
    page.on(
        "console", lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )

    # the desk clerk registers the complaint on the intake form
    _log_in(page, live_server, "clerk")
    expect(page.locator("h1")).to_have_text("工作台")
    page.get_by_role("link", name="登记投诉").first.click()
    page.fill("#id_complainant_name", "刘先生")
    page.fill("#id_complainant_phone", "13800000000")
    page.fill("#id_product_model", "SF-200")
    page.fill("#id_description", "沙发扶手开裂，要求更换。")
    page.select_option("#id_category", "product_quality")
    page.select_option("#id_severity", "urgent")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(status).to_have_text("已分类")
    number = Complaint.objects.get().number
    expect(page.locator(".messages")).to_contain_text(number)
    complaint_url = f"{live_server.url}/complaints/{number}/"

    _act(
        page,
        "propose_transfer",
        fields={"reason": "扶手质量问题，转生产部处理"},
        selects={"to_department": "production", "to_position": str(org.production_manager.pk)},
    )
    expect(status).to_have_text("待审批转交")
    _log_out(page)

    # the general manager approves the transfer
    _log_in(page, live_server, "gm")
    expect(page.locator("#awaiting-approval")).to_contain_text(number)
    page.goto(complaint_url)
    _act(page, "approve_transfer", fields={"comment": "同意转交"})
    expect(status).to_have_text("待接收")
    _log_out(page)

    # the production head signs the transfer slip and names the handler
    _log_in(page, live_server, "prodhead")
    page.goto(complaint_url)
    _act(page, "accept_transfer", selects={"handler": "prodhandler"})
    expect(status).to_have_text("已签收")
    _log_out(page)

    # the handler investigates and proposes a resolution
    _log_in(page, live_server, "prodhandler")
    page.goto(complaint_url)
    _act(page, "start_investigation")
    expect(status).to_have_text("调查处理中")
    _act(page, "propose_resolution", fields={"resolution": "上门更换扶手"})
    expect(status).to_have_text("已提出处理意见")
    _log_out(page)

    # the desk replies, follows up and closes
    _log_in(page, live_server, "clerk")
    page.goto(complaint_url)
    _act(
        page,
        "reply_to_customer",
        fields={"reply": "已安排上门更换扶手"},
        selects={"channel": "phone", "satisfaction": "satisfied"},
    )
    expect(status).to_have_text("已答复客户")
    # a quality complaint is visited after the repaired goods are delivered (seed 000 4.4 1)
    _act(page, "record_delivery")
    _act(
        page,
        "record_follow_up",
        fields={"comment": "客户确认已修好"},
        selects={"satisfaction": "very_satisfied"},
    )
    expect(status).to_have_text("已回访")
    _act(page, "close")
    expect(status).to_have_text("已结案")

    # the timeline tells the whole story, in order, with who did what
    labels = page.locator("#timeline .event-label").all_inner_texts()
    assert labels == [
        "已登记",
        "提出转交",
        "批准转交",
        "签收（签署转交单）",
        "开始调查",
        "提出处理意见",
        "答复客户",
        "记录维修品交付",
        "记录回访",
        "结案",
    ]
    timeline = page.locator("#timeline").inner_text()
    for text in ("王专员", "赵总", "孙经理", "周师傅", "扶手质量问题，转生产部处理", "上门更换扶手"):
        assert text in timeline
    expect(page.locator(".slips")).to_contain_text("孙经理")
    assert Complaint.objects.get().status == Status.CLOSED

    # the list filters through htmx, and the language switch submits itself (kesu.js, not inline)
    page.get_by_role("link", name="投诉列表").first.click()
    with page.expect_response(lambda r: "/complaints/" in r.url and r.request.headers.get("hx-request")):
        page.fill("#id_q", number)
    expect(page.locator("main")).to_contain_text(number)
    page.select_option("#lang-select", "en")
    expect(page.locator(".mainnav")).to_contain_text("Workbench")
    assert csp_violations == []
