"""The statistics dashboard and the Excel exports in a real browser (Debian's chromium), on a
390 px phone and a desktop screen, in the Chinese UI: the charts are drawn, a figure drills down to
its complaints, an export downloads and opens (read back with openpyxl)."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from kesu.complaints.models import Complaint
from tests.browser.test_walkthrough import CHROMIUM, CHROMIUM_ARGS, _log_in, _require_chromium
from tests.conftest import local

VIEW = "by=month&since=2026-10-01&until=2026-11-30"
WIDTHS = [390, 1280]


def _main_width(page) -> int:
    """How wide the page is: nothing wider than the screen (wide tables scroll in their own box)."""
    return page.evaluate("document.scrollingElement.scrollWidth")


@pytest.fixture
def browser_context(live_server, monkeypatch):
    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)

        def open_page(width: int):
            context = browser.new_context(
                locale="zh-CN", viewport={"width": width, "height": 844}, accept_downloads=True
            )
            context.set_default_timeout(15_000)
            return context.new_page()

        yield open_page
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_dashboard_draws_its_charts_and_a_figure_drills_down(
    browser_context, live_server, history, org, width
):
    from playwright.sync_api import expect

    page = browser_context(width)
    _log_in(page, live_server, "director")
    page.goto(f"{live_server.url}/statistics/?{VIEW}")
    expect(page.locator("h1")).to_contain_text("统计")
    # every chart with data is drawn by ECharts (an SVG inside its box)
    page.wait_for_function("Number(document.body.dataset.chartsDrawn || 0) >= 4")
    for chart in ("volume", "change", "upheld", "handling", "on_time", "bearers"):
        expect(page.locator(f'[data-chart="{chart}"] svg').first).to_be_visible()
    expect(page.locator('[data-chart="volume"]')).to_contain_text("受理")  # the legend, in Chinese
    assert _main_width(page) <= width
    # a figure drills down: November's received count opens exactly those complaints
    november = page.locator('#statistics tr[data-key="2026-11"] a[data-measure="received"]')
    count = int(november.inner_text())
    november.click()
    page.wait_for_url("**/statistics/complaints/**")
    expect(page.locator(".result-count")).to_contain_text(f"{count}")
    received = Complaint.objects.filter(
        received_at__gte=local(2026, 11, 1, 0), received_at__lt=local(2026, 12, 1, 0)
    )
    assert count == received.count() > 0
    for number in received.values_list("number", flat=True):
        expect(page.locator("table.complaints")).to_contain_text(number)
    assert _main_width(page) <= width


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_excel_exports_download_and_open(browser_context, live_server, history, org, width, tmp_path):
    page = browser_context(width)
    _log_in(page, live_server, "director")
    page.goto(f"{live_server.url}/complaints/?status=closed")
    with page.expect_download() as download:
        page.locator("#export-list").click()
    path = tmp_path / "list.xlsx"
    download.value.save_as(path)
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:2] == ("编号", "状态")
    assert {row[0] for row in rows[1:]} == set(
        Complaint.objects.filter(status="closed").values_list("number", flat=True)
    )

    page.goto(f"{live_server.url}/statistics/?{VIEW}")
    with page.expect_download() as download:
        page.locator("#export-statistics").click()
    path = tmp_path / "statistics.xlsx"
    download.value.save_as(path)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["统计", "损失分摊", "异常热点"]
    assert [row[0] for row in workbook["统计"].iter_rows(values_only=True)][1:] == [
        "2026-10",
        "2026-11",
        "合计",
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_a_large_export_runs_in_the_worker_and_downloads_from_its_page(
    browser_context, live_server, history, org, width, tmp_path, settings
):
    """Above the row threshold the list's export link offers a background export; the worker
    (inline in the tests) writes it; its page shows the progress done and the download link."""
    from playwright.sync_api import expect

    settings.KESU_EXPORT_IMMEDIATE_ROWS = 2
    settings.DATA_DIR = tmp_path
    page = browser_context(width)
    _log_in(page, live_server, "director")
    page.goto(f"{live_server.url}/complaints/?status=closed&status=accepted")
    page.locator("#export-list").click()
    expect(page.locator("#export-rows")).to_contain_text("后台")
    assert _main_width(page) <= width
    page.locator("#start-export").click()
    page.wait_for_url("**/exports/*/")
    expect(page.locator("#export-state")).to_have_text("已完成")
    expect(page.locator("#export-progress")).to_have_attribute("value", "100")
    assert _main_width(page) <= width
    with page.expect_download() as download:
        page.locator("#export-download").click()
    path = tmp_path / "large.xlsx"
    download.value.save_as(path)
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert {row[0] for row in rows[1:]} == set(
        Complaint.objects.filter(status__in=["closed", "accepted"]).values_list("number", flat=True)
    )
    page.goto(f"{live_server.url}/exports/")
    expect(page.locator("#exports tbody tr")).to_have_count(1)
    assert _main_width(page) <= width
