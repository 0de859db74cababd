"""`kesu demo` runs the worker beside the web server (issue 8 §5: the demo shows reminders and
notification e-mails with no extra command), and the worker stops with the demo."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.serving import PROJECT_DIR, free_port


def children_of(pid: int) -> list[tuple[int, str]]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append((int(entry.name), cmdline))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc (Linux)")
def test_kesu_demo_starts_the_worker_beside_the_server_and_stops_it(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kesu.settings",
        "KESU_DATA_DIR": str(tmp_path),
        "KESU_DATABASE_URL": f"sqlite:///{tmp_path / 'kesu.sqlite3'}",
        "KESU_DEBUG": "false",
    }
    env.pop("KESU_SECRET_KEY", None)  # the demo makes its own
    log = tmp_path / "demo.log"
    with log.open("wb") as output:
        demo = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kesu.cli",
                "demo",
                "--complaints",
                "2",
                "--port",
                str(port),
                "--workers",
                "1",
            ],
            env=env,
            cwd=PROJECT_DIR,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    worker_pid = None
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and demo.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        assert demo.poll() is None, log.read_text(errors="replace")
        # then: the demo process is the web server now, and the worker is its child
        workers = [pid for pid, cmd in children_of(demo.pid) if "kesu.cli worker" in cmd]
        assert len(workers) == 1, children_of(demo.pid)
        worker_pid = workers[0]
        assert "Worker started" in log.read_text(errors="replace") or "已启动" in log.read_text(
            errors="replace"
        )
    finally:
        demo.terminate()
        try:
            demo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            demo.kill()
            demo.wait(timeout=5)
    # and the worker stops with it
    deadline = time.monotonic() + 20
    while worker_pid and alive(worker_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if worker_pid and alive(worker_pid):
        os.kill(worker_pid, signal.SIGKILL)
        pytest.fail("the worker outlived the demo")
