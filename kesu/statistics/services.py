"""Building the scheduled reports (定期报表): once per schedule and period, replaced when built again.

``run_schedules(now)`` is what the worker calls (``kesu.statistics.tasks``, every 15 minutes): for
each active schedule, the latest time it fell due up to ``now`` names a period (the month or the
week before); a report not yet built for that period is built, stored and e-mailed. It is
idempotent — a second run, a second worker or a late run after a stopped worker builds nothing
twice (the stored report is unique per schedule and period, and the row is locked while built).
``build_report`` builds one period on demand and replaces what was stored for it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kesu.complaints import registry
from kesu.complaints.models import TERMINAL_STATUSES, Complaint
from kesu.organization.models import Staff
from kesu.statistics import excel
from kesu.statistics.models import Cadence, Listing, ReportSchedule, StoredReport
from kesu.statistics.selectors import DIMENSIONS, View, statistics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive


def due_occurrence(schedule: ReportSchedule, now: datetime) -> datetime:
    """The latest time (company time zone) at or before ``now`` when the schedule fell due."""
    local = timezone.localtime(now)
    if schedule.cadence == Cadence.MONTHLY:
        candidate = local.replace(
            day=schedule.day, hour=schedule.at.hour, minute=schedule.at.minute, second=0, microsecond=0
        )
        if candidate > local:
            month = local.year * 12 + local.month - 2
            candidate = candidate.replace(year=month // 12, month=month % 12 + 1)
        return candidate
    days_back = (local.isoweekday() - schedule.day) % 7
    candidate = (local - timedelta(days=days_back)).replace(
        hour=schedule.at.hour, minute=schedule.at.minute, second=0, microsecond=0
    )
    if candidate > local:
        candidate -= timedelta(days=7)
    return candidate


def period_for(schedule: ReportSchedule, occurrence: datetime) -> Period:
    """The period a report due at ``occurrence`` covers: the month or the Monday–Sunday before."""
    day = timezone.localtime(occurrence).date()
    if schedule.cadence == Cadence.MONTHLY:
        end = day.replace(day=1) - timedelta(days=1)
        return Period(start=end.replace(day=1), end=end)
    monday = day - timedelta(days=day.isoweekday() - 1)
    return Period(start=monday - timedelta(days=7), end=monday - timedelta(days=1))


def _listed(schedule: ReportSchedule, view: View) -> tuple[str, object]:
    # A report is e-mailed: no classified customer's complaint is listed in it (registry
    # restrictions for an unattended reader); the figures count every complaint.
    complaints = registry.restricted(Complaint.objects.all(), staff=None)
    if schedule.listing == Listing.RECEIVED:
        found = complaints.filter(received_at__gte=view.start, received_at__lt=view.end)
        return _("Received in the period"), found
    if schedule.listing == Listing.OPEN:
        found = complaints.filter(received_at__lt=view.end).exclude(status__in=TERMINAL_STATUSES)
        return _("Still open"), found
    found = complaints.filter(closed_at__gte=view.start, closed_at__lt=view.end).exclude(closed_at=None)
    return _("Closed in the period"), found


def _recipients(schedule: ReportSchedule) -> list[str]:
    people = Staff.objects.filter(role_assignments__role__in=schedule.roles, user__is_active=True)
    return sorted({email for email in people.values_list("user__email", flat=True) if email})


def build_report(*, schedule: ReportSchedule, period: Period, now: datetime | None = None) -> StoredReport:
    """Build the report for ``period`` (every complaint: reports go to leadership, who see all),
    store it — replacing the one stored for the same period — and e-mail it after the commit."""
    now = now or timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        view = View(by=schedule.by, since=period.start, until=period.end)
        stats = statistics(view=view, complaints=Complaint.objects.all(), now=now)
        workbook = excel.new_workbook()
        excel.add_statistics_sheets(workbook, stats, str(DIMENSIONS[schedule.by]))
        title, listed = _listed(schedule, view)
        rows = excel.add_complaints_sheet(workbook, listed, title)
        file = excel.save(workbook)
        content = file.read()
        file.close()
    filename = f"{schedule.code}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
    recipients = _recipients(schedule)
    fields = {
        "period_end": period.end,
        "built_at": now,
        "filename": filename,
        "content": content,
        "size": len(content),
        "complaints": rows,
        "sent_to": ", ".join(recipients),
    }
    with transaction.atomic():
        ReportSchedule.objects.select_for_update().get(pk=schedule.pk)  # one builder per schedule at a time
        report = StoredReport.objects.filter(schedule=schedule, period_start=period.start).first()
        if report is None:
            report = StoredReport.objects.create(schedule=schedule, period_start=period.start, **fields)
        else:
            for name, value in fields.items():
                setattr(report, name, value)
            report.builds += 1
            report.save()
        if recipients:
            transaction.on_commit(lambda: _send(report, recipients))
    return report


def _send(report: StoredReport, recipients: list[str]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("%(report)s, %(start)s to %(end)s") % {
            "report": report.schedule.name,
            "start": report.period_start.isoformat(),
            "end": report.period_end.isoformat(),
        }
        body = _("The report is attached; it is also on the reports page of Kesu.")
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    message.attach(report.filename, bytes(report.content), excel.XLSX)
    try:
        message.send()
    except OSError:  # the mail server is down: the report is stored and listed all the same
        log.exception("could not e-mail report %s", report.pk)


def run_schedules(*, now: datetime | None = None) -> list[StoredReport]:
    """Build each active schedule's report for its latest due period, unless already built."""
    now = now or timezone.now()
    built = []
    for schedule in ReportSchedule.objects.filter(is_active=True):
        period = period_for(schedule, due_occurrence(schedule, now))
        if StoredReport.objects.filter(schedule=schedule, period_start=period.start).exists():
            continue
        try:
            built.append(build_report(schedule=schedule, period=period, now=now))
        except IntegrityError:  # another worker stored it meanwhile
            continue
    return built
