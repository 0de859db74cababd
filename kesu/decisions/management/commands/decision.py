"""`kesu decision show NUMBER`: a complaint's decision — current version, history and cost ledger."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kesu.complaints.models import Complaint
from kesu.decisions import selectors
from kesu.decisions.models import Objection


class Command(BaseCommand):
    help = "Show a complaint's handling decision (处理决定): versions and cost ledger."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="show")
        show = sub.add_parser("show", help="the decision of complaint NUMBER")
        show.add_argument("number")

    def handle(self, *args, **options) -> None:
        number = options["number"]
        complaint = Complaint.objects.filter(number=number).first() if len(number) <= 40 else None
        if complaint is None:
            raise CommandError(_("No complaint numbered %(number)s.") % {"number": number[:80]})
        versions = selectors.versions_of(complaint=complaint)
        if not versions:
            self.stdout.write(_("%(number)s: no decision yet.") % {"number": complaint.number})
            return
        for version in versions:
            self.stdout.write(
                f"v{version.number} {version.get_status_display()} · {version.cause.name}"
                f" · {version.proposed_by.display_name} {version.proposed_at:%Y-%m-%d %H:%M}"
                + (f" · {version.get_customer_answer_display()}" if version.customer_answer else "")
            )
            for share in version.shares.all():
                self.stdout.write(f"  {share.label}: {share.share}%")
            for remedy in version.remedies.all():
                self.stdout.write(
                    f"  {remedy.kind.name}"
                    + (f" ×{remedy.quantity}" if remedy.quantity is not None else "")
                    + (f" ¥{remedy.amount:.2f}" if remedy.amount is not None else "")
                )
        self.stdout.write(_("Cost ledger (current version):"))
        for line in selectors.ledger_of(versions[-1]):
            parts = ", ".join(f"{share.label} ¥{amount:.2f}" for share, amount in line.parts)
            self.stdout.write(f"  {selectors.LINE_LABELS[line.line]} ¥{line.total:.2f}: {parts}")
        text = selectors.approved_decision_text(complaint=complaint)
        if text:
            self.stdout.write(_("Approved: %(text)s") % {"text": text})
        for objection in Objection.objects.filter(version__decision__complaint=complaint).select_related(
            "version", "department", "decider"
        ):
            self.stdout.write(
                _("Objection (签呈) to v%(n)d by %(department)s to %(decider)s: %(status)s")
                % {
                    "n": objection.version.number,
                    "department": objection.department.name,
                    "decider": objection.decider.display_name,
                    "status": objection.get_status_display(),
                }
            )
