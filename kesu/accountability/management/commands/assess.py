"""`kesu assess draft|approve|publish|export MONTH`: the monthly assessment (考核) from the shell and
the worker. ``draft`` needs no person (the worker drafts on the rule book's day); ``approve`` is the
general manager's (``--as``), ``publish`` the GM's or an administrator's. ``export`` writes the
locked month's Excel workbook for HR/payroll (``--output``, default ``assessment-YYYY-MM.xlsx``;
the whole company, or ``--as``'s scope). Bad input — a month that is not YYYY-MM, an unknown user,
a locked month, a draft to export — prints why and exits 1."""

from __future__ import annotations

import shutil

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kesu.accountability import excel, services
from kesu.accountability.models import AssessmentMonth, SheetLine, SheetTotal
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
        parser.add_argument("step", choices=["draft", "approve", "publish", "export"])
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--as", dest="username", help="who acts (required to approve and publish)")
        parser.add_argument("--output", help="export: the file to write (default assessment-YYYY-MM.xlsx)")

    def handle(self, *args, **options) -> None:
        step, username = options["step"], options["username"]
        by = None
        if username is not None:
            by = Staff.objects.filter(user__username=username[:150], user__is_active=True).first()
            if by is None:
                raise CommandError(_("No active staff member %(username)s.") % {"username": username[:80]})
        elif step not in ("draft", "export"):
            raise CommandError(_("Say who approves or publishes: --as USERNAME."))
        try:
            month = services.parse_month(options["month"])
            if step == "export":
                self._export(month, by, options["output"])
                return
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

    def _export(self, month, by: Staff | None, output: str | None) -> None:
        row = AssessmentMonth.objects.filter(month=month).first()
        if row is None:
            raise ValidationError({"month": [_("This month has no assessment.")]})
        file = excel.month_workbook(row=row, staff=by)
        path = output or excel.filename(row)
        try:
            with file, open(path, "wb") as target:
                shutil.copyfileobj(file, target)
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
            ) from None
        people = SheetTotal.objects.filter(month=row).exclude(staff=None).count()
        self.stdout.write(
            _("%(month)s: written to %(path)s (%(people)d people).")
            % {"month": row, "path": path, "people": people}
        )
