"""The worker's scheduled reports (huey, run by `kesu worker`): every 15 minutes, the rule book's
reports whose time has come are built once per period (``kesu.statistics.services.run_schedules``,
idempotent: a repeated or concurrent run builds nothing twice)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kesu.statistics.exports import build_export, purge_expired
from kesu.statistics.services import run_schedules

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/15"), expires=600, name="statistics.reports")
def build_scheduled_reports() -> int:
    """Every 15 minutes: the scheduled reports that have fallen due and are not built yet."""
    built = run_schedules()
    for report in built:
        log.info("report built: %s", report)
    return len(built)


# These return nothing: huey would keep a returned value in its result store, unread, forever.
@db_task(retries=0, name="statistics.export")
def build_export_task(job_id: int) -> None:
    """A large Excel export the requester is waiting for (kesu.statistics.exports)."""
    job = build_export(job_id=job_id)
    if job is not None:
        log.info("export %s: %s rows, %s", job.pk, job.rows_done, job.state)


@db_periodic_task(crontab(minute="7"), expires=600, name="statistics.purge_exports")
def purge_exports() -> None:
    """Hourly: delete the exports kept longer than KESU_EXPORT_KEEP_HOURS."""
    removed = purge_expired()
    if removed:
        log.info("exports expired and deleted: %s", removed)
