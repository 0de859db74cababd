"""Benchmark (issue 11): the desk's customer type-ahead — ``kesu.archive.selectors.lookup`` — by
phone fragment (separators ignored), by name, and the customer or archive number, at N customers.

Fills the database up to ``--customers`` customers (bulk inserts; SQLite's FTS5 phone index is
kept by its triggers, PostgreSQL's pg_trgm GIN indexes by the database), runs ANALYZE, then times
``--queries`` look-ups of each kind with fragments taken from real customers' phones (p50/p95 in
ms, and the mean number of suggestions). Bounded: the fill and each kind stop after their budget.

    .venv/bin/python bench/typeahead.py sqlite:///$PWD/bench/out/typeahead.sqlite3 --customers 100000
    .venv/bin/python bench/typeahead.py postgres://postgres@127.0.0.1:5432/kesu_archive --customers 100000
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import is_postgres, percentile, setup_django  # noqa: E402

CITIES = [
    "上海",
    "北京",
    "广州",
    "深圳",
    "杭州",
    "苏州",
    "南京",
    "成都",
    "武汉",
    "重庆",
    "天津",
    "西安",
    "长沙",
    "宁波",
    "厦门",
    "青岛",
]
WORDS = [
    "锦程",
    "宏达",
    "华美",
    "金鼎",
    "恒信",
    "新源",
    "嘉禾",
    "鸿运",
    "瑞丰",
    "永安",
    "博雅",
    "东方",
    "天成",
    "海纳",
    "富华",
    "正大",
]
TRADES = ["家居", "家具", "电子", "贸易", "建材", "酒业", "科技", "装饰", "实业", "商贸"]
SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭"]


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.7:
        n = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        return f"{n[:3]} {n[3:7]} {n[7:]}" if rng.random() < 0.5 else n
    area = rng.choice(["021", "010", "020", "0755", "0571", "0512"])
    return f"{area}-{rng.randrange(10**7, 10**8)}"


def fill(target: int, *, budget_s: float) -> tuple[int, float]:
    from django.db import connection, transaction

    from kesu.customers.models import Customer, phone_digits

    have = Customer.objects.count()
    rng = random.Random(have)
    started = time.monotonic()
    batch = 5000
    while have < target and time.monotonic() - started < budget_s:
        rows = []
        for i in range(have, min(target, have + batch)):
            phone = _phone(rng)
            rows.append(
                Customer(
                    code=f"B{i:07d}",
                    name=f"{rng.choice(CITIES)}{rng.choice(WORDS)}{rng.choice(TRADES)}{i}有限公司",
                    contact_name=f"{rng.choice(SURNAMES)}经理",
                    phone=phone,
                    phone_digits=phone_digits(phone),
                )
            )
        with transaction.atomic():
            Customer.objects.bulk_create(rows, batch_size=1000)
        have += len(rows)
    with connection.cursor() as cursor:
        # PostgreSQL: VACUUM also merges the GIN indexes' pending lists (fastupdate), which a bulk
        # load leaves long; until autovacuum gets to them a phone look-up reads them all (30 ms
        # instead of 0.2 ms at 100 000 customers).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return have, time.monotonic() - started


def measure(kind: str, texts: list[str], *, budget_s: float) -> dict:
    from kesu.archive.selectors import lookup

    for text in texts[:3]:
        lookup(text)
    times, found = [], []
    started = time.monotonic()
    for text in texts:
        t0 = time.perf_counter()
        rows = lookup(text)
        times.append((time.perf_counter() - t0) * 1000)
        found.append(len(rows))
        if time.monotonic() - started > budget_s:
            break
    return {
        "kind": kind,
        "n": len(times),
        "p50_ms": round(percentile(times, 50), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "max_ms": round(max(times), 2),
        "mean_suggestions": round(sum(found) / len(found), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("url")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--fill-budget", type=float, default=900.0, help="seconds for the fill (default 900)")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per kind of look-up (default 60)")
    args = parser.parse_args()

    setup_django(args.url, migrate=True)
    from django.db import connection

    from kesu.customers.models import Customer, phone_digits

    count, fill_s = fill(args.customers, budget_s=args.fill_budget)
    rng = random.Random(7)
    sample = list(
        Customer.objects.order_by("?").values_list("phone", "name", "code")[: args.queries]
        if connection.vendor == "postgresql"
        else Customer.objects.filter(
            pk__in=[rng.randrange(1, count + 1) for _ in range(args.queries)]
        ).values_list("phone", "name", "code")
    )

    def fragment(phone: str, n: int) -> str:
        digits = phone_digits(phone)
        start = rng.randrange(0, max(1, len(digits) - n + 1))
        return digits[start : start + n]

    kinds = {
        "phone, last 4 digits": [phone_digits(p)[-4:] for p, _n, _c in sample],
        "phone, 7 digits anywhere": [fragment(p, 7) for p, _n, _c in sample],
        "phone, as written with separators": [p for p, _n, _c in sample],
        "phone, 3 digits (common)": [fragment(p, 3) for p, _n, _c in sample],
        "name, 2 characters": [n[2:4] for _p, n, _c in sample],
        "name, 4 characters": [n[:4] for _p, n, _c in sample],
        "name, no such customer (5 characters)": [f"无此客户{i}" for i in range(len(sample))],
        "customer number (exact)": [c for _p, _n, c in sample],
    }
    results = [measure(kind, texts, budget_s=args.budget) for kind, texts in kinds.items()]
    report = {
        "database": "postgresql" if is_postgres(args.url) else "sqlite",
        "customers": count,
        "fill_seconds": round(fill_s, 1),
        "results": results,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    print(
        f"\n| look-up ({report['database']}, {count:,} customers) | n | p50 ms | p95 ms | max ms | suggestions |"
    )
    print("|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['kind']} | {r['n']} | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} | {r['mean_suggestions']} |"
        )


if __name__ == "__main__":
    main()
