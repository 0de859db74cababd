"""The worker's scheduled reports (huey, run by `kesu worker`): every 15 minutes, the rule book's
reports whose time has come are built once per period (``kesu.statistics.services.run_schedules``,
idempotent: a repeated or concurrent run builds nothing twice)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kesu.statistics.services import run_schedules

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/15"), expires=600, name="statistics.reports")
def build_scheduled_reports() -> int:
    """Every 15 minutes: the scheduled reports that have fallen due and are not built yet."""
    built = run_schedules()
    for report in built:
        log.info("report built: %s", report)
    return len(built)
