"""Actions taken per second over HTTP: a real server (gunicorn, sync workers) on 127.0.0.1 and
client threads in this process, each walking its own complaints round a hand-over loop —
the desk proposes a transfer (the general manager is now to approve it), the general manager
rejects it (the desk is to act again) — so that every request is a status change that hands
work over to someone (issue 8: action throughput must not fall as hand-over notifications,
procedures and approvals are added).

The reference, measured in the same run, is the database's own single-row INSERT + COMMIT rate
(bench/registration.py ``plain_inserts``); figures are reported as actions/s and as a ratio to it.

A worker (`kesu worker`) runs beside the server, so work an action leaves to it is paid for in
the same run.

Usage (run.py does this): python bench/actions_http.py DATABASE_URL [--workers 2] [--clients 1,8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CODE_DIR, emit, make_company, recreate_database, server_env, setup_django  # noqa: E402
from http_load import BODY, free_port, start_server, stop_server  # noqa: E402

PROPOSE = {
    "action": "propose_transfer",
    "inputs": {"to_department": "production", "reason": "请生产部核查开裂原因"},
}
REJECT = {"action": "reject_transfer", "inputs": {"comment": "请先补充照片再转交"}}


def _post(conn: http.client.HTTPConnection, path: str, token: str, body: dict) -> tuple[int, dict]:
    conn.request(
        "POST",
        path,
        body=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"{}")


def _client(port: int, complaints: dict[str, int], tokens: dict[str, str], stop: float, out: list) -> None:
    """Walk ``complaints`` (number → version) round propose → reject until ``stop``; record each
    action's latency."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    done, errors, latencies = 0, 0, []
    numbers = list(complaints)
    i = 0
    while time.monotonic() < stop:
        number = numbers[i % len(numbers)]
        i += 1
        for body, who in ((PROPOSE, "desk"), (REJECT, "gm")):
            started = time.monotonic()
            status, answer = _post(
                conn,
                f"/api/v1/complaints/{number}/actions",
                tokens[who],
                {**body, "version": complaints[number]},
            )
            latencies.append(time.monotonic() - started)
            if status == 200:
                done += 1
                complaints[number] = answer["version"]
            else:
                errors += 1
                break
    conn.close()
    out.append((done, errors, latencies))


def run_load(port: int, versions: dict[str, int], tokens: dict[str, str], clients: int, seconds: int) -> dict:
    numbers = list(versions)
    share = max(1, len(numbers) // clients)
    results: list = []
    stop = time.monotonic() + seconds
    parts = [{n: versions[n] for n in numbers[k * share : (k + 1) * share]} for k in range(clients)]
    threads = [threading.Thread(target=_client, args=(port, part, tokens, stop, results)) for part in parts]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    for part in parts:
        versions.update(part)  # the next run goes on from the versions this one left
    done = sum(r[0] for r in results)
    latencies = sorted(x for r in results for x in r[2])
    return {
        "clients": clients,
        "actions": done,
        "errors": sum(r[1] for r in results),
        "per_s": round(done / elapsed, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1) if latencies else None,
        "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 1) if latencies else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", default="1,8")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--complaints", type=int, default=64)
    args = parser.parse_args()

    recreate_database(args.url)
    setup_django(args.url, migrate=True)
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from registration import plain_inserts

    from kesu.organization.models import ApiToken, Department, Role, RoleAssignment, Staff

    clerk = make_company()
    user = get_user_model().objects.create_user(username="bench-gm", password=None)
    office, _ = Department.objects.get_or_create(code="gmo", defaults={"name": "总经办"})
    gm = Staff.objects.create(user=user, display_name="赵总", department=office)
    RoleAssignment.objects.create(staff=gm, role=Role.GENERAL_MANAGER)
    # A CS director beside the clerk: the desk hand-over (a rejected transfer) tells two people.
    user = get_user_model().objects.create_user(username="bench-director", password=None)
    director = Staff.objects.create(user=user, display_name="李主任", department=clerk.department)
    RoleAssignment.objects.create(staff=director, role=Role.CS_DIRECTOR)
    tokens = {
        "desk": ApiToken.issue(staff=clerk, name="bench")[1],
        "gm": ApiToken.issue(staff=gm, name="bench")[1],
    }
    received = (timezone.now() - timedelta(hours=1)).isoformat()
    body = {**BODY, "received_at": received}

    port = free_port()
    server = start_server(args.url, args.workers, port, [])
    # The worker runs beside the server, as in production and `make demo`: whatever an action
    # leaves to it (hand-over notifications, e-mails) competes for the same two cores.
    worker = subprocess.Popen(
        [sys.executable, "-m", "kesu.cli", "worker", "--workers", "1"],
        env=server_env(args.url),
        cwd=CODE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        versions: dict[str, int] = {}
        for _ in range(args.complaints):
            conn.request(
                "POST",
                "/api/v1/complaints",
                body=json.dumps(body, ensure_ascii=False).encode(),
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {tokens['desk']}"},
            )
            response = conn.getresponse()
            registered = json.loads(response.read())
            number = registered["number"]
            status, answer = _post(
                conn,
                f"/api/v1/complaints/{number}/actions",
                tokens["desk"],
                {
                    "action": "classify",
                    "inputs": {"category": BODY["category"]},
                    "version": registered["version"],
                },
            )
            if status != 200:
                sys.exit(f"classify answered {status}: {answer}")
            versions[number] = answer["version"]
        conn.close()
        runs = [
            run_load(port, versions, tokens, int(c), args.seconds)
            for c in args.clients.split(",")
            if c.strip()
        ]
    finally:
        stop_server(server)
        stop_server(worker)
    reference = plain_inserts(args.url, seconds=min(args.seconds, 5), max_rows=50_000)
    for run in runs:
        run["ratio_to_inserts"] = round(run["per_s"] / reference["per_s"], 4) if reference["per_s"] else None
    emit({"part": "actions_http", "workers": args.workers, "runs": runs, "reference_inserts": reference})


if __name__ == "__main__":
    main()
