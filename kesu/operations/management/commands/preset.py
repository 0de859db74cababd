"""`kesu preset list` / `kesu preset load NAME` / `kesu preset load --file FILE`: the rule book
presets (numbering, classes, procedures, …), or the company's own rule book kept as a file."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _

from kesu.complaints.models import Complaint
from kesu.rulebook.models import RuleBook
from kesu.rulebook.services import (
    InvalidPresetFile,
    apply_preset,
    apply_rule_book,
    available_presets,
    read_preset,
    read_preset_file,
)


class Command(BaseCommand):
    help = "List the rule book presets, or load one (every setting stays editable in the admin)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="list|load")
        sub.add_parser("list", help="the presets, and which one is loaded")
        load = sub.add_parser("load", help="load a preset into the rule book")
        load.add_argument("name", nargs="?", help="preset name, see `kesu preset list`")
        load.add_argument(
            "--file",
            type=Path,
            help="load the company's own rule book from this JSON file (the presets' format) instead",
        )
        load.add_argument("--company-name", help="the company's name (default: the preset's)")

    def handle(self, *args, **options) -> None:
        if options["subcommand"] == "list":
            self._list()
        else:
            self._load(options["name"], options.get("file"), options.get("company_name"))

    def _list(self) -> None:
        try:
            loaded = RuleBook.objects.order_by("pk").values_list("preset", flat=True).first()
        except DatabaseError:  # not migrated yet: still list what there is
            loaded = None
        for name in available_presets():
            preset = read_preset(name)
            numbering = preset["numbering"]
            marker = "*" if name == loaded else " "
            self.stdout.write(
                f"{marker} {name:<12} {preset.get('title', '')}  "
                f"{numbering['pattern']} ({numbering['reset']})"
            )
        if loaded:
            self.stdout.write(_("* = loaded"))

    def _load(self, name: str | None, file: Path | None, company_name: str | None) -> None:
        if (name is None) == (file is None):
            raise CommandError(_("Name a preset or give --file, not both."))
        if file is not None:
            try:
                preset = read_preset_file(file)
            except InvalidPresetFile as exc:
                raise CommandError(str(exc)) from None
            name = str(preset["name"])
        elif name not in available_presets():
            raise CommandError(
                _("Unknown preset “%(name)s”. Available: %(names)s.")
                % {"name": name, "names": ", ".join(available_presets())}
            )
        before = RuleBook.objects.order_by("pk").values_list("numbering_pattern", "numbering_reset").first()
        try:
            if file is not None:
                rulebook = apply_rule_book(preset=preset, company_name=company_name)
            else:
                rulebook = apply_preset(name=name, company_name=company_name)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            if file is None:
                raise  # a bundled preset is tested; this would be a bug, not bad input
            raise CommandError(
                _("%(file)s is not a valid rule book (nothing was loaded): %(error)r")
                % {"file": file, "error": exc}
            ) from None
        self.stdout.write(
            _("Loaded preset %(name)s for %(company)s: numbering %(pattern)s, reset %(reset)s.")
            % {
                "name": name,
                "company": rulebook.company_name,
                "pattern": rulebook.numbering_pattern,
                "reset": rulebook.numbering_reset,
            }
        )
        changed = before != (rulebook.numbering_pattern, rulebook.numbering_reset)
        if changed and (existing := Complaint.objects.count()):
            self.stdout.write(
                _("%(n)s complaints already exist; their numbers stay, new ones follow the new pattern.")
                % {"n": existing}
            )
