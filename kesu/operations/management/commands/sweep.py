"""`kesu sweep`: one deadline sweep now — what `kesu worker` does every minute."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.deadlines.models import ClockKind
from kesu.deadlines.sweeps import Sent, due_for_escalation, due_for_reminder, sweep
from kesu.organization.models import Role


class Command(BaseCommand):
    help = (
        "Send the reminders (催办) and escalations (升级) that are due now, and print them. "
        "Safe to run at any time and from cron: nothing is sent twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="only list the clocks that are due for a reminder or escalation; send and change nothing",
        )

    def handle(self, *args, **options) -> None:
        if options["dry_run"]:
            self._dry_run()
            return
        result = sweep()
        for sent in (*result.reminders, *result.escalations):
            self.stdout.write(self._line(sent))
        self.stdout.write(
            _("Sweep at %(at)s: %(reminders)s reminders, %(escalations)s escalations, %(n)s notifications.")
            % {
                "at": timezone.localtime(result.now).strftime("%Y-%m-%d %H:%M:%S"),
                "reminders": len(result.reminders),
                "escalations": len(result.escalations),
                "n": result.notifications,
            }
        )

    def _line(self, sent: Sent) -> str:
        due = timezone.localtime(sent.due_at).strftime("%Y-%m-%d %H:%M")
        clock = ClockKind(sent.kind).label
        to = ", ".join(sent.recipients) or _("nobody (no one holds the role)")
        if sent.action == "reminder":
            what = _("reminder")
        else:
            what = _("escalation %(level)s (%(role)s)") % {"level": sent.level, "role": Role(sent.role).label}
        return f"{sent.complaint_number}  {clock} {_('due')} {due}  {what} → {to}"

    def _dry_run(self) -> None:
        now = timezone.now()
        reminders = list(due_for_reminder(now=now))
        escalations = list(due_for_escalation(now=now))
        for label, clocks in ((_("reminder due"), reminders), (_("escalation due"), escalations)):
            for clock in clocks:
                assert clock.due_at is not None
                due = timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M")
                self.stdout.write(
                    f"{clock.complaint.number}  {ClockKind(clock.kind).label} {_('due')} {due}  {label}"
                )
        self.stdout.write(
            _("Dry run: %(reminders)s reminders and %(escalations)s escalations are due; nothing was sent.")
            % {"reminders": len(reminders), "escalations": len(escalations)}
        )
