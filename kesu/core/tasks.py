"""The worker's maintenance task (huey, run by `kesu worker`): SQLite's planner statistics, nightly."""

from __future__ import annotations

from django.db import connection
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kesu.core.sqlite import optimize


@db_periodic_task(crontab(hour="3", minute="17"), expires=3600, name="core.sqlite_optimize")
def optimize_sqlite_statistics() -> None:
    """At night, when nobody waits: re-analyze the tables that changed (a no-op on PostgreSQL,
    whose autovacuum keeps its own statistics)."""
    optimize(connection)
