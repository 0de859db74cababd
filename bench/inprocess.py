"""Registration and actions through the API in one process (Django's test client, no server):
statements per request and CPU seconds per request, for finding where a request's time goes.
Hand-overs run inline here (the worker's share is included), so the CPU figure is the whole cost
of an action, not only the request's.

CPU time (``time.process_time``) is much less sensitive to a busy machine than wall time, and
statement counts not at all; run it against another revision with ``KESU_BENCH_CODE`` (as
``run.py --compare`` does) to see a change as a ratio.

Usage: python bench/inprocess.py DATABASE_URL [--rounds 60] [--profile registration|actions]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import logging
import pstats
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit, make_company, recreate_database, setup_django  # noqa: E402
from http_load import BODY  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--profile", choices=["registration", "actions"], default=None)
    parser.add_argument("--show-queries", action="store_true")
    parser.add_argument("--profile-filter", default="")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--width", type=int, default=220)
    parser.add_argument(
        "--requests-only", action="store_true", help="leave out the hand-overs (the worker's part)"
    )
    args = parser.parse_args()

    recreate_database(args.url)
    setup_django(args.url, migrate=True)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from kesu.organization.models import ApiToken, Department, Role, RoleAssignment, Staff

    settings.ALLOWED_HOSTS = ["*"]
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True  # hand-overs run inline: their cost is counted with the action
    logging.getLogger("huey").setLevel(logging.WARNING)
    # Django empties the query log when a request starts; the counts here span whole requests.
    request_started.disconnect(reset_queries)
    if args.requests_only:
        from kesu.notifications import handover

        handover.enqueue = lambda event_id: None
    clerk = make_company()
    user = get_user_model().objects.create_user(username="bench-gm", password=None)
    office, _ = Department.objects.get_or_create(code="gmo", defaults={"name": "总经办"})
    gm = Staff.objects.create(user=user, display_name="赵总", department=office)
    RoleAssignment.objects.create(staff=gm, role=Role.GENERAL_MANAGER)
    user = get_user_model().objects.create_user(username="bench-director", password=None)
    director = Staff.objects.create(user=user, display_name="李主任", department=clerk.department)
    RoleAssignment.objects.create(staff=director, role=Role.CS_DIRECTOR)
    tokens = {
        "desk": ApiToken.issue(staff=clerk, name="bench")[1],
        "gm": ApiToken.issue(staff=gm, name="bench")[1],
    }
    client = Client()
    received = (timezone.now() - timedelta(hours=1)).isoformat()

    def post(path: str, who: str, body: dict) -> dict:
        response = client.post(
            path,
            data=json.dumps(body, ensure_ascii=False),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {tokens[who]}",
        )
        if response.status_code not in (200, 201):
            sys.exit(f"{path} answered {response.status_code}: {response.content[:300]!r}")
        return response.json()

    def register(i: int) -> dict:
        return post(
            "/api/v1/complaints", "desk", {**BODY, "received_at": received, "complainant_name": f"张{i}"}
        )

    def act(number: str, version: int) -> int:
        answer = post(
            f"/api/v1/complaints/{number}/actions",
            "desk",
            {
                "action": "propose_transfer",
                "inputs": {"to_department": "production", "reason": "请核查"},
                "version": version,
            },
        )
        answer = post(
            f"/api/v1/complaints/{number}/actions",
            "gm",
            {
                "action": "reject_transfer",
                "inputs": {"comment": "请先补充照片"},
                "version": answer["version"],
            },
        )
        return answer["version"]

    # Warm up (imports, caches), then count statements for one of each.
    registered = [register(i) for i in range(3)]
    for r in registered:
        answer = post(
            f"/api/v1/complaints/{r['number']}/actions",
            "desk",
            {"action": "classify", "inputs": {"category": BODY["category"]}, "version": r["version"]},
        )
        r["version"] = answer["version"]
        r["version"] = act(r["number"], r["version"])
    with CaptureQueriesContext(connection) as reg_q:
        one = register(99)
    target = registered[0]
    with CaptureQueriesContext(connection) as propose_q:
        answer = post(
            f"/api/v1/complaints/{target['number']}/actions",
            "desk",
            {
                "action": "propose_transfer",
                "inputs": {"to_department": "production", "reason": "请核查"},
                "version": target["version"],
            },
        )
    with CaptureQueriesContext(connection) as reject_q:
        answer = post(
            f"/api/v1/complaints/{target['number']}/actions",
            "gm",
            {
                "action": "reject_transfer",
                "inputs": {"comment": "请先补充照片"},
                "version": answer["version"],
            },
        )
    target["version"] = answer["version"]
    counts = {
        "registration": len(reg_q.captured_queries),
        "propose_transfer": len(propose_q.captured_queries),
        "reject_transfer": len(reject_q.captured_queries),
    }
    if args.show_queries:
        for name, q in (("registration", reg_q), ("propose", propose_q), ("reject", reject_q)):
            print(f"== {name}: {len(q.captured_queries)}", file=sys.stderr)
            for query in q.captured_queries:
                print("  ", query["sql"][: args.width], file=sys.stderr)
    del one

    def registrations(first: int) -> None:
        for i in range(args.rounds):
            register(first + i)

    def actions() -> None:
        for i in range(args.rounds // 2):
            target = registered[i % len(registered)]
            target["version"] = act(target["number"], target["version"])

    # CPU seconds, without a profiler (noisy on a busy machine: compare interleaved runs).
    started = time.process_time()
    registrations(1000)
    reg_cpu = (time.process_time() - started) / args.rounds
    started = time.process_time()
    actions()
    action_cpu = (time.process_time() - started) / (2 * (args.rounds // 2))

    # Python function calls (cProfile's count): the same for the same code and inputs whatever the
    # machine is doing, like callgrind's instruction count, so two revisions compare exactly.
    calls: dict[str, float] = {}
    for name, work, per in (
        ("registration", lambda: registrations(5000), args.rounds),
        ("action", actions, 2 * (args.rounds // 2)),
    ):
        profiler = cProfile.Profile()
        profiler.enable()
        work()
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr)
        calls[name] = round(stats.total_calls / per)
        if args.profile == name or (args.profile == "actions" and name == "action"):
            stats.sort_stats(args.sort).print_stats(args.profile_filter, 60)
    emit(
        {
            "part": "inprocess",
            "statements": counts,
            "python_calls": calls,
            "cpu_ms": {"registration": round(reg_cpu * 1000, 2), "action": round(action_cpu * 1000, 2)},
        }
    )


if __name__ == "__main__":
    main()
