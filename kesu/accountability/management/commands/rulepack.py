"""`kesu rulepack NAME`: add a rule pack's assessment rules (a seed's rules for a kind of
staff, e.g. ``cs_staff`` — seed 001 #9, ``realestate_sales`` — seed 000 第五篇) to the rule book in
force; ``--list`` names the packs. Reloading the rule book deactivates them: load the pack again.
A pack that does not load prints why and exits 1, nothing saved."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kesu.accountability.presets import UnknownPack, available_packs, load_pack


class Command(BaseCommand):
    help = "Add a bundled assessment rule pack's rules to the rule book in force."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", help="the pack")
        parser.add_argument("--list", action="store_true", help="name the bundled packs")

    def handle(self, *args, **options) -> None:
        if options["list"] or not options["name"]:
            self.stdout.write("\n".join(available_packs()))
            return
        try:
            rules = load_pack(options["name"])
        except UnknownPack as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from None
        self.stdout.write(
            _("%(count)d rules loaded: %(codes)s")
            % {"count": len(rules), "codes": ", ".join(rule.code for rule in rules)}
        )
