"""Long descriptions: does a maximum-length description (10 000 characters) cost more than a
short one, and does a table holding some slow down a 2-character search? (issue 6, item 1)

Measured in one process, on one fresh database, interleaved (short, long, short, long, …) so that
the machine's noise hits both alike:

- registration (``register_complaint``) with a ~40-character description and with a 10 000-
  character one, and one action (``add_comment``) on each kind of complaint;
- PostgreSQL only: ``kesu_bigrams`` (the bigram index's function) at 10 000 / 20 000 / 40 000
  characters, and 0003's quadratic version of it at the same lengths (``SELECT kesu_bigrams($1)``
  timed from the client; the old one once per length, bounded by a statement timeout);
- a 2-character search (the list's page + capped count, as ``bench/listing.py``) on ``--rows``
  generated complaints, then again after ``--long-rows`` complaints with 10 000-character
  descriptions that contain the searched words were added.

Usage (run.py does this): python bench/long_text.py DATABASE_URL [--seconds S] [--rows N] [--long-rows L]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit, make_company, recreate_database, setup_django, timings  # noqa: E402
from data import ASKS, CONTEXT, DEFECTS, EXTRA, PARTS, PRODUCTS, SEARCH_2, SEARCH_2_RARE  # noqa: E402

MAX_DESCRIPTION = 10_000  # the agreed maximum for a complaint description
SEARCH_TIMEOUT_S = 60
SHORT = "客户反映新买的实木餐桌桌面开裂，漆面有明显色差，要求上门检查并更换。"

QUADRATIC_0003 = """
CREATE OR REPLACE FUNCTION kesu_bench_bigrams_0003(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 10
AS $$ SELECT ARRAY(SELECT substr($1, i, 2) FROM generate_series(1, length($1) - 1) AS i) $$
"""


def long_text(rng: random.Random, length: int = MAX_DESCRIPTION) -> str:
    """Chinese complaint prose of exactly ``length`` characters, different on every call."""
    pieces: list[str] = []
    size = 0
    while size < length:
        piece = (
            f"{rng.choice(CONTEXT)}，{rng.choice(PRODUCTS)}{rng.choice(PARTS)}{rng.choice(DEFECTS)}，"
            f"{rng.choice(EXTRA)}，{rng.choice(ASKS)}。订单号XS{rng.randint(0, 10**8):08d}。"
        )
        pieces.append(piece)
        size += len(piece)
    return "".join(pieces)[:length]


def registration_and_action(*, seconds: float) -> dict:
    from django.utils import timezone

    from kesu.complaints.models import Category, Channel, Severity
    from kesu.complaints.services import Intake, add_comment, register_complaint

    clerk = make_company()
    category = Category.objects.get(code="product_quality")
    severity = Severity.objects.get(code="normal")
    rng = random.Random(6)

    def register(description: str):
        intake = Intake(
            channel=Channel.PHONE,
            received_at=timezone.now() - timedelta(minutes=5),
            complainant_name="张先生",
            description=description,
            category=category,
            severity=severity,
        )
        return register_complaint(by=clerk, intake=intake)

    samples: dict[str, list[float]] = {
        "register short": [],
        "register long": [],
        "comment short": [],
        "comment long": [],
    }
    for kind in ("short", "long"):  # warm-up
        add_comment(
            complaint=register(SHORT if kind == "short" else long_text(rng)), by=clerk, comment="预热"
        )
    deadline = time.monotonic() + 2 * seconds
    while time.monotonic() < deadline and len(samples["register long"]) < 200:
        for kind in ("short", "long"):
            description = SHORT if kind == "short" else long_text(rng)
            started = time.perf_counter()
            complaint = register(description)
            samples[f"register {kind}"].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            add_comment(complaint=complaint, by=clerk, comment="已电话联系客户，约定明天上门。")
            samples[f"comment {kind}"].append((time.perf_counter() - started) * 1000)
    out = {name: _summary(values) for name, values in samples.items()}
    out["ratio register long/short (p50)"] = round(
        out["register long"]["p50_ms"] / out["register short"]["p50_ms"], 2
    )
    out["ratio comment long/short (p50)"] = round(
        out["comment long"]["p50_ms"] / out["comment short"]["p50_ms"], 2
    )
    return out


def _summary(values: list[float]) -> dict:
    from common import percentile

    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50), 2),
        "p95_ms": round(percentile(values, 95), 2),
    }


def bigram_function(*, old_timeout_s: int) -> dict:
    """Client-side time of ``SELECT cardinality(f($1))`` for the current and 0003's function."""
    from django.db import OperationalError, connection
    from django.db.utils import DatabaseError

    rng = random.Random(40)
    out: dict[str, dict] = {}
    with connection.cursor() as cursor:
        cursor.execute(QUADRATIC_0003)
        for length in (10_000, 20_000, 40_000):
            text = long_text(rng, length)
            row: dict = {}
            for name, function, repeat in (
                ("current", "kesu_bigrams", 5),
                ("0003", "kesu_bench_bigrams_0003", 1),
            ):
                cursor.execute(f"SET statement_timeout = {old_timeout_s * 1000}")
                times = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    try:
                        cursor.execute(f"SELECT cardinality({function}(%s))", [text])
                        cursor.fetchone()
                    except (OperationalError, DatabaseError):
                        times.append(None)
                        break
                    times.append((time.perf_counter() - started) * 1000)
                row[name] = (
                    f"> {old_timeout_s} s (timeout)"
                    if None in times
                    else round(sorted(times)[len(times) // 2], 1)
                )
            cursor.execute("SET statement_timeout = 0")
            out[f"{length} chars (ms)"] = row
        cursor.execute("DROP FUNCTION kesu_bench_bigrams_0003(text)")
    return out


def search_with_long_rows(clerk, *, rows: int, long_rows: int, repeat: int) -> dict:
    from django.db import connection
    from listing import _page_of, fill

    from kesu.complaints.models import Complaint
    from kesu.complaints.selectors import ComplaintFilters, complaints_visible_to

    page_of = _page_of()
    load = fill(rows, total=rows)

    def measure() -> dict:
        from django.db import OperationalError

        out = {}
        for word in (SEARCH_2, SEARCH_2_RARE):

            def page(word=word):
                return page_of(
                    complaints_visible_to(staff=clerk, filters=ComplaintFilters(q=word)),
                    number=1,
                    page_size=50,
                )

            # 0003's function made one such search take minutes: one bounded try first.
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"SET statement_timeout = {SEARCH_TIMEOUT_S * 1000}")
            started = time.perf_counter()
            try:
                matches = str(page().count)
            except OperationalError:
                out[f"q={word}"] = {
                    "matches": "?",
                    "n": 1,
                    "p50_ms": f"> {SEARCH_TIMEOUT_S * 1000} (timeout)",
                }
                continue
            first_ms = (time.perf_counter() - started) * 1000
            if first_ms > 5000:
                out[f"q={word}"] = {"matches": matches, "n": 1, "p50_ms": round(first_ms, 1)}
            else:
                out[f"q={word}"] = {"matches": matches, **timings(page, repeat=repeat, budget_s=10)}
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = 0")
        return out

    without = measure()
    # Long complaints registered among the newest (the list's order walks them first), every one
    # holding both searched words: the worst case for the search.
    rng = random.Random(99)
    template = Complaint.objects.order_by("-pk").first()
    fields = {
        f.attname: getattr(template, f.attname) for f in Complaint._meta.concrete_fields if not f.primary_key
    }
    started = time.perf_counter()
    for i in range(long_rows):
        text = long_text(rng, MAX_DESCRIPTION - 10) + SEARCH_2 + SEARCH_2_RARE + "。"
        Complaint.objects.create(
            **{**fields, "number": f"LONG{i:06d}", "description": text[:MAX_DESCRIPTION]}
        )
    inserted = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE complaints_complaint" if connection.vendor == "postgresql" else "ANALYZE"
        )
    with_long = measure()
    ratios = {
        word: round(with_long[word]["p50_ms"] / without[word]["p50_ms"], 2)
        if isinstance(with_long[word]["p50_ms"], float) and isinstance(without[word]["p50_ms"], float)
        else "-"
        for word in without
    }
    return {
        "rows": rows,
        "load": load,
        "long_rows": long_rows,
        "long_rows_insert_s": round(inserted, 1),
        "without_long": without,
        "with_long": with_long,
        "ratio with/without (p50)": ratios,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=10.0, help="per pair of points (short + long)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--long-rows", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--old-timeout", type=int, default=60, help="seconds for 0003's function per call")
    args = parser.parse_args()

    recreate_database(args.url)
    setup_django(args.url, migrate=True)
    from django.db import connection

    result: dict = {"registration_and_action": registration_and_action(seconds=args.seconds)}
    print(result, file=sys.stderr, flush=True)
    if connection.vendor == "postgresql":
        result["bigram_function"] = bigram_function(old_timeout_s=args.old_timeout)
        print(result["bigram_function"], file=sys.stderr, flush=True)
    if args.rows:
        result["search"] = search_with_long_rows(
            make_company(), rows=args.rows, long_rows=args.long_rows, repeat=args.repeat
        )
    emit(result)


if __name__ == "__main__":
    main()
