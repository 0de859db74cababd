"""The worker's assessment task (huey, run by `kesu worker`): every morning, on the rule book's
draft day (AssessmentSettings.draft_day: telecom the 7th, PCB the 10th), the previous month's
sheet is drafted — unless it is already locked. Idempotent: a re-run drafts the same sheet."""

from __future__ import annotations

import logging
from datetime import date

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kesu.accountability import services
from kesu.accountability.models import AssessmentMonth, AssessmentSettings, MonthStatus
from kesu.accountability.sheet import previous_month

log = logging.getLogger(__name__)


def draft_if_due(today: date) -> date | None:
    """Draft the month before ``today`` if today is the draft day and it is still open; the month
    drafted, or None."""
    if today.day != AssessmentSettings.current().draft_day:
        return None
    month = previous_month(today.replace(day=1))
    if AssessmentMonth.objects.filter(month=month).exclude(status=MonthStatus.DRAFT).exists():
        return None
    services.draft_month(month=month, by=None)
    return month


@db_periodic_task(crontab(hour="6", minute="5"), expires=3600, name="accountability.draft")
def draft_previous_month() -> str:
    from django.utils import timezone

    month = draft_if_due(timezone.localdate())
    if month is not None:
        log.info("assessment drafted for %s", month.strftime("%Y-%m"))
    return month.strftime("%Y-%m") if month else ""
