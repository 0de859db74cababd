"""`kesu serve` in its own process, for the tests that need the real server: migrated SQLite in a
temporary data directory, one worker, started and stopped within bounded time."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


@contextmanager
def kesu_serve(data_dir: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """Yields the server process once its port accepts connections; its log is data_dir/serve.log."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kesu.settings",
        "KESU_SECRET_KEY": "serve-test-key-0123456789-0123456789-0123456789",
        "KESU_DATA_DIR": str(data_dir),
        "KESU_DATABASE_URL": f"sqlite:///{data_dir / 'kesu.sqlite3'}",
        "KESU_DEBUG": "false",
    }
    kesu = [sys.executable, "-m", "kesu.cli"]
    subprocess.run([*kesu, "migrate", "-v0"], env=env, cwd=PROJECT_DIR, check=True, timeout=120)
    log = data_dir / "serve.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [*kesu, "serve", "--port", str(port), "--workers", "1"],
            env=env,
            cwd=PROJECT_DIR,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        assert process.poll() is None, f"kesu serve did not start: {log.read_text(errors='replace')}"
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def free_port() -> int:
    """A port nobody listens on now, chosen by the system: tests that start a server never
    collide with another run's server on a fixed port (several checkouts test on one machine)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
