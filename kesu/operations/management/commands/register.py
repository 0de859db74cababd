"""`kesu register`: register a complaint from the command line (as a desk clerk) and print its number."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.complaints import services
from kesu.complaints.intake import parse_intake
from kesu.complaints.models import Channel
from kesu.core.errors import KesuError
from kesu.organization.models import Staff


def staff_by_username(username: str) -> Staff:
    try:
        return Staff.objects.select_related("user", "department").get(user__username=username)
    except Staff.DoesNotExist:
        raise CommandError(
            _("No staff member with the username “%(username)s”.") % {"username": username}
        ) from None


def validation_message(exc: ValidationError) -> str:
    """Field-level messages, one per line: ``field: message``."""
    if hasattr(exc, "error_dict"):
        return "\n".join(
            f"{name}: {message}" if name != "__all__" else message
            for name, messages in exc.message_dict.items()
            for message in messages
        )
    return "\n".join(exc.messages)


class Command(BaseCommand):
    help = "Register a complaint (as a desk clerk or the CS director) and print its number."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as", dest="username", required=True, help="the registering staff member")
        parser.add_argument("--channel", required=True, choices=Channel.values)
        parser.add_argument("--complainant", required=True, help="the complainant's name")
        parser.add_argument("--description", required=True)
        parser.add_argument("--phone", default="", help="the complainant's phone")
        parser.add_argument("--category", help="class code (see the admin or `kesu preset list`)")
        parser.add_argument("--severity", help="severity code, e.g. extra_urgent, urgent, normal")
        parser.add_argument("--customer", help="customer number")
        parser.add_argument("--received-at", help="ISO date and time (default: now)")

    def handle(self, *args, **options) -> None:
        by = staff_by_username(options["username"])
        try:
            intake, _accused = parse_intake(
                {
                    "channel": options["channel"],
                    "received_at": options["received_at"] or timezone.now(),
                    "complainant_name": options["complainant"],
                    "complainant_phone": options["phone"],
                    "description": options["description"],
                    "category": options["category"],
                    "severity": options["severity"],
                    "customer": options["customer"],
                }
            )
            complaint = services.register_complaint(by=by, intake=intake)
        except ValidationError as exc:
            raise CommandError(validation_message(exc)) from None
        except KesuError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(complaint.number)
