"""SQLite's plans for the hot queries do not depend on its statistics (``sqlite_stat1``).

Each key query is explained three times: with no statistics, with statistics of this small test
database (``ANALYZE``: "a table of 20 rows", which invites full scans), and with statistics shaped
like a million complaints (taken from the benchmark's database, ``bench/listing.py``). The intended
index must be used every time; a plan that flips with the statistics fails here.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.models import Count, Q

from kesu.complaints.models import Complaint
from kesu.complaints.selectors import complaints_visible_to

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query planner")

# sqlite_stat1 of complaints_complaint at 1 000 000 complaints (bench/listing.py, ANALYZE).
MILLION = [
    ("complaints_complaint", "complaint_closed_idx", "1000000 83334 2"),
    ("complaints_complaint", "complaint_complainant_idx", "1000000 1052"),
    ("complaints_complaint", "complaint_department_idx", "1000000 250000 27778"),
    ("complaints_complaint", "complaint_category_idx", "1000000 200000 1"),
    ("complaints_complaint", "complaint_status_idx", "1000000 83334 1"),
    ("complaints_complaint", "complaint_registered_idx", "1000000 1 1"),
    ("complaints_complaint", "sqlite_autoindex_complaints_complaint_1", "1000000 1"),
    ("complaints_complaint", None, "1000000"),
    ("deadlines_complaintclock", "clock_complaint_kind_idx", "1000000 1 1"),
    ("deadlines_complaintclock", "clock_state_due_idx", "1000000 500000 2"),
    ("deadlines_complaintclock", None, "1000000"),
]


def _set_statistics(kind: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # creates sqlite_stat1 (small-table figures)
        if kind == "none":
            cursor.execute("DELETE FROM sqlite_stat1")
        elif kind == "million":
            cursor.execute(
                "DELETE FROM sqlite_stat1 WHERE tbl IN ('complaints_complaint', 'deadlines_complaintclock')"
            )
            for table, index, stat in MILLION:
                cursor.execute(
                    "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (%s, %s, %s)", [table, index, stat]
                )
            # FK indexes are named by Django with a hash: the same shape as the other one-column ones.
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'complaints_complaint'"
                " AND name LIKE 'complaints_complaint_%%_id_%%'"
            )
            for (index,) in cursor.fetchall():
                cursor.execute(
                    "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('complaints_complaint', %s, %s)",
                    [index, "1000000 100000" if "parent" not in index else "1000000 1000000"],
                )
        cursor.execute("ANALYZE sqlite_schema")  # reload the statistics into the planner


@pytest.fixture(params=["none", "small", "million"])
def statistics(request, register, org):
    for text in ("沙发扶手开裂，要求更换。", "抽屉滑轨卡顿", "床板异响"):
        register(description=text)
    _set_statistics(request.param)
    return request.param


def _plan(queryset) -> str:  # type: ignore[no-untyped-def]
    return queryset.explain()


def _page(queryset):  # type: ignore[no-untyped-def]
    return queryset[:51]


def _count(queryset):  # type: ignore[no-untyped-def]
    return queryset.order_by().values("pk")[:10001]


def test_the_list_walks_the_newest_first_index(statistics, org):
    visible = complaints_visible_to(staff=org.clerk)

    plan = _plan(_page(visible))

    assert "SCAN complaints_complaint USING INDEX complaint_registered_idx" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


@pytest.mark.parametrize("q", ["开裂", "抽屉滑轨"])
def test_a_rare_word_fetches_its_candidates_by_id(statistics, org, q):
    searched = complaints_visible_to(staff=org.clerk).search(q)

    for plan in (_plan(_page(searched)), _plan(_count(searched))):
        assert "complaints_complaint USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
        assert "SCAN complaints_complaint\n" not in plan + "\n", plan  # no full table scan


@pytest.mark.parametrize(
    ("q", "table"), [("开裂", "complaint_search_bigrams"), ("抽屉滑轨", "complaint_search_trigrams")]
)
def test_a_common_word_pages_newest_first_and_counts_from_the_index(statistics, org, monkeypatch, q, table):
    from kesu.complaints import models

    monkeypatch.setattr(models, "_FEW_CANDIDATES", 0)  # as if the word were in thousands of rows
    searched = complaints_visible_to(staff=org.clerk).search(q)

    page, count = _plan(_page(searched)), _plan(_count(searched))

    assert "SCAN complaints_complaint USING INDEX complaint_registered_idx" in page, page
    assert "TEMP B-TREE FOR ORDER BY" not in page, page
    assert f"SCAN {table} VIRTUAL TABLE INDEX" in count, count
    assert "complaints_complaint USING INTEGER PRIMARY KEY (rowid=?)" in count, count


def test_secondary_complaints_come_from_the_parent_index(statistics, register):
    first = Complaint.objects.first()

    plan = _plan(first.secondary_complaints.order_by("-pk").only("number", "status", "registered_at"))

    assert "USING INDEX complaints_complaint_parent_id" in plan, plan
    assert "complaint_registered_idx" not in plan, plan


def test_the_figures_read_the_period_from_indexes(statistics, org):
    from kesu.deadlines.figures import _start
    from kesu.deadlines.models import ComplaintClock

    start, end = _start(date(2026, 6, 1)), _start(date(2026, 12, 1))
    visible = complaints_visible_to(staff=org.clerk)
    clocks = ComplaintClock.objects.filter(
        complaint__in=visible.values("pk"), due_at__gte=start, due_at__lt=end
    ).filter(Q(state="met") | Q(state="running", due_at__lt=end))
    closed = visible.filter(status="closed", closed_at__gte=start, closed_at__lt=end)

    clock_plan = _plan(clocks.values("complaint__category__name").annotate(n=Count("pk")))
    closed_plan = _plan(closed.values("category__name").annotate(n=Count("pk")))

    assert (
        "SEARCH deadlines_complaintclock USING INDEX clock_state_due_idx (state=? AND due_at>? AND due_at<?)"
        in clock_plan
    ), clock_plan
    assert (
        "SEARCH complaints_complaint USING INDEX complaint_closed_idx (status=? AND closed_at>? AND closed_at<?)"
        in closed_plan
    ), closed_plan
