"""The list page and search at N complaints: p50/p95 of the selectors the UI and the API use.

For each size (ascending) the database is filled up to that many complaints with bulk inserts
(PostgreSQL: COPY; SQLite: executemany), secondary indexes dropped during the load and rebuilt
after it, then ANALYZEd. Then, as a desk clerk (who sees every complaint):
``complaints_visible_to(staff=, filters=)`` → first page of 50 by -registered_at plus the count
capped at 10 000 (``kesu.core.paging.page_of``), for: no filter, a status filter, and a search
``q`` for a 2-character word, a 4-character word and a complaint number.

Usage (run.py does this): python bench/listing.py DATABASE_URL --sizes 100000,1000000 [--fresh]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit, is_postgres, make_company, recreate_database, setup_django, timings  # noqa: E402
from data import FIRST_DAY, SEARCH_2, SEARCH_2_RARE, SEARCH_4, Generator  # noqa: E402

DAYS = 5 * 365  # complaints spread over five years
BATCH = 20_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--fresh", action="store_true", help="drop the database first (default: reuse)")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument(
        "--old", action="store_true", help="also time the old forms (LIKE scan search, Python-side figures)"
    )
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    total = max(sizes)
    if args.fresh:
        recreate_database(args.url)
    elif is_postgres(args.url):
        _create_pg_if_missing(args.url)
    setup_django(args.url, migrate=True)
    clerk = make_company()
    results = {}
    for size in sizes:
        load = fill(size, total=total)
        results[str(size)] = {
            "load": load,
            "queries": measure(clerk, size, args.repeat, args.explain, old=args.old),
        }
        print(f"size {size}: {results[str(size)]}", file=sys.stderr, flush=True)
    emit(results)


def _create_pg_if_missing(url: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = urlsplit(url).path.lstrip("/")
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


# ---------------------------------------------------------------------------------------------
# Loading


def fill(size: int, *, total: int, before_indexes: Callable[[], object] | None = None) -> dict:
    """Add complaints until there are ``size`` (rows are numbered, so a bigger run extends a smaller).

    ``before_indexes`` (pages.py: the clocks and ``next_due_at``) runs after the rows are loaded and
    before the complaint table's secondary indexes are rebuilt: an UPDATE of 370 000 complaints with
    the search indexes in place writes every row's trigrams and bigrams into them again
    (PostgreSQL: GIN; the update is not HOT because ``next_due_at`` is indexed). Only when rows
    were added."""
    from django.db import connection, transaction

    from kesu.complaints.models import Category, Complaint, Severity
    from kesu.customers.models import Customer
    from kesu.organization.models import Department, Staff

    have = Complaint.objects.count()
    if have >= size:
        return {"rows_added": 0, "seconds": 0}
    generator = Generator()
    names = generator.customer_names()
    if Customer.objects.count() < len(names):
        Customer.objects.bulk_create(
            [Customer(code=f"C{i:05d}", name=n) for i, n in enumerate(names, 1)], batch_size=1000
        )
    customers = list(Customer.objects.order_by("id").values_list("id", flat=True))
    categories = list(
        Category.objects.filter(parent=None).order_by("sort_order", "id").values_list("id", flat=True)
    )
    severities = list(Severity.objects.order_by("rank").values_list("id", flat=True))
    departments = list(Department.objects.exclude(code="cs").order_by("code").values_list("id", flat=True))
    clerk_id = Staff.objects.get(user__username="bench-clerk").pk
    # The generator is seeded; skip the rows already there so the data set is the same either way.
    if have:
        for _ in generator.rows(0, have, total=total, first_day=FIRST_DAY, days=DAYS):
            pass

    fields = [f for f in Complaint._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    started = time.perf_counter()
    dropped = _drop_secondary_indexes()

    def tuples(batch):
        for row in batch:
            value = {
                "number": row["number"],
                "status": row["status"],
                "version": 1,
                "channel": row["channel"],
                "received_at": row["received_at"],
                "registered_at": row["registered_at"],
                "registered_by_id": clerk_id,
                "complainant_name": row["complainant_name"],
                "complainant_phone": row["complainant_phone"],
                "customer_id": None if row["customer_index"] is None else customers[row["customer_index"]],
                "description": row["description"],
                "category_id": categories[row["category_index"]],
                "severity_id": severities[row["severity_index"]],
                "handling_department_id": None
                if row["department_index"] is None
                else departments[row["department_index"]],
                "closed_at": row["registered_at"] if row["closed"] else None,
                "updated_at": row["registered_at"],
            }
            yield tuple(value.get(f.column, None if f.null else "") for f in fields)

    rows = generator.rows(have, size - have, total=total, first_day=FIRST_DAY, days=DAYS)
    done = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg cursor
            with raw.copy(f"COPY complaints_complaint ({', '.join(columns)}) FROM STDIN") as copy:
                for values in tuples(rows):
                    copy.write_row(values)
        else:
            adapt = connection.ops.adapt_datetimefield_value
            dt_positions = [i for i, f in enumerate(fields) if f.get_internal_type() == "DateTimeField"]
            sql = f"INSERT INTO complaints_complaint ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            raw = connection.connection
            while done < size - have:
                batch = []
                for values in tuples(_take(rows, BATCH)):
                    values = list(values)
                    for i in dt_positions:
                        values[i] = adapt(values[i])
                    batch.append(values)
                if not batch:
                    break
                with transaction.atomic():  # one transaction per batch, not one per row
                    raw.executemany(sql, batch)
                done += len(batch)
    _add_clocks(have)
    loaded = time.perf_counter() - started
    hook_seconds = 0.0
    if before_indexes is not None:
        before_indexes()
        hook_seconds = time.perf_counter() - started - loaded
    _recreate_indexes(dropped)
    indexed = time.perf_counter() - started - loaded - hook_seconds
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {
        "rows_added": size - have,
        "load_seconds": round(loaded, 1),
        **({"before_indexes_seconds": round(hook_seconds, 1)} if before_indexes else {}),
        "index_seconds": round(indexed, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
    }


def _add_clocks(after_id: int) -> None:
    """One resolution clock per complaint loaded (due one day after receipt; met at closing, on time
    or late, or still running), so the figures have clocks to count."""
    from django.db import connection

    due = (
        "received_at + interval '1 day'"
        if connection.vendor == "postgresql"
        else "datetime(received_at, '+1 day')"
    )
    false = "false" if connection.vendor == "postgresql" else "0"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO deadlines_complaintclock (complaint_id, kind, amount, unit, count_start_day,"
            " pausable, remind_before_hours, started_at, due_at, due_error, state, stopped_at,"
            " extended_by, escalation_level, late_reason)"
            f" SELECT id, 'resolution', 1, 'calendar_days', {false}, {false}, 0, received_at, {due}, '',"
            " CASE WHEN closed_at IS NULL THEN 'running' ELSE 'met' END, closed_at, 0, 0, ''"
            " FROM complaints_complaint WHERE id > %s",
            [after_id],
        )


def _take(iterator, n):
    for _, item in zip(range(n), iterator, strict=False):
        yield item


def _drop_secondary_indexes() -> list[str]:
    """Drop the complaint table's plain indexes (not those behind constraints); return their DDL."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """SELECT i.indexname, i.indexdef FROM pg_indexes i
                   WHERE i.tablename = 'complaints_complaint'
                     AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                                     WHERE c.conindid = (quote_ident(i.indexname))::regclass)"""
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                " AND tbl_name = 'complaints_complaint' AND sql IS NOT NULL"
            )
        found = cursor.fetchall()
        for name, _sql in found:
            cursor.execute(f'DROP INDEX "{name}"')
        if connection.vendor == "sqlite":
            # The search index's triggers (migration 0009): the index is rebuilt after the load.
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'complaints_complaint'"
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            found += triggers
    return [sql for _name, sql in found]


def _recreate_indexes(ddl: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET maintenance_work_mem = '512MB'")
        for sql in ddl:
            cursor.execute(sql)
        if connection.vendor == "sqlite":
            for table in ("complaint_search_trigrams", "complaint_search_bigrams"):
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")


# ---------------------------------------------------------------------------------------------
# Measuring


FIGURES_SINCE, FIGURES_UNTIL = date(2025, 7, 1), date(2025, 12, 31)  # the data's last six months


def _figures_page(clerk):
    """What /figures/ computes for six months by month: the figures and the late cases."""
    from kesu.complaints.selectors import complaints_visible_to
    from kesu.deadlines.figures import figures, late_cases

    visible = complaints_visible_to(staff=clerk)
    rows = figures(by="month", since=FIGURES_SINCE, until=FIGURES_UNTIL, complaints=visible)
    late = late_cases(since=FIGURES_SINCE, until=FIGURES_UNTIL, complaints=visible)
    return rows, late


def _figures_old(clerk):
    """The same two grouped queries as before: Django's TruncMonth and datetime subtraction (on
    SQLite, Python functions called for every row)."""
    from datetime import datetime, timedelta
    from datetime import time as dtime

    from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
    from django.db.models.functions import TruncMonth
    from django.utils import timezone

    from kesu.complaints.selectors import complaints_visible_to
    from kesu.deadlines.models import ComplaintClock

    visible = complaints_visible_to(staff=clerk)
    start = timezone.make_aware(datetime.combine(FIGURES_SINCE, dtime.min))
    end = timezone.make_aware(datetime.combine(FIGURES_UNTIL, dtime.min)) + timedelta(days=1)
    now = timezone.now()
    clocks = ComplaintClock.objects.filter(
        complaint__in=visible.values("pk"), due_at__gte=start, due_at__lt=end
    ).filter(Q(state="met") | Q(state="running", due_at__lt=now))
    on_time = Q(state="met", stopped_at__lte=F("due_at"))
    rows = list(
        clocks.annotate(month=TruncMonth("due_at"))
        .values("month")
        .annotate(due=Count("pk"), on_time=Count("pk", filter=on_time))
    )
    handling = ExpressionWrapper(F("closed_at") - F("received_at"), output_field=DurationField())
    rows += list(
        visible.filter(status="closed", closed_at__gte=start, closed_at__lt=end)
        .annotate(month=TruncMonth("closed_at"))
        .values("month")
        .annotate(closed=Count("pk"), average=Avg(handling))
    )
    return rows


def _old_search(clerk, q: str):
    """The search before the SQLite full-text indexes: the same alternatives, the description by
    a plain LIKE."""
    from django.db.models import Q

    from kesu.complaints.selectors import complaints_visible_to
    from kesu.customers.models import Customer

    customer_ids = list(Customer.objects.filter(name__contains=q).values_list("pk", flat=True))
    return complaints_visible_to(staff=clerk).filter(
        Q(number=q) | Q(customer_id__in=customer_ids) | Q(complainant_name=q) | Q(description__contains=q)
    )


def measure(clerk, size: int, repeat: int, explain: bool, *, old: bool = False) -> dict:
    from django.db import connection

    from kesu.complaints.models import Complaint
    from kesu.complaints.selectors import ComplaintFilters, complaints_visible_to

    page_of = _page_of()
    rng = random.Random(size)
    last = Complaint.objects.order_by("-pk").values_list("pk", flat=True)[0]
    numbers = [
        Complaint.objects.filter(pk__gte=rng.randint(1, last))
        .order_by("pk")
        .values_list("number", flat=True)[0]
        for _ in range(10)
    ]
    scenarios = {
        "list": lambda i: ComplaintFilters(),
        "status=investigating": lambda i: ComplaintFilters(status="investigating"),
        f"q={SEARCH_2} (2 chars, common)": lambda i: ComplaintFilters(q=SEARCH_2),
        f"q={SEARCH_2_RARE} (2 chars, rare)": lambda i: ComplaintFilters(q=SEARCH_2_RARE),
        f"q={SEARCH_4} (4 chars, rare)": lambda i: ComplaintFilters(q=SEARCH_4),
        "q=<number>": lambda i: ComplaintFilters(q=numbers[i % len(numbers)]),
    }
    out = {}
    rows, late = _figures_page(clerk)
    out["figures, 6 months by month (+ late cases)"] = {
        "matches": f"{sum(r.clocks_due for r in rows)} clocks, {sum(r.closed for r in rows)} closed",
        "page_and_count": timings(lambda: _figures_page(clerk), repeat=max(5, repeat // 4), budget_s=25),
        "page_only": timings(lambda: _figures_page(clerk)[0], repeat=max(5, repeat // 4), budget_s=15),
    }
    if old:
        out["figures (old: TruncMonth, duration)"] = {
            "matches": "-",
            "page_and_count": timings(
                lambda: _figures_old(clerk), repeat=max(5, repeat // 8), warmup=1, budget_s=25
            ),
            "page_only": {"p50_ms": "-", "p95_ms": "-"},
        }
    if old and connection.vendor == "sqlite":
        for q in (SEARCH_2, SEARCH_2_RARE, SEARCH_4):

            def old_page(q=q):
                return page_of(_old_search(clerk, q), number=1, page_size=50)

            out[f"q={q} (old: LIKE scan)"] = {
                "matches": str(old_page().count),
                "page_and_count": timings(old_page, repeat=max(5, repeat // 8), warmup=1, budget_s=25),
                "page_only": timings(
                    lambda q=q: list(_old_search(clerk, q)[:51]),
                    repeat=max(5, repeat // 8),
                    warmup=1,
                    budget_s=15,
                ),
            }
    for name, filters in scenarios.items():
        counter = iter(range(10**6))

        def page(filters=filters, counter=counter):
            queryset = complaints_visible_to(staff=clerk, filters=filters(next(counter)))
            return page_of(queryset, number=1, page_size=50)

        def rows_only(filters=filters, counter=counter):
            return list(complaints_visible_to(staff=clerk, filters=filters(next(counter)))[:51])

        result = page()
        out[name] = {
            "matches": str(result.count),
            "page_and_count": timings(page, repeat=repeat, budget_s=25),
            "page_only": timings(rows_only, repeat=repeat, budget_s=15),
        }
        if explain:
            queryset = complaints_visible_to(staff=clerk, filters=filters(0))
            print(f"--- {name}\n{queryset[:51].explain()}", file=sys.stderr)
            print(
                f"--- {name} (count)\n{queryset.order_by().values('pk')[:10001].explain()}", file=sys.stderr
            )
    return out


def _page_of():
    """The paging the UI and the API use (kesu.core.paging), or the same approach if it is absent."""
    try:
        from kesu.core.paging import page_of

        return page_of
    except ImportError:  # pragma: no cover - the helper module is new
        from dataclasses import dataclass

        @dataclass
        class Page:
            rows: list
            count: str

        def page_of(queryset, *, number, page_size):
            counted = queryset.order_by().values("pk")[:10001].count()
            return Page(rows=list(queryset[:page_size]), count=str(counted))

        return page_of


if __name__ == "__main__":
    main()
