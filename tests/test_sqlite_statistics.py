"""SQLite's planner statistics are exact and written off the request path (kesu.core.sqlite).

A sampled ANALYZE (400 rows per index) told the planner there were 401 complaints per severity at a
million; it then walked the whole table by severity for the workbench, the list and a search. So
Kesu's ANALYZE reads every row, and nothing analyzes on a connection's close.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection
from django.utils import timezone

from kesu.complaints.models import Complaint, Severity
from kesu.core.sqlite import analyze

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's statistics")

ROWS = 1500  # several times the 400 rows a sampled ANALYZE reads


def _stat(index_prefix: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'complaints_complaint'")
        rows = dict(cursor.fetchall())
    [stat] = [value for name, value in rows.items() if name and name.startswith(index_prefix)]
    return [int(part) for part in stat.split()[:2]]


def test_analyze_counts_every_complaint(org):
    # given many more complaints than a sample reads, over the severities
    severities = list(Severity.objects.all())
    now = timezone.now()
    Complaint.objects.bulk_create(
        Complaint(
            number=f"S{i:06d}",
            channel="phone",
            received_at=now,
            registered_by=org.clerk,
            complainant_name="张三",
            description="沙发扶手开裂",
            severity=severities[i % len(severities)],
        )
        for i in range(ROWS)
    )

    # when
    analyze(connection)

    # then the severity index's statistics are the true counts, not a sample's estimate
    total, per_severity = _stat("complaints_complaint_severity_id")
    assert total == ROWS
    assert per_severity >= ROWS // len(severities)


def test_closing_a_connection_runs_no_analysis():
    from django.conf import settings

    # no connection factory that runs PRAGMA optimize on close (it wrote sampled statistics)
    assert "factory" not in settings.DATABASES["default"].get("OPTIONS", {})


def test_the_worker_refreshes_statistics_at_night(org):
    from huey.contrib.djhuey import HUEY

    from kesu.core import tasks

    def due(hour: int, minute: int) -> set[str]:
        return {task.name for task in HUEY.read_periodic(datetime(2026, 3, 10, hour, minute))}

    assert "core.sqlite_optimize" in due(3, 17)
    assert "core.sqlite_optimize" not in due(10, 17)  # never while people work
    tasks.optimize_sqlite_statistics()  # runs (immediately in the tests) without error
