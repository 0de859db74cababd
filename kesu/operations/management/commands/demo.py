"""`kesu demo`: migrate, load the demo company (once), print the log-ins and serve."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kesu.operations.demo import DEMO_PASSWORD, DemoConflict, Login, load_demo
from kesu.operations.management.commands.serve import add_server_arguments, serve


def login_table(logins: list[Login]) -> list[str]:
    """The demo log-ins as a small plain-text table (CJK characters are two columns wide)."""

    def width(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)

    def pad(text: str, to: int) -> str:
        return text + " " * (to - width(text))

    header = (_("username"), _("name"), _("department"), _("role"))
    rows = [header] + [
        (login.username + (" *" if login.superuser else ""), login.name, login.department, login.roles)
        for login in logins
    ]
    widths = [max(width(row[i]) for row in rows) for i in range(3)]
    lines = [
        "  ".join(pad(cell, widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3] for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * width(header[3]))
    return lines


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def worker_argv() -> list[str]:
    return [sys.executable, "-m", "kesu.cli", "worker", "--workers", "1"]


def start_worker() -> subprocess.Popen[bytes]:
    """`kesu worker` as a child of this process, so the demo sends reminders and notification
    e-mails (to the console) with no second command. It stops with the demo: this process becomes
    the web server (exec), and when that exits Linux sends the worker SIGTERM (PR_SET_PDEATHSIG);
    Ctrl-C reaches both, as they share the terminal's process group."""
    parent = os.getpid()

    def die_with_parent() -> None:  # runs in the child, before exec
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):  # not Linux: the worker then outlives a killed demo
            return
        if os.getppid() != parent:  # the demo died before the line above
            os._exit(0)

    return subprocess.Popen(worker_argv(), preexec_fn=die_with_parent)  # noqa: PLW1509 (no threads yet)


class Command(BaseCommand):
    help = "Migrate, load the demo company if it is not there yet, print the log-ins and serve."

    def add_arguments(self, parser: CommandParser) -> None:
        add_server_arguments(parser)
        parser.add_argument(
            "--no-serve", action="store_true", help="load the demo but do not start the server"
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start the worker (reminders, escalations, e-mail retries) beside the server",
        )
        parser.add_argument(
            "--complaints",
            type=int,
            default=300,
            help="how many complaints the demo has (default %(default)s)",
        )

    def handle(self, *args, **options) -> None:
        if options["complaints"] < 1:
            raise CommandError(_("--complaints must be at least 1."))
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(_("Loading the demo company (a moment the first time)…"))
        try:
            result = load_demo(complaints=options["complaints"])
        except DemoConflict as exc:
            raise CommandError(str(exc)) from None
        if result.created:
            self.stdout.write(_("Demo company loaded: %(n)s complaints.") % {"n": result.complaints})
        else:
            self.stdout.write(
                _("Demo company already loaded (%(n)s complaints): reusing it.") % {"n": result.complaints}
            )
        self.stdout.write("")
        self.stdout.write(
            _("Demo log-ins (every password: %(password)s; * = Django admin):") % {"password": DEMO_PASSWORD}
        )
        for line in login_table(result.logins):
            self.stdout.write("  " + line)
        self.stdout.write("")
        if options["no_serve"]:
            return
        if not options["no_worker"]:
            worker = start_worker()
            self.stdout.write(
                _("Worker started (process %(pid)s): reminders and e-mails to the console.")
                % {"pid": worker.pid}
            )
        serve(host=options["host"], port=options["port"], workers=options["workers"], stdout=self.stdout)
