"""SQLite's query-planner statistics (``sqlite_stat1``): exact, and refreshed off the request path.

- ``analyze()`` after ``migrate``, a demo load and a benchmark's bulk load, and ``optimize()`` every
  night from the worker (``kesu.core.tasks``), which re-analyzes the tables whose statistics are
  missing or stale.
- Both read every row (no ``analysis_limit``). A sampled ANALYZE (400 rows per index, the value
  SQLite suggests for ``PRAGMA optimize`` on close) estimated 401 complaints per severity at a
  million (333 334 in truth): the workbench, the list and a 2-character search were then planned
  as a walk of the whole complaint table by severity and took seconds (bench/RESULTS.md, merged
  main at 1 000 000). So no connection runs ``PRAGMA optimize`` when it closes.

The hot queries must not *need* the statistics for a good plan (``tests/complaints/test_query_plans.py``
checks their plans with none and with exact ones); statistics only ever help.
"""

from __future__ import annotations


def analyze(connection) -> None:
    """Refresh every table's statistics, reading every row (SQLite only; a no-op elsewhere)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit = 0")
        cursor.execute("ANALYZE")


def optimize(connection) -> None:
    """Re-analyze the tables whose statistics are missing or stale (SQLite only)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit = 0")
        cursor.execute("PRAGMA optimize")
