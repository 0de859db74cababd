"""`kesu assess draft|approve|publish MONTH`: the monthly assessment (考核) from the shell and the
worker. ``draft`` needs no person (the worker drafts on the rule book's day); ``approve`` is the
general manager's (``--as``), ``publish`` the GM's or an administrator's. Bad input — a month that
is not YYYY-MM, an unknown user, a locked month — prints why and exits 1."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kesu.accountability import services
from kesu.accountability.models import SheetLine, SheetTotal
from kesu.core.errors import KesuError
from kesu.organization.models import Staff


def validation_message(exc: ValidationError) -> str:
    """Field-level messages, one per line: ``field: message`` (as `kesu register` prints them)."""
    if hasattr(exc, "error_dict"):
        return "\n".join(f"{name}: {m}" for name, messages in exc.message_dict.items() for m in messages)
    return "\n".join(exc.messages)


class Command(BaseCommand):
    help = "The monthly assessment: draft, approve (general manager) or publish a month (YYYY-MM)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("step", choices=["draft", "approve", "publish"])
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--as", dest="username", help="who acts (required to approve and publish)")

    def handle(self, *args, **options) -> None:
        step, username = options["step"], options["username"]
        by = None
        if username is not None:
            by = Staff.objects.filter(user__username=username[:150], user__is_active=True).first()
            if by is None:
                raise CommandError(_("No active staff member %(username)s.") % {"username": username[:80]})
        elif step != "draft":
            raise CommandError(_("Say who approves or publishes: --as USERNAME."))
        try:
            month = services.parse_month(options["month"])
            if step == "draft":
                row = services.draft_month(month=month, by=by)
            elif step == "approve":
                assert by is not None
                row = services.approve_month(month=month, by=by)
            else:
                assert by is not None
                row = services.publish_month(month=month, by=by)
        except ValidationError as exc:
            raise CommandError(validation_message(exc)) from None
        except KesuError as exc:
            raise CommandError(str(exc)) from None
        lines = SheetLine.objects.filter(month=row).count()
        people = SheetTotal.objects.filter(month=row).exclude(staff=None).count()
        self.stdout.write(
            _("%(month)s: %(status)s, %(lines)d lines, %(people)d people.")
            % {"month": row, "status": row.get_status_display(), "lines": lines, "people": people}
        )
