"""`kesu unlock USERNAME|ADDRESS` — lift a sign-in or token lock-out (kesu.organization.throttle),
e.g. for an administrator locked out of the admin itself."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kesu.organization import throttle


class Command(BaseCommand):
    help = "Lift the lock-out of an account (username) or a client address after failed sign-ins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("key", help="A username or an IP address.")

    def handle(self, *args: Any, **options: Any) -> None:
        removed = throttle.unlock(key=options["key"])
        if removed:
            self.stdout.write(f"Unlocked {options['key']!r} ({removed} counters cleared).")
        else:
            self.stdout.write(f"{options['key']!r} was not locked and had no failures counted.")
