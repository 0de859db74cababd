"""Shared pieces of the benchmarks: database set-up, Django bootstrap, a small company, statistics.

Every benchmark part runs in its own process (``bench/run.py`` starts them) because Django is
configured once per process from ``KESU_DATABASE_URL``. Databases are the benchmark's own:
SQLite files under ``bench/out/`` and PostgreSQL databases whose names start with ``kesu_bench``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
# The Kesu code under test: this checkout, or another revision's (bench/run.py --compare REV sets
# KESU_BENCH_CODE to a `git worktree` of it); the benchmark scripts and the venv stay these.
CODE_DIR = Path(os.environ.get("KESU_BENCH_CODE") or PROJECT_DIR).resolve()
OUT_DIR = BENCH_DIR / "out"
BENCH_SECRET = "bench-only-secret-key-not-for-production-0123456789"


def sqlite_url(name: str) -> str:
    return f"sqlite:///{OUT_DIR / (name + '.sqlite3')}"


def pg_url(base: str, name: str) -> str:
    """``base`` is any PostgreSQL URL on the server to use; the database name is replaced."""
    if not name.startswith("kesu_bench"):
        raise ValueError("benchmark databases are named kesu_bench*")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path="/" + name))


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def recreate_database(url: str) -> None:
    """Start from an empty database: delete the SQLite file, or drop and create the PG database."""
    if is_postgres(url):
        import psycopg

        name = urlsplit(url).path.lstrip("/")
        assert name.startswith("kesu_bench"), name
        admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        path = Path(urlsplit(url).path)
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)


def drop_database(url: str) -> None:
    if not is_postgres(url):
        for suffix in ("", "-wal", "-shm"):
            Path(urlsplit(url).path + suffix).unlink(missing_ok=True)
        return
    if is_postgres(url):
        import psycopg

        name = urlsplit(url).path.lstrip("/")
        assert name.startswith("kesu_bench"), name
        admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(url: str) -> dict[str, str]:
    """The environment a Kesu process (this one, or a gunicorn server) runs with."""
    return {
        **os.environ,
        "KESU_DATABASE_URL": url,
        "KESU_SECRET_KEY": os.environ.get("KESU_SECRET_KEY") or BENCH_SECRET,
        "KESU_DATA_DIR": str(OUT_DIR / "data"),
        "KESU_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "KESU_LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "kesu.settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(CODE_DIR), os.environ.get("PYTHONPATH")])),
    }


def setup_django(url: str, *, migrate: bool) -> None:
    os.environ.update(server_env(url))
    sys.path.insert(0, str(CODE_DIR))
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def make_company():
    """A customer-service department with one desk clerk (客服专员), and a few other departments."""
    from django.contrib.auth import get_user_model

    from kesu.organization.models import Department, Role, RoleAssignment, Staff

    cs, _ = Department.objects.get_or_create(
        code="cs", defaults={"name": "客服部", "is_customer_service": True}
    )
    for code, name in [("production", "生产部"), ("quality", "质量部"), ("sales", "销售部")]:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    clerk = Staff.objects.filter(user__username="bench-clerk").first()
    if clerk is None:
        user = get_user_model().objects.create_user(username="bench-clerk", password=None)
        clerk = Staff.objects.create(user=user, display_name="王小燕", department=cs)
        RoleAssignment.objects.create(staff=clerk, role=Role.DESK_CLERK)
    return clerk


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def timings(fn: Callable[[], object], *, repeat: int, warmup: int = 3, budget_s: float = 60.0) -> dict:
    """Call ``fn`` ``warmup`` + ``repeat`` times (stopping early after ``budget_s``); milliseconds."""
    for _ in range(warmup):
        fn()
    samples: list[float] = []
    deadline = time.monotonic() + budget_s
    while len(samples) < repeat and time.monotonic() < deadline:
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return {
        "n": len(samples),
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "max_ms": round(max(samples), 2),
    }


def emit(result: dict) -> None:
    """A part's result: one JSON line on stdout, prefixed so run.py can find it among other output."""
    print("BENCH-RESULT " + json.dumps(result, ensure_ascii=False), flush=True)
