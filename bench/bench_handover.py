"""Benchmark: what one workflow action costs in process, with the hand-over (待办通知) work.

Walks ``--complaints`` complaints along the furniture main path (propose transfer → approve →
accept → investigate → propose resolution → reply → follow up → close) through the services, one
transaction per action like a request, and reports per action the median time (ms) and the number
of queries in the request; a comment (no hand-over) is the reference a plain action costs. Ratios
to the comment are what to compare between machines and runs, not the absolute figures.

The settings are Kesu's own (not the tests'): the task queue is huey's SQLite file under the data
directory, so an action's after-commit enqueue is the real one. If the code under test has
``kesu.notifications.handover.deliver`` (the worker's part, since the hand-over left the request),
the worker's time per hand-over is measured too, by running it for each timeline entry.

    .venv/bin/python bench/bench_handover.py sqlite:///$PWD/bench/out/handover.sqlite3
    .venv/bin/python bench/bench_handover.py postgres://postgres@127.0.0.1:5432/kesu_notify2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT_DIR, is_postgres, setup_django  # noqa: E402

STEPS = [
    "propose_transfer",
    "approve_transfer",
    "accept_transfer",
    "start_investigation",
    "propose_resolution",
    "reply_to_customer",
    "record_follow_up",
    "close_complaint",
    "add_comment",
]


def fresh(url: str) -> None:
    if is_postgres(url):
        import psycopg

        name = urlsplit(url).path.lstrip("/")
        admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(urlsplit(url).path + suffix).unlink(missing_ok=True)


def company():
    from django.contrib.auth import get_user_model

    from kesu.organization.models import Department, Position, Role, RoleAssignment, Staff

    def person(username, name, department, *roles, position=None):
        user = get_user_model().objects.create_user(username=username, email=f"{username}@example.com")
        staff = Staff.objects.create(user=user, display_name=name, department=department, position=position)
        RoleAssignment.objects.bulk_create([RoleAssignment(staff=staff, role=r) for r in roles])
        return staff

    cs = Department.objects.create(name="客服部", code="cs", is_customer_service=True)
    office = Department.objects.create(name="总经办", code="gm-office")
    production = Department.objects.create(name="生产部", code="production")
    manager = Position.objects.create(name="生产经理", department=production)
    people = {
        "clerk": person("clerk", "王专员", cs, Role.DESK_CLERK),
        "director": person("director", "李主任", cs, Role.CS_DIRECTOR),
        "gm": person("gm", "赵总", office, Role.GENERAL_MANAGER),
        "vp": person("vp", "钱副总", office, Role.VICE_PRESIDENT),
        "head": person("prodhead", "孙经理", production, Role.DEPARTMENT_HEAD, position=manager),
        "handler": person("prodhandler", "周师傅", production, Role.HANDLER),
    }
    for i in range(8):  # a desk of several people: each hand-over to the desk tells them all
        person(f"desk{i}", f"专员{i}", cs, Role.DESK_CLERK)
    return people, production, manager


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--complaints", type=int, default=30)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    fresh(args.url)
    os.environ.setdefault("KESU_DATA_DIR", str(OUT_DIR / "handover-data"))
    # E-mails are sent (to memory) where the code sends them: in the request, or in the worker.
    os.environ["KESU_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    setup_django(args.url, migrate=True)

    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from huey.contrib.djhuey import HUEY

    from kesu.complaints import services
    from kesu.complaints.models import Category, ComplaintEvent, Severity
    from kesu.deadlines.clock_actions import record_delivery

    HUEY.flush()
    p, production, manager = company()
    category = Category.objects.get(code="product_quality")
    severity = Severity.objects.get(code="normal")

    def register():
        return services.register_complaint(
            by=p["clerk"],
            intake=services.Intake(
                channel="phone",
                received_at=timezone.now() - timedelta(hours=1),
                complainant_name="刘先生",
                complainant_phone="13800000000",
                description="沙发扶手开裂，要求更换。",
                category=category,
                severity=severity,
            ),
        )

    def step(name, c):
        if name == "propose_transfer":
            return services.propose_transfer(
                complaint=c, by=p["clerk"], to_department=production, to_position=manager, reason="转生产部"
            )
        if name == "approve_transfer":
            return services.approve_transfer(complaint=c, by=p["gm"])
        if name == "accept_transfer":
            return services.accept_transfer(complaint=c, by=p["head"], handler=p["handler"])
        if name == "start_investigation":
            return services.start_investigation(complaint=c, by=p["handler"])
        if name == "propose_resolution":
            return services.propose_resolution(complaint=c, by=p["handler"], resolution="上门维修")
        if name == "reply_to_customer":
            return services.reply_to_customer(
                complaint=c, by=p["clerk"], reply="已安排维修", channel="phone", satisfaction="satisfied"
            )
        if name == "record_follow_up":
            if not c.events.filter(action="record_delivery").exists():
                c = record_delivery(complaint=c, by=p["clerk"])
            return services.record_follow_up(
                complaint=c, by=p["clerk"], comment="客户满意", satisfaction="very_satisfied"
            )
        if name == "close_complaint":
            return services.close_complaint(complaint=c, by=p["clerk"])
        return services.add_comment(complaint=c, by=p["clerk"], comment="客户来电")

    # warm-up complaint, and the query counts (one complaint, every step captured)
    try:
        from kesu.notifications.handover import deliver
    except ImportError:  # before: the hand-over ran inside the action
        deliver = None

    def worker_part():
        """The worker's part for the entry just written (after: run here, timed apart)."""
        if deliver is not None:
            deliver(event_id=ComplaintEvent.objects.filter(complaint=c).latest("at", "id").pk)

    c = register()
    queries, worker_queries = {}, {}
    for name in STEPS:
        if name == "record_follow_up" and not c.events.filter(action="record_delivery").exists():
            c = record_delivery(complaint=c, by=p["clerk"])
        with CaptureQueriesContext(connection) as captured:
            c = step(name, c)
        queries[name] = len(captured)
        with CaptureQueriesContext(connection) as captured:
            worker_part()
        worker_queries[name] = max(0, len(captured) - 1)  # less the look-up of the entry's id
    samples: dict[str, list[float]] = {name: [] for name in STEPS}
    worker: dict[str, list[float]] = {name: [] for name in STEPS}
    for _ in range(args.complaints):
        c = register()
        for name in STEPS:
            if name == "record_follow_up" and not c.events.filter(action="record_delivery").exists():
                c = record_delivery(complaint=c, by=p["clerk"])
            start = time.perf_counter()
            c = step(name, c)
            samples[name].append((time.perf_counter() - start) * 1000)
            event_id = ComplaintEvent.objects.filter(complaint=c).latest("at", "id").pk
            if deliver is not None:
                start = time.perf_counter()
                deliver(event_id=event_id)
                worker[name].append((time.perf_counter() - start) * 1000)
    result = {
        name: {"p50_ms": round(statistics.median(v), 2), "queries": queries[name]}
        for name, v in samples.items()
    }
    if deliver is not None:
        for name in STEPS:
            result[name]["worker_p50_ms"] = round(statistics.median(worker[name]), 2)
            result[name]["worker_queries"] = worker_queries[name]
    forward = [n for n in STEPS if n != "add_comment"]
    mean_forward = statistics.mean(result[n]["p50_ms"] for n in forward)
    comment = result["add_comment"]["p50_ms"]
    summary = {
        "label": args.label,
        "database": "postgresql" if is_postgres(args.url) else "sqlite",
        "complaints": args.complaints,
        "mean_forward_p50_ms": round(mean_forward, 2),
        "comment_p50_ms": comment,
        "ratio_forward_to_comment": round(mean_forward / comment, 2),
        "mean_forward_queries": round(statistics.mean(result[n]["queries"] for n in forward), 1),
        "comment_queries": result["add_comment"]["queries"],
        "steps": result,
    }
    if deliver is not None:
        summary["mean_worker_p50_ms"] = round(statistics.mean(result[n]["worker_p50_ms"] for n in forward), 2)
        summary["mean_worker_queries"] = round(
            statistics.mean(result[n]["worker_queries"] for n in forward), 1
        )
        events = list(ComplaintEvent.objects.values_list("pk", flat=True)[:50])
        # What is left in the request: one enqueue after commit (huey's storage: its SQLite file
        # here, Redis where KESU_REDIS_URL is set).
        from kesu.notifications.tasks import tell_next

        HUEY.flush()
        enqueues = []
        for pk in events[:50]:
            start = time.perf_counter()
            tell_next(pk)
            enqueues.append((time.perf_counter() - start) * 1000)
        summary["enqueue_p50_ms"] = round(statistics.median(enqueues), 2)
        summary["queue"] = type(HUEY).__name__
    HUEY.flush()
    summary["machine"] = (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}"
    )
    print(json.dumps(summary, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
