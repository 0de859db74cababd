"""`kesu serve`: the web app under gunicorn, several worker processes, static files by whitenoise."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_WORKERS = 2


def add_server_arguments(parser: CommandParser, *, workers: int = DEFAULT_WORKERS) -> None:
    """The options `kesu serve` and `kesu demo` share."""
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (default %(default)s)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default %(default)s)")
    parser.add_argument(
        "--workers", type=int, default=workers, help="gunicorn worker processes (default %(default)s)"
    )


def gunicorn_argv(*, host: str, port: int, workers: int) -> list[str]:
    """The gunicorn command line for the WSGI app (`python -m gunicorn`, so the venv's gunicorn)."""
    if workers < 1:
        raise CommandError(_("--workers must be at least 1."))
    if not 0 < port < 65536:
        raise CommandError(_("--port must be between 1 and 65535."))
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "kesu.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--worker-class",
        "kesu.core.gunicorn_worker.JsonErrorWorker",  # its own error answers are JSON too
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
    ]


def serve(*, host: str, port: int, workers: int, stdout=None) -> None:
    """Collect static files if they were never collected, then replace this process by gunicorn."""
    argv = gunicorn_argv(host=host, port=port, workers=workers)
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CommandError(_("The database is not migrated: run `kesu migrate` first."))
    if not Path(settings.STATIC_ROOT).is_dir():
        call_command("collectstatic", interactive=False, verbosity=0)
    if stdout is not None:
        stdout.write(
            _("Serving Kesu on http://%(host)s:%(port)s/ (%(workers)s workers; Ctrl-C stops it)")
            % {"host": host, "port": port, "workers": workers}
        )
        stdout.flush()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "kesu.settings")}
    exec_server(argv, env)


def exec_server(argv: list[str], env: dict[str, str]) -> None:
    """Become the server: signals (Ctrl-C, a supervisor's SIGTERM) go straight to gunicorn."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(argv[0], argv, env)


class Command(BaseCommand):
    help = "Run the web app with gunicorn (several worker processes)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_server_arguments(parser)

    def handle(self, *args, **options) -> None:
        serve(host=options["host"], port=options["port"], workers=options["workers"], stdout=self.stdout)
