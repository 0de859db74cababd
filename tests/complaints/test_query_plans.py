"""SQLite's plans for the hot queries do not depend on its statistics (``sqlite_stat1``).

Each key query is explained three times: with no statistics, and with statistics shaped like the
benchmark's data (``bench/listing.py``) at a thousand and at a million complaints (``PRAGMA
optimize`` refreshes them as a table grows). The intended index must be used every time; a plan
that flips with the statistics fails here.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection

from kesu.complaints.models import Complaint
from kesu.complaints.selectors import complaints_visible_to

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query planner")

# sqlite_stat1 of the benchmark's database (bench/listing.py, ANALYZE) at 100 000 complaints, scaled
# to ``rows``: what SQLite knows about a large, real-shaped table.
BENCH_100K = [
    ("complaints_complaint", None, "100000"),
    ("complaints_complaint", "complaint_closed_idx", "100000 8334 2 1"),
    ("complaints_complaint", "complaint_complainant_idx", "100000 61"),
    ("complaints_complaint", "complaint_department_idx", "100000 25000 3334"),
    ("complaints_complaint", "complaint_category_idx", "100000 20000 1"),
    ("complaints_complaint", "complaint_status_idx", "100000 8334 1"),
    ("complaints_complaint", "complaint_registered_idx", "100000 1 1"),
    ("complaints_complaint", "sqlite_autoindex_complaints_complaint_1", "100000 1"),
    ("complaints_complaint", "complaints_complaint_parent_id_2f1fa632", "100000 100000"),
    ("complaints_complaint", "complaints_complaint_severity_id_5d6c7311", "100000 33334"),
    ("complaints_complaint", "complaints_complaint_registered_by_id_b2e9df24", "100000 100000"),
    ("complaints_complaint", "complaints_complaint_product_id_170d2c47", "100000 100000"),
    ("complaints_complaint", "complaints_complaint_handling_department_id_033d6174", "100000 25000"),
    ("complaints_complaint", "complaints_complaint_handler_id_be7a03e0", "100000 100000"),
    ("complaints_complaint", "complaints_complaint_customer_id_299bf0f5", "100000 50"),
    ("complaints_complaint", "complaints_complaint_category_id_9eb66f7d", "100000 20000"),
    ("deadlines_complaintclock", None, "100000"),
    ("deadlines_complaintclock", "clock_complaint_kind_idx", "100000 1 1"),
    ("deadlines_complaintclock", "clock_state_due_idx", "100000 50000 1"),
    ("deadlines_complaintclock", "clock_figures_idx", "100000 50000 1 1"),
    ("deadlines_complaintclock", "deadlines_complaintclock_rule_id_9f16d13e", "100000 100000"),
    ("deadlines_complaintclock", "deadlines_complaintclock_complaint_id_4b4d4b88", "100000 1"),
]


def _scaled(stat: str, rows: int) -> str:
    return " ".join(str(max(1, int(n) * rows // 100_000)) for n in stat.split())


def _set_statistics(kind: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # creates sqlite_stat1
        cursor.execute("DELETE FROM sqlite_stat1")
        if kind != "none":
            rows = {"thousand": 1000, "million": 1_000_000}[kind]
            for table, index, stat in BENCH_100K:
                cursor.execute(
                    "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (%s, %s, %s)",
                    [table, index, _scaled(stat, rows)],
                )
        cursor.execute("ANALYZE sqlite_schema")  # reload the statistics into the planner


@pytest.fixture(params=["none", "thousand", "million"])
def statistics(request, register, org):
    for text in ("沙发扶手开裂，要求更换。", "抽屉滑轨卡顿", "床板异响"):
        register(description=text)
    _set_statistics(request.param)
    return request.param


def _plan(queryset) -> str:
    return queryset.explain()


def _page(queryset):
    return queryset[:51]


def _count(queryset):
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


def test_the_complaint_page_finds_secondary_complaints_from_the_parent_index(statistics, org, client):
    from django.test.utils import CaptureQueriesContext

    # given the complaint page's queries
    first = Complaint.objects.order_by("pk").first()
    client.force_login(org.clerk.user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/complaints/{first.number}/").status_code == 200
    lookups = [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "complaints_complaint" WHERE "complaints_complaint"."parent_id" = ' in q["sql"]
    ]
    assert len(lookups) == 1, [q["sql"] for q in captured.captured_queries if "parent_id" in q["sql"]]
    lookup = lookups[0]

    # then the secondary complaints come from the parent index, not a walk of the date index
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + lookup)
        plan = "\n".join(row[-1] for row in cursor.fetchall())
    # (the partial index of complaints that have a parent, or the plain foreign-key index)
    assert re.search(r"SEARCH complaints_complaint USING INDEX \w+ \(parent_id=\?\)", plan), plan
    assert "complaint_registered_idx" not in plan, plan


@pytest.mark.parametrize("viewer", ["clerk", "quality_head"])  # sees every complaint / one department
def test_the_figures_read_the_period_from_indexes(statistics, org, viewer):
    from django.test.utils import CaptureQueriesContext

    from kesu.deadlines.figures import figures, late_cases

    visible = complaints_visible_to(staff=getattr(org, viewer))
    with CaptureQueriesContext(connection) as captured:
        figures(by="month", since=date(2026, 6, 1), until=date(2026, 11, 30), complaints=visible)
        late_cases(since=date(2026, 6, 1), until=date(2026, 11, 30), complaints=visible)
    plans = {}
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plans[query["sql"]] = "\n".join(row[-1] for row in cursor.fetchall())
    clock_plans = [plan for sql, plan in plans.items() if 'FROM "deadlines_complaintclock"' in sql]
    closed_plans = [
        plan for sql, plan in plans.items() if sql.startswith("SELECT CASE") and "closed_at" in sql
    ]

    assert len(clock_plans) == 3 and len(closed_plans) == 1, plans
    for plan in clock_plans:  # the period's clocks from a (state, due) index, never complaint by complaint
        assert "deadlines_complaintclock USING" in plan and "(state=? AND due_at>? AND due_at<?)" in plan, (
            plan
        )
        assert "complaint_id=?" not in plan, plan
    assert "complaint_closed_idx (status=? AND closed_at>? AND closed_at<?)" in closed_plans[0], closed_plans[
        0
    ]
