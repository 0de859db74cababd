"""Complaints registered per second over HTTP: a real server (gunicorn, several sync workers) on
127.0.0.1 and a load generator (wrk, with bench/post.lua) POSTing /api/v1/complaints with a bearer
token, with several connections at once.

Usage (run.py does this): python bench/http_load.py DATABASE_URL [--workers 2,4] [--connections 8]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    BENCH_DIR,
    CODE_DIR,
    PROJECT_DIR,
    emit,
    is_postgres,
    make_company,
    recreate_database,
    server_env,
    setup_django,
)

BODY = {
    "channel": "api",
    "complainant_name": "张先生",
    "complainant_phone": "13800138000",
    "description": "客户反映新买的实木餐桌桌面开裂，漆面有明显色差，要求上门检查并更换。",
    "category": "product_quality",
    "severity": "normal",
}


def free_port() -> int:
    """A free port, or KESU_BENCH_PORT where a session is given its own ports."""
    if os.environ.get("KESU_BENCH_PORT"):
        return int(os.environ["KESU_BENCH_PORT"])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    if port == 8000:  # the demo's port is never used
        return free_port()
    return port


def start_server(url: str, workers: int, port: int, extra: list[str]) -> subprocess.Popen:
    command = [
        str(PROJECT_DIR / ".venv" / "bin" / "gunicorn"),
        "kesu.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--log-level", "warning",
        *extra,
    ]  # fmt: skip
    server = subprocess.Popen(command, env=server_env(url), cwd=CODE_DIR)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2):
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("the server did not start")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def post_once(port: int, token: str, body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/complaints",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def wrk(
    port: int, token: str, body: bytes, *, connections: int, seconds: int, varied: dict | None = None
) -> dict:
    """One wrk run. ``varied`` (categories, severities, received_at): every request a different
    body (bench/post_varied.lua); otherwise ``body`` repeated (bench/post.lua)."""
    env = {**os.environ, "BENCH_TOKEN": token, "BENCH_BODY": body.decode()}
    script = "post.lua"
    if varied is not None:
        script = "post_varied.lua"
        env.update(
            BENCH_CATEGORIES=",".join(varied["categories"]),
            BENCH_SEVERITIES=",".join(varied["severities"]),
            BENCH_RECEIVED_AT=varied["received_at"],
        )
    command = [
        "wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s",
        "-s", str(BENCH_DIR / script), f"http://127.0.0.1:{port}/api/v1/complaints",
    ]  # fmt: skip
    output = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK-RESULT "))
    raw = json.loads(line.removeprefix("WRK-RESULT "))
    errors = sum(v for k, v in raw.items() if k.startswith("errors_"))
    return {
        "requests": raw["requests"],
        "seconds": round(raw["duration_us"] / 1e6, 2),
        "per_s": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "errors": errors,
        "error_detail": {k: v for k, v in raw.items() if k.startswith("errors_") and v},
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "max_ms": round(raw["max_us"] / 1000, 1),
    }


def cpu_seconds(server: subprocess.Popen, database: str) -> float:
    """CPU time (user + system) used so far by the gunicorn master and workers and by the
    PostgreSQL backends connected to ``database`` (from /proc; 0 where it cannot be read)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == server.pid or ppid == server.pid or (database and f" {database} " in f" {cmdline} "):
            total += int(fields[11]) + int(fields[12])
    return total / tick


def statements_per_post(token: str, body: bytes) -> dict:
    """One POST in this process (Django's test client, same settings) with its SQL counted."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    client.post("/api/v1/complaints", body, content_type="application/json")  # warm caches
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/complaints", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return {"statements": len(queries), "sql": [q["sql"][:120] for q in queries]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--workers", default="2,4")
    parser.add_argument("--connections", default="1,8", help="wrk connections (clients), e.g. 1,8")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--same-body", action="store_true", help="repeat one body (bench/post.lua)")
    parser.add_argument("--gunicorn-args", default="", help="extra gunicorn options, e.g. '--threads 2'")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")

    recreate_database(args.url)
    setup_django(args.url, migrate=True)
    from django.db import connection
    from django.utils import timezone
    from registration import plain_inserts

    from kesu.complaints.models import Category, Complaint, Severity
    from kesu.organization.models import ApiToken

    # PostgreSQL backends show their database in their command line; SQLite runs in the workers.
    database = urlsplit(args.url).path.lstrip("/") if is_postgres(args.url) else ""
    clerk = make_company()
    _row, token = ApiToken.issue(staff=clerk, name="bench")
    received = (timezone.now() - timedelta(hours=1)).isoformat()
    body = json.dumps({**BODY, "received_at": received}, ensure_ascii=False).encode()
    statements = statements_per_post(token, body)
    # Every active class and severity the API accepts (a class with sub-classes may not be).
    varied = None
    if not args.same_body:
        codes = list(Category.objects.filter(is_active=True).values_list("code", flat=True))
        varied = {
            "categories": [],
            "severities": list(Severity.objects.values_list("code", flat=True)),
            "received_at": received,
        }
    connection.close()

    reference = [plain_inserts(args.url, seconds=args.seconds, max_rows=10**6)]
    print(f"plain INSERT + COMMIT: {reference[0]}", file=sys.stderr, flush=True)
    results: dict = {"statements_per_post": statements, "same_body": args.same_body, "runs": {}}
    for workers in [int(w) for w in args.workers.split(",")]:
        port = free_port()
        server = start_server(args.url, workers, port, args.gunicorn_args.split())
        try:
            status, reply = post_once(port, token, body)
            if status != 201:
                raise RuntimeError(f"POST /api/v1/complaints answered {status}: {reply}")
            if varied is not None and not varied["categories"]:
                for code in codes:
                    one = json.dumps({**BODY, "received_at": received, "category": code}).encode()
                    if post_once(port, token, one)[0] == 201:
                        varied["categories"].append(code)
            for connections in [int(c) for c in args.connections.split(",")]:
                wrk(port, token, body, connections=connections, seconds=2, varied=varied)  # warm-up
                before = Complaint.objects.count()
                cpu_before = cpu_seconds(server, database)
                result = wrk(port, token, body, connections=connections, seconds=args.seconds, varied=varied)
                cpu = cpu_seconds(server, database) - cpu_before
                time.sleep(0.5)
                result["complaints_created"] = Complaint.objects.count() - before
                # CPU of the server side (workers + database backends) per registration: on these
                # 2 cores, 2000 ms / this is the ceiling of registrations per second.
                result["server_cpu_ms_per_request"] = round(cpu * 1000 / max(1, result["requests"]), 1)
                result["load_average"] = os.getloadavg()[0]
                connection.close()
                result.update(workers=workers, connections=connections)
                results["runs"][f"{workers} workers, {connections} clients"] = result
                print(f"{workers} workers, {connections} clients: {result}", file=sys.stderr, flush=True)
        finally:
            stop_server(server)
    reference.append(plain_inserts(args.url, seconds=args.seconds, max_rows=10**6))
    print(f"plain INSERT + COMMIT: {reference[1]}", file=sys.stderr, flush=True)
    results["plain_insert"] = reference
    results["plain_insert_per_s"] = round(sum(r["per_s"] for r in reference) / len(reference), 1)
    results["classes"] = varied["categories"] if varied else [BODY["category"]]
    emit(results)


if __name__ == "__main__":
    main()
