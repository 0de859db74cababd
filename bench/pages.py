"""The pages people wait on, through HTTP, with a signed-in customer-service director (客服部主管):
the workbench, a complaint page, the list, a 2-character Chinese search and the figures for six
months, p50/p95 over sequential requests on one keep-alive connection.

The data: the list benchmark's complaints (bench/data.py via listing.fill) plus one clock per open
complaint — due times spread from 30 days ago to 30 days ahead of now, one in twenty paused — and
``Complaint.next_due_at`` filled from them, as the clock service keeps it. The reference, measured
in the same run on the same server: a static file (no database), and a ``SELECT 1`` round trip.

With ``--old REV`` a second gunicorn serves the same database from that git revision of Kesu (its
source extracted with ``git archive``; the new column is ignored by older code), and every page is
measured on both, interleaved, so a change shows as a ratio.

Usage (run.py does this): python bench/pages.py DATABASE_URL --sizes 100000,1000000 [--old REV]
    [--port 8201] [--fresh] [--only dashboard]; then, on the same database, ``--queries`` for the database side alone.
"""

from __future__ import annotations

import argparse
import http.client
import random
import subprocess
import sys
import tarfile
import time
from datetime import date, timedelta
from importlib import import_module
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    OUT_DIR,
    PROJECT_DIR,
    emit,
    is_postgres,
    make_company,
    recreate_database,
    server_env,
    setup_django,
    timings,
)
from data import FIRST_DAY, SEARCH_2  # noqa: E402
from listing import DAYS, _create_pg_if_missing, fill  # noqa: E402

TERMINAL = ("closed", "not_upheld", "withdrawn")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--budget", type=float, default=20, help="seconds at most per page and server")
    parser.add_argument("--port", type=int, default=8201, help="the new server's port; the old one +1")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--old", help="a git revision to measure side by side (e.g. main)")
    parser.add_argument(
        "--only", action="append", help="measure only the pages whose name starts so (repeatable)"
    )
    parser.add_argument("--fresh", action="store_true", help="drop the database first (default: reuse)")
    parser.add_argument(
        "--queries",
        action="store_true",
        help="only this checkout's database side, in process, on the data already there: queries per"
        " page and the time the database spends on them (a figure the CPU load moves less)",
    )
    parser.add_argument(
        "--fill-only",
        action="store_true",
        help="only load the data (complaints, clocks, next_due_at) and stop: a later run without it"
        " measures on that data (so two databases can be filled at once and measured one by one)",
    )
    args = parser.parse_args()
    if args.queries:
        setup_django(args.url, migrate=False)
        emit({"queries": database_side(args.repeat)})
        return
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if args.fresh:
        recreate_database(args.url)
    elif is_postgres(args.url):
        _create_pg_if_missing(args.url)
    setup_django(args.url, migrate=True)
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    make_company()
    cookie = director_session()
    old_dir = extract(args.old) if args.old and not args.fill_only else None
    results: dict = {"old": args.old}
    for size in sizes:
        # The clocks and next_due_at while the complaint table's indexes are dropped (see fill).
        load = fill(size, total=max(sizes), before_indexes=add_clocks)
        if args.fill_only:
            results[str(size)] = {"load": load}
            print(f"size {size}: {load}", file=sys.stderr, flush=True)
            continue
        servers = {"new": start(args.url, PROJECT_DIR, args.port, args.workers)}
        if old_dir:
            servers["old"] = start(args.url, old_dir, args.port + 1, args.workers)
        try:
            results[str(size)] = {
                "load": load,
                "pages": measure(servers, cookie, size, args.repeat, args.budget, tuple(args.only or ())),
            }
        finally:
            for server, _port in servers.values():
                stop(server)
        print(f"size {size}: {results[str(size)]}", file=sys.stderr, flush=True)
    emit(results)


# ---------------------------------------------------------------------------------------------
# Data


def director_session() -> str:
    """A CS director (客服部主管) and a signed-in session for them: the session cookie's value."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from kesu.organization.models import Department, Role, RoleAssignment, Staff

    user = get_user_model().objects.filter(username="bench-director").first()
    if user is None:
        user = get_user_model().objects.create_user(username="bench-director", password=None)
        staff = Staff.objects.create(
            user=user, display_name="李主管", department=Department.objects.get(code="cs")
        )
        RoleAssignment.objects.create(staff=staff, role=Role.CS_DIRECTOR)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.set_expiry(24 * 3600)
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def add_clocks() -> float:
    """One resolution clock per open complaint, due from 30 days ago to 30 days ahead of now (one in
    twenty paused), then ``next_due_at`` for them. ``listing.fill`` already gives every complaint it
    loads one clock (due a day after receipt, running while open): those of open complaints are
    moved to that window (one UPDATE); complaints without any clock get one (one INSERT … SELECT).
    Complaints whose ``next_due_at`` is set were done by an earlier, smaller size and are skipped."""
    from django.apps import apps
    from django.db import connection, transaction

    started = time.perf_counter()
    if connection.vendor == "postgresql":
        due = "now() - interval '30 days' + ((c.id * 7919) % 5184000) * interval '1 second'"
        false = "false"
    else:
        due = (
            "strftime('%Y-%m-%d %H:%M:%f', 'now', '-30 days', '+' || ((c.id * 7919) % 5184000) || ' seconds')"
        )
        false = "0"
    terminal = ", ".join(f"'{s}'" for s in TERMINAL)
    state = "CASE WHEN c.id % 20 = 0 THEN 'paused' ELSE 'running' END"
    open_complaints = f"c.status NOT IN ({terminal}) AND c.next_due_at IS NULL"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE deadlines_complaintclock SET kind = 'resolution', amount = 5, unit = 'working_days',
                    remind_before_hours = 4,
                    due_at = {due}, state = {state}, stopped_at = NULL
                FROM complaints_complaint c
                WHERE c.id = deadlines_complaintclock.complaint_id AND {open_complaints}"""
        )
        cursor.execute(
            f"""INSERT INTO deadlines_complaintclock (complaint_id, kind, amount, unit, count_start_day,
                    pausable, remind_before_hours, started_at, due_at, due_error, state, extended_by,
                    escalation_level, late_reason)
                SELECT c.id, 'resolution', 5, 'working_days', {false}, {false}, 4, c.registered_at, {due}, '',
                       {state}, 0, 0, ''
                FROM complaints_complaint c
                WHERE {open_complaints}
                  AND NOT EXISTS (SELECT 1 FROM deadlines_complaintclock k WHERE k.complaint_id = c.id)"""
        )
    # next_due_at as the data migration fills it for existing complaints (and times that too).
    fill_next_due = import_module("kesu.deadlines.migrations.0004_fill_next_due_at").fill
    with transaction.atomic():
        fill_next_due(apps, connection.schema_editor())
    return round(time.perf_counter() - started, 1)


# ---------------------------------------------------------------------------------------------
# Servers


def extract(revision: str) -> Path:
    """The source of ``revision`` under bench/out/rev-<sha>/ (git archive; no worktree)."""
    sha = subprocess.run(
        ["git", "rev-parse", revision], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    ).stdout.strip()
    target = OUT_DIR / f"rev-{sha[:12]}"
    if not (target / "kesu" / "settings.py").exists():
        archive = subprocess.run(
            ["git", "archive", "--format=tar", sha, "kesu"], cwd=PROJECT_DIR, capture_output=True, check=True
        ).stdout
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(target, filter="data")
    return target


def start(url: str, source: Path, port: int, workers: int) -> tuple[subprocess.Popen, int]:
    """gunicorn serving Kesu from ``source`` (its ``kesu`` package comes first on the path)."""
    env = {**server_env(url), "PYTHONPATH": str(source)}
    command = [
        str(PROJECT_DIR / ".venv" / "bin" / "gunicorn"),
        "kesu.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--log-level", "warning",
        "--timeout", "300",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=source)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/static/kesu/kesu.css")
            if conn.getresponse().status == 200:
                conn.close()
                return server, port
        except OSError:
            time.sleep(0.3)
    stop(server)
    raise RuntimeError(f"the server from {source} did not start on port {port}")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# ---------------------------------------------------------------------------------------------
# Measuring


class Client:
    """One keep-alive HTTP connection with the director's session cookie."""

    def __init__(self, port: int, cookie: str) -> None:
        self.port, self.cookie = port, cookie
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def get(self, path: str) -> int:
        try:
            self.conn.request("GET", path, headers={"Cookie": self.cookie})
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
            self.conn.request("GET", path, headers={"Cookie": self.cookie})
            response = self.conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path} on port {self.port}: {response.status}")
        return response.status


def measure(
    servers: dict, cookie: str, size: int, repeat: int, budget: float, only: tuple[str, ...] = ()
) -> dict:
    from django.db import connection

    from kesu.complaints.models import Complaint

    rng = random.Random(size)
    last = Complaint.objects.order_by("-pk").values_list("pk", flat=True)[0]
    open_statuses = Complaint.objects.exclude(status__in=TERMINAL)
    numbers = [
        open_statuses.filter(pk__gte=rng.randint(1, last)).order_by("pk").values_list("number", flat=True)[0]
        for _ in range(10)
    ]
    data_end = (FIRST_DAY + timedelta(days=DAYS)).date()
    since = date(data_end.year, data_end.month, 1) - timedelta(days=152)
    since = since.replace(day=1)
    pages = {
        "reference: static file": lambda i: "/static/kesu/kesu.css",
        "workbench": lambda i: "/",
        "complaint page": lambda i: f"/complaints/{numbers[i % len(numbers)]}/",
        "list": lambda i: "/complaints/",
        f"search q={SEARCH_2} (2 chars)": lambda i: f"/complaints/?q={SEARCH_2}",
        "figures, six months": lambda i: f"/figures/?since={since}&until={data_end}&by=month",
        # the statistics dashboard (issue 12): its default view (six months by month) and a month
        "dashboard, six months by month": lambda i: f"/statistics/?since={since}&until={data_end}&by=month",
        "dashboard, one month by class": lambda i: (
            f"/statistics/?since={data_end.replace(day=1)}&until={data_end}&by=category"
        ),
    }
    if only:
        pages = {name: path for name, path in pages.items() if name.startswith(("reference", *only))}
    clients = {name: Client(port, cookie) for name, (_server, port) in servers.items()}

    def select_1() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    out: dict = {"reference: SELECT 1 (in process)": {"new": timings(select_1, repeat=200, budget_s=5)}}
    for name, path in pages.items():
        out[name] = {}
        for which, client in clients.items():
            counter = iter(range(10**6))
            out[name][which] = timings(
                lambda client=client, counter=counter, path=path: client.get(
                    path(next(counter)).replace(SEARCH_2, _quoted(SEARCH_2))
                ),
                repeat=repeat,
                warmup=2,
                budget_s=budget,
            )
    return out


def database_side(repeat: int) -> dict:
    """Each page through Django's test client in this process (no HTTP, this checkout's code):
    how many queries it makes and the database time they take (p50/p95 over ``repeat``)."""
    import statistics

    from common import percentile
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    from kesu.complaints.models import Complaint

    client = DjangoClient(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username="bench-director"))
    numbers = list(
        Complaint.objects.exclude(status__in=TERMINAL).order_by("pk").values_list("number", flat=True)[:10]
    )
    pages = {"workbench": lambda i: "/", "complaint page": lambda i: f"/complaints/{numbers[i % 10]}/"}
    out = {}
    for name, path in pages.items():
        samples, count, slowest = [], 0, {"time": "0", "sql": ""}
        for i in range(repeat + 2):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path(i)).status_code == 200
            if i >= 2:  # warm-up
                samples.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
                count = len(captured.captured_queries)
                slowest = max([slowest, *captured.captured_queries], key=lambda q: float(q["time"]))
        out[name] = {
            "queries": count,
            "db_p50_ms": round(statistics.median(samples), 2),
            "db_p95_ms": round(percentile(samples, 95), 2),
            "slowest_ms": round(float(slowest["time"]) * 1000, 1),
            "slowest_sql": "… " + slowest["sql"][slowest["sql"].find(" FROM ") :][:700],
            "slowest_plan": _plan(slowest["sql"]),
        }
    return out


def _plan(sql: str) -> list[str]:
    """The database's plan for a logged statement (its parameters are inlined in the log)."""
    from django.db import connection

    if not sql:
        return []
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql.replace("%", "%%"), [] if connection.vendor == "postgresql" else None)
        return [" ".join(str(v) for v in row) for row in cursor.fetchall()]


def _quoted(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


if __name__ == "__main__":
    main()
