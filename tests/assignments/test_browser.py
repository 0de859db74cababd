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
