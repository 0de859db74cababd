"""The statistics pages: the dashboard with its figures linking to their complaints, the drill-down,
the Excel exports read back with openpyxl, bad input answered with 400 and a message."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
import time_machine
from openpyxl import load_workbook

from kesu.complaints.models import Complaint
from tests.conftest import local
from tests.statistics.conftest import NOW

VIEW = "by=month&since=2026-10-01&until=2026-11-30"


def _client(client, staff):
    client.force_login(staff.user)
    return client


def _read(response) -> list[tuple]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    workbook = load_workbook(io.BytesIO(content))
    return [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def test_the_dashboard_shows_the_figures_and_each_links_to_its_complaints(client, history, org):
    client = _client(client, org.director)
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/statistics/?{VIEW}")
        assert page.status_code == 200
        html = page.content.decode()
        assert 'id="chart-data"' in html and "vendor/echarts/echarts.min.js" in html
        assert "2026-11" in html and 'data-chart="volume"' in html
        drill = client.get(f"/statistics/complaints/?{VIEW}&measure=received&key=2026-11")
    assert drill.status_code == 200
    november = Complaint.objects.filter(
        received_at__gte=local(2026, 11, 1, 0), received_at__lt=local(2026, 12, 1, 0)
    )
    body = drill.content.decode()
    for number in november.values_list("number", flat=True):
        assert number in body
    assert history[0].number not in body  # received in October


@pytest.mark.parametrize(
    "query",
    [
        "by=weather",
        "since=2026-11-30&until=2026-10-01",
        "since=yesterday",
        "since=2026-01-01&until=2026-13-01",
    ],
)
def test_bad_input_is_a_400_with_a_message_never_a_500(client, org, query):
    client = _client(client, org.director)
    response = client.get(f"/statistics/?{query}")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert client.get(f"/statistics/export.xlsx?{query}").status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        f"{VIEW}&measure=weather",
        f"{VIEW}&measure=received&key=2026-99",
        f"{VIEW}&measure=received&key=abc",
        "by=customer&since=2026-10-01&until=2026-11-30&measure=received&key=abc",
        f"{VIEW}&measure=due:weather",
        f"{VIEW}&measure=bearer",
        "by=month&since=2026-11-30&until=2026-10-01&measure=received",
        VIEW,
    ],
)
def test_a_bad_drill_down_is_a_400(client, org, query):
    client = _client(client, org.director)
    assert client.get(f"/statistics/complaints/?{query}").status_code == 400
    assert client.get(f"/statistics/complaints.xlsx?{query}").status_code == 400


def test_the_statistics_export_has_chinese_headers_and_typed_cells(client, history, org):
    client = _client(client, org.director)
    with time_machine.travel(NOW, tick=False):
        response = client.get(f"/statistics/export.xlsx?{VIEW}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _read(response)
    header = rows[0]
    assert header[:3] == ("月份", "受理", "上期")
    october, november, total = rows[1:]
    assert october[0] == "2026-10" and november[0] == "2026-11"
    assert isinstance(november[1], int) and total[1] == october[1] + november[1] == 10


def test_the_list_export_applies_the_filters_and_reads_back(client, history, org):
    client = _client(client, org.director)
    response = client.get("/exports/complaints.xlsx?status=closed")
    rows = _read(response)
    assert rows[0][:3] == ("编号", "状态", "受理时间")
    numbers = {row[0] for row in rows[1:]}
    assert numbers == set(Complaint.objects.filter(status="closed").values_list("number", flat=True))
    assert len(numbers) == 3
    assert all(isinstance(row[2], datetime) for row in rows[1:])


def test_an_export_of_no_rows_is_a_sheet_with_the_headers_only(client, org):
    client = _client(client, org.director)
    rows = _read(client.get("/exports/complaints.xlsx?q=nothing-matches-this"))
    assert len(rows) == 1 and rows[0][0] == "编号"


def test_the_list_export_is_scoped_to_what_the_viewer_may_see(client, history, org):
    client = _client(client, org.quality_head)
    rows = _read(client.get("/exports/complaints.xlsx"))
    assert rows[1:] == []


def test_a_formula_in_a_description_is_exported_as_text(client, org, register):
    register(description='=HYPERLINK("http://evil","x")')
    client = _client(client, org.director)
    response = client.get("/exports/complaints.xlsx")
    content = b"".join(response.streaming_content)
    workbook = load_workbook(io.BytesIO(content))
    cell = workbook.worksheets[0]["S2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_pages_need_a_log_in(client):
    for url in ("/statistics/", "/statistics/export.xlsx", "/exports/complaints.xlsx", "/reports/"):
        assert client.get(url).status_code == 302


def test_the_api_gives_the_same_figures_and_refuses_a_bad_period(client, history, org):
    client = _client(client, org.director)
    with time_machine.travel(NOW, tick=False):
        answer = client.get("/api/v1/statistics?by=month&since=2026-10-01&until=2026-11-30")
    assert answer.status_code == 200
    body = answer.json()
    assert [row["key"] for row in body["rows"]] == ["2026-10", "2026-11"]
    assert body["totals"]["received"] == 10 and body["target_hours"] is None
    assert sum(b["complaints"] for b in body["bearers"]) == 5
    bad = client.get("/api/v1/statistics?since=2026-11-30&until=2026-10-01")
    assert bad.status_code == 422 and "until" in bad.content.decode()
    assert client.get("/api/v1/statistics?by=weather").status_code == 422
    client.logout()
    assert client.get("/api/v1/statistics").status_code == 401
