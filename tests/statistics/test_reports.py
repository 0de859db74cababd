"""Scheduled reports (定期报表, issue 12 §4): the worker's schedule run over a simulated month builds
each report once for its period, stores and e-mails it; building a period again replaces it; the
reports page lists them for those who may read them.

Schedules from the presets: PCB's 客户投诉案件统计表 by the 10th (seed 002 (九)10), telecom's
网络投诉分析报告 by the 7th (seed 000 第二篇 四.4) and the fault tracking table every Monday 09:30
(seed 000 第二篇 四.3)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from openpyxl import load_workbook

from kesu.rulebook.services import read_preset
from kesu.statistics.models import ReportSchedule, StoredReport
from kesu.statistics.presets import load_report_schedules
from kesu.statistics.services import Period, build_report, run_schedules
from tests.conftest import local


@pytest.fixture
def schedules(org):
    for staff, address in (
        (org.clerk, "clerk@example.com"),
        (org.gm, "gm@example.com"),
        (org.director, "director@example.com"),
    ):
        staff.user.email = address
        staff.user.save()
    merged = [
        *read_preset("pcb")["report_schedules"]["schedules"],
        *read_preset("telecom")["report_schedules"]["schedules"],
    ]
    load_report_schedules({"report_schedules": {"schedules": merged}})
    return {s.code: s for s in ReportSchedule.objects.all()}


def test_a_simulated_month_builds_each_report_once(schedules, history, django_capture_on_commit_callbacks):
    # given a worker that first ran on 31 October at 23:00 (it built the reports then due)
    with time_machine.travel(local(2026, 10, 31, 23), tick=False):
        run_schedules()
    before = set(StoredReport.objects.values_list("pk", flat=True))
    mail.outbox.clear()
    # when it runs every 15 minutes through November
    moment = local(2026, 11, 1, 0)
    with django_capture_on_commit_callbacks(execute=True):  # the e-mails, sent after each commit
        while moment < local(2026, 12, 1, 0):
            with time_machine.travel(moment, tick=False):
                run_schedules()
            moment += timedelta(minutes=15)
    # then November brought exactly these reports, each once
    built = StoredReport.objects.exclude(pk__in=before).select_related("schedule")
    found = sorted((r.schedule.code, r.period_start, r.period_end, r.builds) for r in built)
    assert found == sorted(
        [
            ("pcb-monthly-statistics", date(2026, 10, 1), date(2026, 10, 31), 1),
            ("telecom-network-report", date(2026, 10, 1), date(2026, 10, 31), 1),
            *(
                ("telecom-fault-tracking", monday - timedelta(days=7), monday - timedelta(days=1), 1)
                for monday in (
                    date(2026, 11, 2),
                    date(2026, 11, 9),
                    date(2026, 11, 16),
                    date(2026, 11, 23),
                    date(2026, 11, 30),
                )
            ),
        ]
    )
    # built at the time the rule book names (the first run at or after it)
    pcb = built.get(schedule__code="pcb-monthly-statistics")
    assert pcb.built_at == local(2026, 11, 10, 8, 30)
    fault = built.filter(schedule__code="telecom-fault-tracking").order_by("period_start").first()
    assert fault.built_at == local(2026, 11, 2, 9, 30)
    # each one e-mailed once, with its workbook, to the roles the schedule names
    assert len(mail.outbox) == 7
    pcb_mail = next(m for m in mail.outbox if "客户投诉案件统计表" in m.subject)
    assert set(pcb_mail.to) == {"clerk@example.com", "gm@example.com"}
    (name, content, _type) = pcb_mail.attachments[0]
    assert name == pcb.filename
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["统计", "损失分摊", "异常热点", "本期结案"]
    closed = [row for row in workbook["本期结案"].iter_rows(values_only=True)][1:]
    assert [row[0] for row in closed] == [history[0].number]  # the one case closed in October


def test_building_a_period_again_replaces_it(schedules, history):
    schedule = schedules["pcb-monthly-statistics"]
    october = Period(start=date(2026, 10, 1), end=date(2026, 10, 31))
    with time_machine.travel(local(2026, 11, 10, 9), tick=False):
        first = build_report(schedule=schedule, period=october)
    with time_machine.travel(local(2026, 11, 11, 9), tick=False):
        again = build_report(schedule=schedule, period=october)
        run_schedules()  # the period is stored: nothing more
    assert StoredReport.objects.filter(schedule=schedule, period_start=october.start).count() == 1
    assert again.pk == first.pk and again.builds == 2 and again.built_at == local(2026, 11, 11, 9)


def test_a_bad_schedule_in_a_preset_is_refused(db):
    from django.core.exceptions import ValidationError

    bad = {"code": "x", "name": "x", "cadence": "monthly", "day": 31, "by": "month", "roles": ["boss"]}
    with pytest.raises(ValidationError) as error:
        load_report_schedules({"report_schedules": {"schedules": [bad]}})
    assert "report_schedules #1 (x)" in str(error.value) or "第 1 项" in str(error.value)
    assert not ReportSchedule.objects.exists()


def test_the_reports_page_lists_and_downloads_them_for_leadership_only(client, schedules, history, org):
    with time_machine.travel(local(2026, 11, 10, 9), tick=False):
        run_schedules()
    report = StoredReport.objects.get(schedule__code="pcb-monthly-statistics")
    client.force_login(org.gm.user)
    page = client.get("/reports/")
    assert page.status_code == 200 and "客户投诉案件统计表" in page.content.decode()
    download = client.get(f"/reports/{report.pk}/download/")
    assert download.status_code == 200 and load_workbook(io.BytesIO(download.content)).sheetnames[0] == "统计"
    client.force_login(org.quality_head.user)
    assert client.get("/reports/").status_code == 403
    assert client.get(f"/reports/{report.pk}/download/").status_code == 404
    client.force_login(org.gm.user)
    assert client.get("/reports/99999999999/download/").status_code == 404


def test_switching_rule_books_switches_the_schedules(db):
    from kesu.rulebook.services import apply_preset

    apply_preset(name="telecom")
    assert set(ReportSchedule.objects.filter(is_active=True).values_list("code", flat=True)) == {
        "telecom-network-report",
        "telecom-fault-tracking",
    }
    apply_preset(name="pcb")  # telecom's schedules are kept for their stored reports, but inactive
    assert list(ReportSchedule.objects.filter(is_active=True).values_list("code", "day")) == [
        ("pcb-monthly-statistics", 10)
    ]
    apply_preset(name="furniture")  # seed 000 第一篇 names no report
    assert not ReportSchedule.objects.filter(is_active=True).exists()
