"""`kesu serve`: gunicorn with N workers; static files collected once and served by whitenoise."""

from __future__ import annotations

import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kesu.operations.management.commands import serve as serve_command
from tests.cli.serving import kesu_serve

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def started(monkeypatch):
    calls: list[list[str]] = []
    monkeypatch.setattr(serve_command, "exec_server", lambda argv, env: calls.append(argv))
    return calls


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


@pytest.mark.django_db
def test_serve_runs_gunicorn_with_the_given_workers(started, settings, tmp_path):
    # given: static files never collected
    settings.STATIC_ROOT = tmp_path / "static"

    # when
    call_command("serve", "--host", "0.0.0.0", "--port", "9001", "--workers", "4")

    # then
    argv = started[0]
    assert argv[:4] == [sys.executable, "-m", "gunicorn", "kesu.wsgi:application"]
    assert (option(argv, "--bind"), option(argv, "--workers")) == ("0.0.0.0:9001", "4")
    assert (tmp_path / "static" / "admin" / "css" / "base.css").is_file()


@pytest.mark.django_db
def test_serve_defaults_to_two_workers_on_localhost(started, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("serve")
    assert (option(started[0], "--bind"), option(started[0], "--workers")) == ("127.0.0.1:8000", "2")


def test_gunicorn_arguments_are_checked():
    assert option(serve_command.gunicorn_argv(host="::1", port=80, workers=1), "--bind") == "[::1]:80"
    with pytest.raises(CommandError):
        serve_command.gunicorn_argv(host="127.0.0.1", port=8000, workers=0)
    with pytest.raises(CommandError):
        serve_command.gunicorn_argv(host="127.0.0.1", port=70000, workers=1)


@pytest.mark.django_db
def test_serve_refuses_an_unmigrated_database(started, monkeypatch, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    monkeypatch.setattr(
        serve_command.MigrationExecutor, "migration_plan", lambda self, targets: [("app", "0001")]
    )
    with pytest.raises(CommandError, match="kesu migrate"):
        call_command("serve")
    assert started == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def test_kesu_serve_answers_over_http(tmp_path):
    """The real thing: `kesu serve` in its own process on a free port, one worker, bounded time."""
    port = _free_port()
    with kesu_serve(tmp_path, port) as server:
        status, body = _get(f"http://127.0.0.1:{port}/admin/login/")
        assert status == 200
        assert b"csrfmiddlewaretoken" in body
        # static files come from whitenoise, collected by `kesu serve` on first start
        assert _get(f"http://127.0.0.1:{port}/static/admin/css/base.css")[0] == 200
        assert _get(f"http://127.0.0.1:{port}/login/")[0] == 200
    assert server.returncode == 0  # gunicorn stops cleanly on SIGTERM
