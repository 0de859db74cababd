"""`kesu worker`: the task queue consumer (huey) — the deadline sweep every minute and the retry of
notification e-mails (kesu.deadlines.tasks). Run one or more beside the web app."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Run the worker: sweeps the deadlines every minute (reminders, escalation) and sends "
        "notification e-mails. The queue is KESU_REDIS_URL, or a SQLite file in the data dir."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--workers", type=int, default=2, help="worker threads (default 2; the tasks are I/O-bound)"
        )
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="run queued tasks only, no sweeps (when another worker already runs the schedule)",
        )

    def handle(self, *args, **options) -> None:
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        call_command(
            "run_huey",
            workers=options["workers"],
            worker_type="thread",
            periodic=not options["no_periodic"],
            verbosity=options["verbosity"],
        )
