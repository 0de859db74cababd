"""`kesu act NUMBER ACTION`: take an action on a complaint, as a staff member, and print the new status."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kesu.complaints.actions import perform_action
from kesu.complaints.selectors import complaint_visible_to
from kesu.complaints.workflow import ACTIONS
from kesu.core.errors import KesuError
from kesu.operations.management.commands.register import staff_by_username, validation_message


def parse_inputs(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` pairs → the action's raw inputs; ``changes.FIELD=value`` builds the
    ``changes`` of a correction."""
    inputs: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise CommandError(_("--input takes key=value, not “%(pair)s”.") % {"pair": pair})
        if "." in key:
            outer, inner = key.split(".", 1)
            inputs.setdefault(outer, {})[inner] = value
        else:
            inputs[key] = value
    return inputs


class Command(BaseCommand):
    help = "Take an action on a complaint (as a staff member) and print its new status."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Our --version is the complaint's version (optimistic locking), not Django's.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("number", help="the complaint's number")
        parser.add_argument("action", help="one of: " + ", ".join(ACTIONS))
        parser.add_argument("--as", dest="username", required=True, help="the acting staff member")
        parser.add_argument(
            "--version",
            dest="complaint_version",
            type=int,
            metavar="N",
            help="refuse if the complaint changed since",
        )
        parser.add_argument(
            "--input",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="an input of the action, e.g. comment=…, category=product_quality, changes.complainant_phone=…",
        )

    def handle(self, *args, **options) -> None:
        by = staff_by_username(options["username"])
        inputs = parse_inputs(options["input"])
        complaint = complaint_visible_to(staff=by, number=options["number"])
        if complaint is None:
            raise CommandError(
                _("No complaint %(number)s that %(username)s may see.")
                % {"number": options["number"], "username": options["username"]}
            )
        try:
            result = perform_action(
                complaint=complaint,
                action=options["action"],
                by=by,
                inputs=inputs,
                version=options["complaint_version"],
            )
        except ValidationError as exc:
            raise CommandError(validation_message(exc)) from None
        except KesuError as exc:  # ActionNotAllowed (names the allowed actions), StaleVersion, …
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{result.number} {result.status} v{result.version}")
