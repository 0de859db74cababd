"""`kesu register`: register a complaint from the command line (as a desk clerk) and print its number."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kesu.complaints import services
from kesu.complaints.models import Category, Channel, Severity
from kesu.core import limits
from kesu.core.errors import KesuError
from kesu.customers.models import Customer
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
        errors: dict[str, list[str]] = {}
        lookups: dict[str, Any] = {}
        for name, model, key in [
            ("category", Category, "code"),
            ("severity", Severity, "code"),
            ("customer", Customer, "code"),
        ]:
            raw = options[name]
            if raw is not None and (limits.unstorable(raw) or len(raw) > limits.CODE):
                errors[name] = [_("Unknown value: %(value)s") % {"value": repr(raw)[:60]}]
                continue
            if raw is None:
                lookups[name] = None
                continue
            filters = {key: raw, **({"is_active": True} if model is Category else {})}
            lookups[name] = model.objects.filter(**filters).first()
            if lookups[name] is None:
                errors[name] = [_("Unknown value: %(value)s") % {"value": raw}]
        for name, option in [
            ("complainant_name", "complainant"),
            ("description", "description"),
            ("complainant_phone", "phone"),
        ]:
            # An argument that is not UTF-8 arrives with lone surrogates (Python's surrogateescape).
            problem = limits.unstorable(options[option])
            if problem:
                errors[name] = [problem]
        received_at = self._received_at(options["received_at"], errors)
        if errors:
            raise CommandError(validation_message(ValidationError(errors)))
        intake = services.Intake(
            channel=options["channel"],
            received_at=received_at,
            complainant_name=options["complainant"],
            complainant_phone=options["phone"],
            description=options["description"],
            **lookups,
        )
        try:
            complaint = services.register_complaint(by=by, intake=intake)
        except ValidationError as exc:
            raise CommandError(validation_message(exc)) from None
        except KesuError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(complaint.number)

    def _received_at(self, raw: str | None, errors: dict[str, list[str]]) -> datetime:
        if raw is None:
            return timezone.now()
        try:
            value = parse_datetime(raw)
        except ValueError:
            value = None
        if value is None:
            errors["received_at"] = [_("Enter a date and time, e.g. 2025-03-01T09:30.")]
            return timezone.now()
        return value if timezone.is_aware(value) else timezone.make_aware(value)
