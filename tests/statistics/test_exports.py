"""Large Excel exports in the worker (kesu.statistics.exports): above the row threshold the export
link offers a background export; the worker (huey, inline in the tests) writes it with progress;
the requester alone downloads it, scoped by what they may see, until it expires."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from openpyxl import load_workbook

from kesu.complaints.models import Complaint
from kesu.complaints.selectors import complaints_visible_to
from kesu.statistics import excel, exports
from kesu.statistics.models import ExportJob, ExportState
from tests.statistics.conftest import NOW

VIEW = "by=month&since=2026-10-01&until=2026-11-30"


@pytest.fixture(autouse=True)
def _small_threshold(settings, tmp_path):
    settings.KESU_EXPORT_IMMEDIATE_ROWS = 2
    settings.DATA_DIR = tmp_path


def _read(response) -> list[tuple]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return [tuple(r) for r in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True)]


def _start(client, staff, query: str, django_capture_on_commit_callbacks, kind: str = "complaints"):
    client.force_login(staff.user)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/exports/", {"kind": kind, "query": query})


def test_a_small_export_downloads_at_once(client, history, org, settings):
    settings.KESU_EXPORT_IMMEDIATE_ROWS = 100
    client.force_login(org.director.user)
    response = client.get("/exports/complaints.xlsx?status=closed")
    assert response["Content-Type"] == excel.XLSX
    assert ExportJob.objects.count() == 0


def test_a_large_export_is_offered_then_built_by_the_worker_for_its_requester(
    client, history, org, django_capture_on_commit_callbacks
):
    client.force_login(org.director.user)
    offer = client.get("/exports/complaints.xlsx?status=closed&status=accepted")
    wanted = Complaint.objects.filter(status__in=["closed", "accepted"])
    assert offer.status_code == 200 and offer["Content-Type"].startswith("text/html")
    assert f"{wanted.count()}" in offer.content.decode()
    assert ExportJob.objects.count() == 0  # a GET queues nothing

    started = _start(
        client, org.director, "status=closed&status=accepted", django_capture_on_commit_callbacks
    )
    job = ExportJob.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/exports/{job.pk}/"
    assert job.state == ExportState.DONE and job.rows_done == job.rows_total == wanted.count() > 2
    assert job.expires_at is not None and job.size > 0

    page = client.get(f"/exports/{job.pk}/")
    assert 'id="export-download"' in page.content.decode()
    rows = _read(client.get(f"/exports/{job.pk}/download/"))
    assert rows[0][:2] == ("编号", "状态")
    assert {r[0] for r in rows[1:]} == set(wanted.values_list("number", flat=True))
    assert f"/exports/{job.pk}/" in client.get("/exports/").content.decode()


def test_nobody_else_sees_or_downloads_an_export(client, history, org, django_capture_on_commit_callbacks):
    _start(client, org.director, "status=closed", django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    client.force_login(org.clerk.user)  # the director's own deputy, who sees every complaint too
    assert client.get(f"/exports/{job.pk}/").status_code == 404
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404
    assert f"/exports/{job.pk}/" not in client.get("/exports/").content.decode()


def test_the_worker_lists_only_what_the_requester_may_see(
    client, history, org, django_capture_on_commit_callbacks
):
    _start(client, org.production_head, "", django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    rows = _read(client.get(f"/exports/{job.pk}/download/"))
    visible = complaints_visible_to(staff=org.production_head)
    assert {r[0] for r in rows[1:]} == set(visible.values_list("number", flat=True))
    assert 2 < len(rows) - 1 < Complaint.objects.count()


def test_a_drill_down_export_lists_the_complaints_behind_the_figure(
    client, history, org, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        client.force_login(org.director.user)
        offer = client.get(f"/statistics/complaints.xlsx?{VIEW}&measure=received")
        assert 'id="start-export"' in offer.content.decode()
        _start(client, org.director, f"{VIEW}&measure=received", django_capture_on_commit_callbacks, "drill")
        job = ExportJob.objects.get()
        rows = _read(client.get(f"/exports/{job.pk}/download/"))
    assert len(rows) - 1 == len(history) == job.rows_total


def test_progress_is_counted_as_the_rows_are_written(history, org, monkeypatch, tmp_path):
    monkeypatch.setattr(excel, "CHUNK", 3)
    seen: list[int] = []
    path = tmp_path / "x.xlsx"
    rows = excel.complaints_file(Complaint.objects.all(), path, progress=seen.append)
    assert rows == Complaint.objects.count() and seen == list(range(3, rows + 1, 3))
    assert load_workbook(path).worksheets[0].max_row == rows + 1


def test_bad_filters_queue_nothing_and_name_the_field(client, org, django_capture_on_commit_callbacks):
    response = _start(
        client,
        org.director,
        "since=2026-11-30&until=2026-10-01&measure=received",
        django_capture_on_commit_callbacks,
        "drill",
    )
    assert response.status_code == 400
    assert (
        "开始日期" in response.content.decode()
        or "until" in response.content.decode()
        or "结束" in response.content.decode()
    )
    assert ExportJob.objects.count() == 0
    client.force_login(org.director.user)
    assert client.post("/exports/", {"kind": "everything", "query": ""}).status_code == 400
    assert client.post("/exports/", {"kind": "complaints", "query": "x" * 2001}).status_code == 400
    assert ExportJob.objects.count() == 0


def test_an_export_expires_and_the_worker_deletes_it(
    client, history, org, django_capture_on_commit_callbacks, settings
):
    _start(client, org.director, "status=closed", django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    path = exports.exports_dir() / job.stored_as
    assert path.is_file()
    later = job.expires_at + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert client.get(f"/exports/{job.pk}/download/").status_code == 404
        assert "过期" in client.get(f"/exports/{job.pk}/").content.decode()
        assert exports.purge_expired() == 1
    assert not path.exists() and not ExportJob.objects.exists()
    assert exports.purge_expired(now=later) == 0  # idempotent


def test_a_job_is_built_once(history, org):
    job = exports.start_export(staff=org.director, kind="complaints", query="")  # on_commit not run
    assert exports.build_export(job_id=job.pk) is not None
    assert exports.build_export(job_id=job.pk) is None  # done: not built again
    assert ExportJob.objects.get().state == ExportState.DONE


# ---------------------------------------------------------------------------------------------
# The API


def test_the_api_queues_an_export_and_reports_its_progress(
    history, org, client_for, django_capture_on_commit_callbacks
):
    api = client_for(org.director)
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post("/api/v1/exports", {"kind": "complaints", "query": "status=closed"})
    assert started.status_code == 202 and started.json()["state"] == "queued"
    job = api.get(f"/api/v1/exports/{started.json()['id']}").json()
    assert job["state"] == "done" and job["percent"] == 100
    assert job["rows_total"] == Complaint.objects.filter(status="closed").count()
    assert job["download_url"] == f"/exports/{job['id']}/" + "download/"
    assert [j["id"] for j in api.get("/api/v1/exports").json()] == [job["id"]]
    other = client_for(org.clerk)
    assert other.get(f"/api/v1/exports/{job['id']}").status_code == 404
    assert other.get("/api/v1/exports").json() == []


def test_the_api_refuses_bad_exports_with_422(org, client_for):
    api = client_for(org.director)
    assert api.post("/api/v1/exports", {"kind": "everything"}).status_code == 422
    bad = api.post("/api/v1/exports", {"kind": "drill", "query": "by=weather&measure=received"})
    assert bad.status_code == 422 and "by" in bad.json()["errors"]
    assert not ExportJob.objects.exists()
