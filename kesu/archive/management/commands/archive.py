"""`kesu archive due | propose | pending USER | handover USER --to U --as MANAGER --reason R`: the
customer archive's retention and hand-over from the shell or cron. ``propose`` is what the worker
does every morning (no person needed); ``handover`` draws each customer's successor at random from
the ``--to`` people (seed 000 五、3(12) 随机抽数). Bad input prints why and exits 1."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kesu.archive import ownership, retention
from kesu.core.errors import KesuError
from kesu.organization.models import Staff


def _message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "\n".join(f"{name}: {m}" for name, messages in exc.message_dict.items() for m in messages)
    return "\n".join(exc.messages)


def _staff(username: str) -> Staff:
    found = Staff.objects.select_related("user").filter(user__username=username[:150]).first()
    if found is None:
        raise CommandError(_("No staff member %(username)s.") % {"username": username[:80]})
    return found


class Command(BaseCommand):
    help = "Customer archives: list or propose those due for destruction; list or hand over a leaver's customers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("step", choices=["due", "propose", "pending", "handover"])
        parser.add_argument("username", nargs="?", help="the leaving salesperson (pending, handover)")
        parser.add_argument("--to", action="append", default=[], help="a successor to draw from (repeat)")
        parser.add_argument("--as", dest="acting", help="who hands over (the leaver's manager)")
        parser.add_argument("--reason", default="", help="why (required to hand over)")

    def handle(self, *args, **options) -> None:
        step = options["step"]
        try:
            if step == "due":
                rows = retention.due()
                for a in rows:
                    self.stdout.write(f"{a.number}\t{a.last_activity_on}\t{a.due_on}")
                self.stdout.write(_("%(n)d archive(s) due for destruction.") % {"n": len(rows)})
            elif step == "propose":
                destruction = retention.propose(by=None)
                if destruction is None:
                    self.stdout.write(_("Nothing new is due."))
                else:
                    self.stdout.write(
                        _("Destruction list #%(id)d proposed: %(n)d archive(s).")
                        % {"id": destruction.pk, "n": destruction.items.count()}
                    )
            else:
                if not options["username"]:
                    raise CommandError(_("Name the leaving salesperson."))
                leaver = _staff(options["username"])
                if step == "pending":
                    for a in ownership.archives_of(leaver):
                        self.stdout.write(f"{a.number}\t{a.customer.name}")
                    return
                if not options["acting"]:
                    raise CommandError(_("Say who hands over: --as USERNAME."))
                handover = ownership.hand_over(
                    leaver=leaver,
                    by=_staff(options["acting"]),
                    successors={},
                    draw_from=[_staff(u) for u in options["to"]],
                    reason=options["reason"],
                )
                for item in handover.items.select_related("archive", "successor"):
                    self.stdout.write(f"{item.archive.number}\t{item.successor.display_name}")
                self.stdout.write(_("Hand-over #%(id)d recorded.") % {"id": handover.pk})
        except ValidationError as exc:
            raise CommandError(_message(exc)) from None
        except KesuError as exc:
            raise CommandError(str(exc)) from None
