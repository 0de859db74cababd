"""Loading a rule book preset: the seed companies' settings bundled as data, editable afterwards."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from django.db import transaction

from kesu.rulebook import cache, sections
from kesu.rulebook.models import RecusalSubstitute, RuleBook
from kesu.rulebook.numbering import validate_pattern


class UnknownPreset(LookupError):
    pass


def available_presets() -> list[str]:
    folder = resources.files("kesu.rulebook") / "presets"
    return sorted(p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json"))


def read_preset(name: str) -> dict[str, Any]:
    if name not in available_presets():
        raise UnknownPreset(f"Unknown preset {name!r}; available: {', '.join(available_presets())}")
    return json.loads((resources.files("kesu.rulebook") / "presets" / f"{name}.json").read_text("utf-8"))


class InvalidPresetFile(ValueError):
    """A rule book file that is not a JSON object with the preset's required keys."""


REQUIRED_KEYS = ("name", "company_name", "numbering", "severities", "categories")


def read_preset_file(path: Path) -> dict[str, Any]:
    """A company's own rule book, kept as a file in the presets' format (e.g. a bundled preset,
    exported and edited). Only its shape is checked here; every value is checked when loaded."""
    try:
        preset = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise InvalidPresetFile(f"{path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidPresetFile(f"{path}: not a UTF-8 JSON document ({exc})") from None
    if not isinstance(preset, dict):
        raise InvalidPresetFile(f"{path}: a rule book is a JSON object")
    if missing := [key for key in REQUIRED_KEYS if key not in preset]:
        raise InvalidPresetFile(f"{path}: missing {', '.join(missing)}")
    numbering = preset["numbering"]
    if not isinstance(numbering, dict) or not {"pattern", "reset"} <= set(numbering):
        raise InvalidPresetFile(f"{path}: numbering needs a pattern and a reset")
    return preset


def apply_preset(*, name: str, company_name: str | None = None) -> RuleBook:
    """Load (or reload) a bundled preset (see :func:`apply_rule_book`)."""
    return apply_rule_book(preset=read_preset(name), company_name=company_name)


@transaction.atomic
def apply_rule_book(*, preset: dict[str, Any], company_name: str | None = None) -> RuleBook:
    """Load (or reload) a rule book, bundled or a company's own file, in one transaction: a value
    any section refuses (an unknown role, a procedure that cannot reach closing, overlapping
    approval amounts, …) raises ValidationError and nothing is saved. Existing classes and
    severities with the same code are updated, others are kept but deactivated, so complaints
    that point at them stay valid."""
    name = str(preset["name"])
    numbering = preset["numbering"]
    validate_pattern(numbering["pattern"], numbering["reset"])
    rulebook = RuleBook.objects.order_by("pk").first() or RuleBook()
    rulebook.company_name = company_name or preset["company_name"]
    rulebook.preset = name
    rulebook.numbering_pattern = numbering["pattern"]
    rulebook.numbering_reset = numbering["reset"]
    rulebook.save()

    sections.load_all(preset)
    cache.bump()  # sections may write in bulk, without the signals cache.watch listens to
    return rulebook


def load_recusal(preset: dict[str, Any]) -> None:
    """Replace who decides when every holder of a role is recused. A named substitute is a
    person of this company, so presets name roles; the administrator may add a person."""
    RecusalSubstitute.objects.all().delete()
    for spec in preset.get("recusal", []):
        row = RecusalSubstitute(
            role=spec["role"],
            substitute_role=spec.get("substitute_role", ""),
            deputy_stands_in=spec.get("deputy_stands_in", False),
            source=spec.get("source", ""),
        )
        row.full_clean()  # a preset obeys the same rules as the admin
        row.save()


def ensure_rule_book(default_preset: str) -> RuleBook:
    """The rule book in force, loading ``default_preset`` on first start."""
    return RuleBook.objects.order_by("pk").first() or apply_preset(name=default_preset)
