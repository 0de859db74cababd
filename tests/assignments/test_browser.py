"""The department-task page in a real browser on a 390 px wide phone screen, in the Chinese UI:
the R&D head completes the R&D task (seed 002 第(九)4: 研发部提示意见). Drives Debian's chromium."""

from __future__ import annotations

import pytest

from kesu.assignments import services
from kesu.assignments.models import Task
from tests.assignments.conftest import four_tasks
from tests.browser.test_walkthrough import CHROMIUM, CHROMIUM_ARGS, _log_in, _require_chromium


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
def test_the_rnd_head_completes_the_rnd_task_on_a_phone(phone, live_server, org, pcb, accepted):
    from playwright.sync_api import expect

    services.open_tasks(complaint=accepted, by=org.clerk, tasks=four_tasks(org, pcb))
    task = Task.objects.get(kind="研发意见")
    _log_in(phone, live_server, "rndhead")

    phone.goto(f"{live_server.url}/complaints/{accepted.number}/tasks/")
    expect(phone.locator("h1")).to_contain_text("部门会办")
    # nothing wider than the screen: no sideways scrolling
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    panel = phone.locator(f"#task-{task.pk}")
    panel.locator("summary").click()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    panel.locator("textarea[name='result']").fill("调整药水配方")
    panel.locator("form.complete button[type=submit]").click()
    phone.wait_for_load_state()

    expect(phone.locator(".messages")).to_contain_text("已完成")
    task.refresh_from_db()
    assert task.status == "done" and task.done_by == pcb.rnd_head


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_rnd_head_finds_the_task_on_the_workbench_and_the_complaint_page_on_a_phone(
    phone, live_server, org, pcb, accepted
):
    """Through the task his department sees the complaint page (issue 8 §2); the panels fit 390 px."""
    from playwright.sync_api import expect

    services.open_tasks(complaint=accepted, by=org.clerk, tasks=four_tasks(org, pcb))
    services.distribute_result(complaint=accepted, by=org.clerk, departments=[pcb.accounting], note="")
    _log_in(phone, live_server, "rndhead")

    phone.goto(f"{live_server.url}/")
    expect(phone.locator("#my-department-tasks")).to_contain_text("研发部：研发意见")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.locator(f"#my-department-tasks a.number:has-text('{accepted.number}')").click()
    phone.wait_for_url(f"**/complaints/{accepted.number}/tasks/**")

    phone.goto(f"{live_server.url}/complaints/{accepted.number}/")
    panel = phone.locator("#department-tasks")
    expect(panel).to_contain_text("质量部：原因分析")
    expect(panel).to_contain_text("会计科")
    expect(phone.locator(".event-label").first).to_be_visible()
    expect(phone.locator("main")).to_contain_text("发起部门会办")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    panel.locator("a", has_text="打开会办页面").click()
    phone.wait_for_url(f"**/complaints/{accepted.number}/tasks/")
    expect(phone.locator("h1")).to_contain_text("部门会办")
