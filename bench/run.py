"""Kesu benchmarks: `make bench` (= .venv/bin/python bench/run.py). See bench/RESULTS.md.

Runs each part in its own process, on SQLite and on PostgreSQL, and writes the figures with the
machine's facts to bench/out/report.md and bench/out/results-<time>.json:

  registration  (a) plain single-row inserts, one per transaction — the reference;
                (b) complaints through the service layer (register_complaint), one per transaction
  http          (c) POST /api/v1/complaints on gunicorn (2 and 4 workers) driven by wrk, 1 and 8
                clients, a different body per request; reference: plain INSERT + COMMIT in the same run
  actions       actions over HTTP (gunicorn, 2 workers), 1 and 8 clients walking their complaints
                round propose transfer (desk) → reject transfer (GM): each one a hand-over
  inprocess     registration and actions through the API in one process (Django's test client),
                hand-overs inline: statements, Python calls and CPU ms per request
  long          registration and one action with a 10 000-character description vs a short one;
                kesu_bigrams vs 0003's at 10k/20k/40k characters (PostgreSQL); a 2-character search
                with and without long descriptions in the table
  list          list page and searches at each size (p50/p95)
  pages         the workbench, a complaint page, the list, a search and the figures through HTTP
                (gunicorn, a signed-in CS director) at each size (p50/p95); with --old REV also
                served from that git revision, side by side

Examples:
  bench/run.py                                      everything, sizes 100 000 and 1 000 000
  bench/run.py --sizes 100000 --only list           the list at 100 000 only
  bench/run.py --db postgres --only registration,http
  bench/run.py --only long,http --compare main      the same parts with revision `main`'s code
                                                    first, then this tree's; before/after ratios
  bench/run.py --only pages --old main              pages, this checkout against main
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
PARTS = ("registration", "http", "actions", "inprocess", "long", "list", "pages")


def run_part(script: str, args: list[str], timeout: int, code: Path | None = None) -> dict | None:
    """Run one benchmark script in its own process; ``code``: another checkout's Kesu to measure."""
    command = [PYTHON, str(BENCH_DIR / script), *args]
    print("$", *([f"KESU_BENCH_CODE={code}"] if code else []), " ".join(command), flush=True)
    env = {**os.environ, "KESU_BENCH_CODE": str(code or PROJECT_DIR)}
    started = time.monotonic()
    process = subprocess.run(
        command, cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True, timeout=timeout, check=False, env=env
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
    parser.add_argument("--connections", default="1,8", help="wrk connections (clients) for the HTTP run")
    parser.add_argument("--keep", action="store_true", help="keep the list databases for a rerun")
    parser.add_argument(
        "--prefix", default="kesu_bench", help="database name prefix (must start with kesu_bench)"
    )
    parser.add_argument("--long-rows", type=int, default=100, help="long part: 10 000-char rows added")
    parser.add_argument("--search-rows", type=int, default=100_000, help="long part: table size")
    parser.add_argument(
        "--compare",
        metavar="REV",
        help="also run each part with git revision REV's code (a worktree in bench/out/), first,"
        " and print the ratios this tree / REV",
    )
    parser.add_argument("--old", help="pages: also serve each page from this git revision")
    parser.add_argument(
        "--old-forms", action="store_true", help="list: also time the old search and figures queries"
    )
    parser.add_argument("--port", type=int, default=8201, help="pages: the servers' ports (this and +1)")
    args = parser.parse_args()
    databases = [d.strip() for d in args.db.split(",") if d.strip()]
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    if unknown := (set(parts) - set(PARTS)) | (set(databases) - {"sqlite", "postgres"}):
        parser.error(f"unknown: {', '.join(sorted(unknown))}")

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    codes: list[tuple[str, Path | None]] = [("current", None)]
    if args.compare:
        codes.insert(0, (args.compare, checkout(args.compare)))
    results: dict = {"machine": machine_facts(args.postgres if "postgres" in databases else None), "runs": {}}
    for db in databases:
        url = (lambda name: pg_url(args.postgres, name)) if db == "postgres" else sqlite_url
        for label, code in codes:
            key = db if label == "current" else f"{db} @ {label}"
            results["runs"][key] = run_parts(args, parts, url, code)
        for name in (
            "reg",
            "http",
            "actions",
            "inprocess",
            "long",
            *([] if args.keep else ["list", "pages"]),
        ):
            drop_database(url(f"{args.prefix}_{name}"))
    results["machine"]["load_average_at_end"] = os.getloadavg()

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (OUT_DIR / f"results-{stamp}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    report = render(results)
    if args.compare:
        report += compare(results, args.compare)
    (OUT_DIR / "report.md").write_text(report)
    print(report)
    print(f"(written to {OUT_DIR / 'report.md'} and results-{stamp}.json)")


def run_parts(args: argparse.Namespace, parts: list[str], url, code: Path | None) -> dict:
    run: dict = {}
    seconds = ["--seconds", str(args.seconds)]
    if "registration" in parts:
        run["registration"] = run_part(
            "registration.py", [url(f"{args.prefix}_reg"), *seconds], timeout=300, code=code
        )
    if "http" in parts:
        run["http"] = run_part(
            "http_load.py",
            [
                url(f"{args.prefix}_http"),
                "--workers",
                args.workers,
                "--connections",
                args.connections,
                *seconds,
            ],
            timeout=900,
            code=code,
        )
    if "actions" in parts:
        run["actions"] = run_part(
            "actions_http.py",
            [url(f"{args.prefix}_actions"), "--clients", args.connections, *seconds],
            timeout=600,
            code=code,
        )
    if "inprocess" in parts:
        run["inprocess"] = run_part(
            "inprocess.py", [url(f"{args.prefix}_inprocess"), "--rounds", "100"], timeout=600, code=code
        )
    if "long" in parts:
        run["long"] = run_part(
            "long_text.py",
            [
                url(f"{args.prefix}_long"),
                *seconds,
                "--rows",
                str(args.search_rows),
                "--long-rows",
                str(args.long_rows),
            ],
            timeout=1800,
            code=code,
        )
    if "list" in parts:
        list_args = [
            url(f"{args.prefix}_list"),
            "--sizes",
            args.sizes,
            *(["--old"] if args.old_forms else []),
        ]
        run["list"] = run_part(
            "listing.py", [*list_args, *([] if args.keep else ["--fresh"])], timeout=1800, code=code
        )
    if "pages" in parts:
        pages_args = [url(f"{args.prefix}_pages"), "--sizes", args.sizes, "--port", str(args.port)]
        pages_args += ["--old", args.old] if args.old else []
        run["pages"] = run_part(
            "pages.py", [*pages_args, *([] if args.keep else ["--fresh"])], timeout=5400, code=code
        )
    return run


def checkout(revision: str) -> Path:
    """A detached `git worktree` of ``revision`` under bench/out/ (reused if it is already there)."""
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{revision}^{{commit}}"],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    path = OUT_DIR / f"rev-{sha[:12]}"
    if not (path / "kesu").is_dir():
        subprocess.run(["git", "worktree", "add", "--detach", str(path), sha], cwd=PROJECT_DIR, check=True)
    return path


# ---------------------------------------------------------------------------------------------
# Report


def _figures(data, prefix: str = "") -> dict[str, float]:
    """The comparable numbers of a part's result, by path (rates, medians, statement counts)."""
    out: dict[str, float] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(_figures(value, f"{prefix} / {key}" if prefix else str(key)))
    elif isinstance(data, (int, float)) and not isinstance(data, bool):
        leaf = prefix.rsplit(" / ", 1)[-1]
        parent = prefix.rsplit(" / ", 2)[-2] if prefix.count(" / ") >= 1 else ""
        if (
            leaf in ("per_s", "p50_ms", "statements", "queries_per_complaint")
            or leaf.startswith("ratio")
            or parent in ("statements", "python_calls", "cpu_ms")
        ):
            out[prefix] = data
    return out


def compare(results: dict, revision: str) -> str:
    lines = [f"## This tree vs {revision} (same run, interleaved per part)", ""]
    for key, run in results["runs"].items():
        if " @ " in key:
            continue
        before = results["runs"].get(f"{key} @ {revision}") or {}
        lines += [
            f"### {key}",
            "",
            f"| figure | {revision} | this tree | this tree / {revision} |",
            "|---|---:|---:|---:|",
        ]
        for part, data in run.items():
            now, old = _figures(data), _figures(before.get(part))
            for path, value in now.items():
                if path in old:
                    ratio = f"{value / old[path]:.2f}" if old[path] else "-"
                    lines.append(f"| {part}: {path} | {old[path]:g} | {value:g} | {ratio} |")
        lines.append("")
    return "\n".join(lines)


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
            http = run["http"]
            ref = http["plain_insert_per_s"]
            body = "one repeated body" if http.get("same_body") else "a different body per request"
            lines += [
                f"POST /api/v1/complaints (wrk, {body}; {http['statements_per_post']['statements']} SQL"
                f" statements per POST incl. BEGIN/COMMIT); reference (a) plain INSERT + COMMIT in the same"
                f" run: {ref:.0f}/s (before and after: {', '.join(str(r['per_s']) for r in http['plain_insert'])})",
                "",
                "| (c) HTTP registration | requests/s | p50 ms | p95 ms | errors | created | ratio to (a)"
                " | vs 1 client | server CPU ms / request | load avg |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            ]
            singles = {h["workers"]: h["per_s"] for h in http["runs"].values() if h["connections"] == 1}
            for name, h in http["runs"].items():
                single = singles.get(h["workers"])
                scaling = f"{h['per_s'] / single:.2f}" if single else "-"
                lines.append(
                    f"| {name} | {h['per_s']:.1f} | {h['p50_ms']} | {h['p95_ms']} | {h['errors']} |"
                    f" {h['complaints_created']} | {h['per_s'] / ref:.3f} |"
                    f" {scaling} |"
                    f" {h.get('server_cpu_ms_per_request', '-')} | {h['load_average']:.1f} |"
                )
            lines.append("")
        if run.get("long"):
            long = run["long"]
            ra = long["registration_and_action"]
            lines += [
                "| 10 000-character description vs ~40 (interleaved) | n | p50 ms | p95 ms |",
                "|---|---:|---:|---:|",
                *(
                    f"| {name} | {ra[name]['n']} | {ra[name]['p50_ms']} | {ra[name]['p95_ms']} |"
                    for name in ("register short", "register long", "comment short", "comment long")
                ),
                f"| **ratio long / short (p50)** | | register **{ra['ratio register long/short (p50)']}**"
                f" | comment **{ra['ratio comment long/short (p50)']}** |",
                "",
            ]
            if long.get("bigram_function"):
                lines += [
                    "| `SELECT kesu_bigrams($1)` | current (ms) | 0003's (ms) |",
                    "|---|---:|---:|",
                    *(f"| {k} | {v['current']} | {v['0003']} |" for k, v in long["bigram_function"].items()),
                    "",
                ]
            if long.get("search"):
                se = long["search"]
                lines += [
                    f"2-character search (page + capped count) at {se['rows']:,} complaints, before and after"
                    f" adding {se['long_rows']} complaints with 10 000-character descriptions containing the"
                    f" words (inserted in {se['long_rows_insert_s']} s):",
                    "",
                    "| search | matches before / after | p50 ms before | p50 ms after | after / before |",
                    "|---|---:|---:|---:|---:|",
                    *(
                        f"| {word} | {se['without_long'][word]['matches']} / {se['with_long'][word]['matches']} |"
                        f" {se['without_long'][word]['p50_ms']} | {se['with_long'][word]['p50_ms']} |"
                        f" {se['ratio with/without (p50)'][word]} |"
                        for word in se["without_long"]
                    ),
                    "",
                ]
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
        if run.get("pages"):
            lines += render_pages(run["pages"])
    return "\n".join(lines) + "\n"


def render_pages(pages: dict) -> list[str]:
    old = pages.get("old")
    head = "| page (HTTP, CS director) | complaints | p50 ms | p95 ms | p95 / static file |"
    rule = "|---|---:|---:|---:|---:|"
    if old:
        head += f" {old}: p50 / p95 ms | p95 old / new |"
        rule += "---:|---:|"
    lines = [head, rule]
    for size, data in pages.items():
        if size == "old":
            continue
        reference = data["pages"]["reference: static file"]["new"]["p95_ms"]
        for name, by in data["pages"].items():
            new = by["new"]
            line = (
                f"| {name} | {int(size):,} | {new['p50_ms']} | {new['p95_ms']} |"
                f" {new['p95_ms'] / reference:.1f} |"
            )
            if old:
                was = by.get("old")
                line += (
                    f" {was['p50_ms']} / {was['p95_ms']} | {was['p95_ms'] / new['p95_ms']:.1f} |"
                    if was
                    else " - | - |"
                )
            lines.append(line)
    return [*lines, ""]


def fmt_load(values) -> str:
    return " / ".join(f"{v:.1f}" for v in values)


if __name__ == "__main__":
    main()
