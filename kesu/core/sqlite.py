"""SQLite's query-planner statistics (``sqlite_stat1``), kept current the way SQLite recommends.

- Every connection runs ``PRAGMA optimize`` when it closes (https://sqlite.org/lang_analyze.html:
  "applications with short-lived database connections should run PRAGMA optimize when the
  connection closes"; Kesu opens one per request). It re-analyzes only the tables whose statistics
  are missing or stale, bounded by ``analysis_limit``, and gives up at once if another connection
  holds the write lock (the next close tries again).
- ``analyze()`` after ``migrate``, a demo load and a benchmark's bulk load.

The hot queries must not *need* the statistics for a good plan (``tests/test_query_plans.py``
checks their plans with and without them): statistics only ever help.
"""

from __future__ import annotations

import sqlite3

# Rows read per index by ANALYZE (SQLite's suggested value): a few milliseconds whatever the size.
ANALYSIS_LIMIT = 400


class OptimizingConnection(sqlite3.Connection):
    """The sqlite3 connection Django opens (``OPTIONS["factory"]``), running ``PRAGMA optimize``
    before it closes."""

    def close(self) -> None:
        try:
            # Never wait for the write lock here: the request is done and others are waiting.
            self.execute("PRAGMA busy_timeout = 0")
            self.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
            self.execute("PRAGMA optimize")
        except sqlite3.Error:
            pass  # busy, read-only or already closed: statistics are refreshed by a later close
        super().close()


def analyze(connection) -> None:
    """Refresh every table's statistics (SQLite only; a no-op elsewhere)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
