"""The pages people wait on, in one process (Django's test client, no server), signed in as a
customer-service director (客服部主管): per page the queries, the CPU milliseconds per request and
the Python function calls per request (cProfile's count).

CPU time (``time.process_time``) moves much less with a busy machine than wall time, and the call
count not at all: run it with another revision's code (``--compare REV``: a ``git worktree`` of REV
under bench/out/, its Kesu first on the path, as ``run.py --compare`` does) on the same database to
see a change as a ratio. The database is filled once (``--size`` complaints from bench/data.py with
pages.py's clocks and ``next_due_at``) and reused; ``--fresh`` reloads it.

Usage: python bench/pages_inprocess.py DATABASE_URL [--size 20000] [--rounds 30] [--compare main]
       [--profile "complaint page"] [--fresh]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    BENCH_DIR,
    CODE_DIR,
    PROJECT_DIR,
    emit,
    is_postgres,
    make_company,
    recreate_database,
    setup_django,
)
from data import SEARCH_2  # noqa: E402

TERMINAL = ("closed", "not_upheld", "withdrawn")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--compare", help="a git revision measured first, on the same database")
    parser.add_argument("--profile", help="print the cProfile of this page (e.g. 'complaint page')")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--lines", type=int, default=50)
    args = parser.parse_args()
    if args.compare:
        compare(args)
        return
    if args.fresh:
        recreate_database(args.url)
    elif is_postgres(args.url):
        from listing import _create_pg_if_missing

        _create_pg_if_missing(args.url)
    setup_django(args.url, migrate=True)
    make_company()
    from listing import fill
    from pages import add_clocks, director_session

    director_session()  # creates the director
    fill(args.size, total=args.size, before_indexes=add_clocks)
    emit(measure(args))


def measure(args: argparse.Namespace) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from kesu.complaints.models import Complaint

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-director"))
    numbers = list(
        Complaint.objects.exclude(status__in=TERMINAL).order_by("pk").values_list("number", flat=True)[:10]
    )
    pages = {
        "workbench": lambda i: "/",
        "complaint page": lambda i: f"/complaints/{numbers[i % len(numbers)]}/",
        "list": lambda i: "/complaints/",
        f"search q={SEARCH_2}": lambda i: f"/complaints/?q={SEARCH_2}",
    }

    def get(path: str) -> None:
        response = client.get(path)
        if response.status_code != 200:
            sys.exit(f"GET {path}: {response.status_code}")

    out: dict = {"code": str(CODE_DIR), "size": Complaint.objects.count()}
    for name, path in pages.items():
        for i in range(3):  # warm-up: imports, the rule-book cache, template loading
            get(path(i))
        statements: list[str] = []

        def counted(run, sql, *rest, statements=statements):
            statements.append(sql)
            return run(sql, *rest)

        with connection.execute_wrapper(counted):
            get(path(0))
        started = time.process_time()
        for i in range(args.rounds):
            get(path(i))
        cpu = (time.process_time() - started) / args.rounds
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(10):
            get(path(i))
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr)
        if args.profile == name:
            stats.sort_stats(args.sort).print_stats(args.lines)
        out[name] = {
            "queries": len(statements),
            "cpu_ms": round(cpu * 1000, 2),
            "python_calls": round(stats.total_calls / 10),
        }
    return out


def compare(args: argparse.Namespace) -> None:
    """REV's code, then this tree's, each in its own process on the same database, twice
    (interleaved); a table of the medians and the ratio this tree / REV."""
    sha = subprocess.run(
        ["git", "rev-parse", args.compare], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    ).stdout.strip()
    other = BENCH_DIR / "out" / f"rev-{sha[:12]}"
    if not other.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(other), sha], cwd=PROJECT_DIR, check=True)
    base = [sys.executable, __file__, args.url, "--size", str(args.size), "--rounds", str(args.rounds)]
    runs: dict[str, list[dict]] = {"old": [], "new": []}
    for turn in range(2):
        for which, code in (("old", other), ("new", PROJECT_DIR)):
            extra = ["--fresh"] if args.fresh and turn == 0 and which == "old" else []
            env = {**os.environ, "KESU_BENCH_CODE": str(code)}
            output = subprocess.run(
                [*base, *extra], env=env, capture_output=True, text=True, check=True
            ).stdout
            line = next(x for x in output.splitlines() if x.startswith("BENCH-RESULT "))
            runs[which].append(json.loads(line.removeprefix("BENCH-RESULT ")))
    rows = ["| page | queries old → new | CPU ms old → new | ratio | Python calls old → new | ratio |"]
    rows.append("|---|---:|---:|---:|---:|---:|")
    for page in runs["new"][0]:
        if page in ("code", "size"):
            continue
        old = [r[page] for r in runs["old"]]
        new = [r[page] for r in runs["new"]]
        cpu_old = min(r["cpu_ms"] for r in old)
        cpu_new = min(r["cpu_ms"] for r in new)
        calls_old, calls_new = old[0]["python_calls"], new[0]["python_calls"]
        rows.append(
            f"| {page} | {old[0]['queries']} → {new[0]['queries']} | {cpu_old} → {cpu_new} |"
            f" {cpu_new / cpu_old:.2f} | {calls_old:,} → {calls_new:,} | {calls_new / calls_old:.2f} |"
        )
    print("\n".join(rows))
    emit({"compare": args.compare, "sha": sha, "runs": runs})


if __name__ == "__main__":
    main()
