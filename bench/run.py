"""Kesu benchmarks: `make bench` (= .venv/bin/python bench/run.py). See bench/RESULTS.md.

Runs each part in its own process, on SQLite and on PostgreSQL, and writes the figures with the
machine's facts to bench/out/report.md and bench/out/results-<time>.json:

  registration  (a) plain single-row inserts, one per transaction — the reference;
                (b) complaints through the service layer (register_complaint), one per transaction
  http          (c) POST /api/v1/complaints on gunicorn (2 and 4 workers) driven by wrk
  list          list page and searches at each size (p50/p95)

Examples:
  bench/run.py                                      everything, sizes 100 000 and 1 000 000
  bench/run.py --sizes 100000 --only list           the list at 100 000 only
  bench/run.py --db postgres --only registration,http
PostgreSQL: --postgres URL (default $KESU_BENCH_POSTGRES or postgres://postgres@127.0.0.1:5432/);
the benchmark creates and drops its own databases named kesu_bench_*.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH_DIR, OUT_DIR, PROJECT_DIR, drop_database, pg_url, sqlite_url  # noqa: E402

PYTHON = sys.executable
PARTS = ("registration", "http", "list")


def run_part(script: str, args: list[str], timeout: int) -> dict | None:
    command = [PYTHON, str(BENCH_DIR / script), *args]
    print("$", " ".join(command), flush=True)
    started = time.monotonic()
    process = subprocess.run(
        command, cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True, timeout=timeout, check=False
    )
    print(f"  ({time.monotonic() - started:.0f} s)", flush=True)
    for line in process.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line.removeprefix("BENCH-RESULT "))
    print(f"  {script} failed (exit {process.returncode})", file=sys.stderr)
    return None


def _sh(command: str) -> str:
    try:
        return subprocess.run(command, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def machine_facts(postgres: str | None) -> dict:
    mem_kb = int(_sh("awk '/MemTotal/ {print $2}' /proc/meminfo") or 0)
    facts = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": _sh("lscpu | sed -n 's/^Model name: *//p'"),
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "disk": _sh(f"df -h --output=source,fstype,size {OUT_DIR} | tail -1"),
        "disk_rotational": _sh("cat /sys/block/$(lsblk -no pkname $(df --output=source "
                               f"{OUT_DIR} | tail -1) 2>/dev/null || echo vda)/queue/rotational"),
        "os": _sh(". /etc/os-release && echo $PRETTY_NAME") + f" (kernel {platform.release()})",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "django": _sh(f"{PYTHON} -c 'import django; print(django.get_version())'"),
        "gunicorn": _sh(f"{PROJECT_DIR}/.venv/bin/gunicorn --version"),
        "wrk": _sh("wrk --version 2>&1 | head -1"),
        "load_average_at_start": os.getloadavg(),
    }  # fmt: skip
    if postgres:
        try:
            import psycopg

            with psycopg.connect(
                pg_url(postgres, "kesu_bench_probe").rsplit("/", 1)[0] + "/postgres"
            ) as conn:
                facts["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
                for setting in ("shared_buffers", "synchronous_commit", "max_parallel_workers_per_gather"):
                    facts[f"pg_{setting}"] = conn.execute(f"SHOW {setting}").fetchone()[0]
        except Exception as exc:  # noqa: BLE001 - a fact we could not read is reported, not fatal
            facts["postgresql"] = f"unreachable: {exc}"
    return facts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite,postgres (default both)")
    parser.add_argument("--only", default=",".join(PARTS), help="registration,http,list (default all)")
    parser.add_argument("--sizes", default="100000,1000000", help="list sizes (default 100000,1000000)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("KESU_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/"),
        help="a PostgreSQL server URL; databases kesu_bench_* are created on it",
    )
    parser.add_argument("--seconds", type=int, default=10, help="duration of each throughput run")
    parser.add_argument("--workers", default="2,4", help="gunicorn worker counts for the HTTP run")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections for the HTTP run")
    parser.add_argument("--keep", action="store_true", help="keep the list databases for a rerun")
    parser.add_argument(
        "--tag",
        default="",
        help="name the databases kesu_bench_<tag>_* (runs side by side on one server do not collide)",
    )
    parser.add_argument(
        "--old", action="store_true", help="list: also time the old search and figures queries"
    )
    args = parser.parse_args()
    prefix = f"kesu_bench_{args.tag}_" if args.tag else "kesu_bench_"
    databases = [d.strip() for d in args.db.split(",") if d.strip()]
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    if unknown := (set(parts) - set(PARTS)) | (set(databases) - {"sqlite", "postgres"}):
        parser.error(f"unknown: {', '.join(sorted(unknown))}")

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    results: dict = {"machine": machine_facts(args.postgres if "postgres" in databases else None), "runs": {}}
    for db in databases:
        url = (lambda name: pg_url(args.postgres, name)) if db == "postgres" else sqlite_url
        run: dict = {}
        if "registration" in parts:
            run["registration"] = run_part(
                "registration.py", [url(prefix + "reg"), "--seconds", str(args.seconds)], timeout=300
            )
        if "http" in parts:
            run["http"] = run_part(
                "http_load.py",
                [
                    url(prefix + "http"),
                    "--workers", args.workers,
                    "--connections", str(args.connections),
                    "--seconds", str(args.seconds),
                ],
                timeout=600,
            )  # fmt: skip
        if "list" in parts:
            list_args = [url(prefix + "list"), "--sizes", args.sizes, *(["--old"] if args.old else [])]
            run["list"] = run_part(
                "listing.py", [*list_args, *([] if args.keep else ["--fresh"])], timeout=1800
            )
        results["runs"][db] = run
        for name in (prefix + "reg", prefix + "http", *([] if args.keep else [prefix + "list"])):
            drop_database(url(name))
    results["machine"]["load_average_at_end"] = os.getloadavg()

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (OUT_DIR / f"results-{stamp}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    report = render(results)
    (OUT_DIR / "report.md").write_text(report)
    print(report)
    print(f"(written to {OUT_DIR / 'report.md'} and results-{stamp}.json)")


# ---------------------------------------------------------------------------------------------
# Report


def render(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"Run of {m['date']}",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores; RAM {m['ram_gib']} GiB; disk {m['disk']}"
        f" (rotational: {m['disk_rotational']})",
        f"- {m['os']}; Python {m['python']}; Django {m['django']}; {m['gunicorn']}; {m['wrk']}",
        f"- SQLite {m['sqlite']}; PostgreSQL {m.get('postgresql', '-')}"
        + (
            f" (shared_buffers {m['pg_shared_buffers']}, synchronous_commit {m['pg_synchronous_commit']})"
            if "pg_shared_buffers" in m
            else ""
        ),
        f"- load average (1, 5, 15 min) at start {fmt_load(m['load_average_at_start'])},"
        f" at end {fmt_load(m['load_average_at_end'])}",
        "",
    ]
    for db, run in results["runs"].items():
        lines += [f"### {db}", ""]
        plain = (run.get("registration") or {}).get("plain_insert")
        reg = run.get("registration")
        if reg:
            s = reg["service"]
            lines += [
                "| registration, single client | per second | p50 ms | p95 ms | ratio to (a) |",
                "|---|---:|---:|---:|---:|",
                f"| (a) plain INSERT + COMMIT | {plain['per_s']:.0f} | {plain['p50_ms']} | {plain['p95_ms']} | 1 |",
                f"| (b) register_complaint, {s['queries_per_complaint']} queries |"
                f" {s['per_s']:.0f} | {s['p50_ms']} | {s['p95_ms']} | {s['per_s'] / plain['per_s']:.3f} |",
                "",
            ]
        if run.get("http"):
            lines += [
                "| (c) POST /api/v1/complaints (wrk) | requests/s | p50 ms | p95 ms | p99 ms | errors"
                " | created | ratio to (a) |",
                "|---|---:|---:|---:|---:|---:|---:|---:|",
            ]
            for name, h in run["http"].items():
                ratio = f"{h['per_s'] / plain['per_s']:.3f}" if plain else "-"
                lines.append(
                    f"| {name}, {h['connections']} connections, {h['seconds']} s | {h['per_s']:.0f} |"
                    f" {h['p50_ms']} | {h['p95_ms']} | {h['p99_ms']} | {h['errors']} |"
                    f" {h['complaints_created']} | {ratio} |"
                )
            lines.append("")
        if run.get("list"):
            lines += [
                "| list / search (desk clerk, page of 50 + count capped at 10 000) | complaints | matches"
                " | p50 ms | p95 ms | page only p50 / p95 ms |",
                "|---|---:|---:|---:|---:|---:|",
            ]
            for size, data in run["list"].items():
                for name, q in data["queries"].items():
                    pc, po = q["page_and_count"], q["page_only"]
                    lines.append(
                        f"| {name} | {int(size):,} | {q['matches']} | {pc['p50_ms']} | {pc['p95_ms']} |"
                        f" {po['p50_ms']} / {po['p95_ms']} |"
                    )
            loads = ", ".join(
                f"{int(size):,}: {d['load'].get('total_seconds', 0)} s" for size, d in run["list"].items()
            )
            lines += ["", f"Data generation (load + index build): {loads}", ""]
    return "\n".join(lines) + "\n"


def fmt_load(values) -> str:  # type: ignore[no-untyped-def]
    return " / ".join(f"{v:.1f}" for v in values)


if __name__ == "__main__":
    main()
