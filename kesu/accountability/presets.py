"""The accountability app's part of a rule book preset: ``assessment`` (kesu.rulebook.sections).

``{"settings": {"draft_day", "bonus_cap_percent", "appeal_days", "appeal_decider",
"department_review", "department_review_source", "source"},
"scorecards": [{"code", "name", "max_points", "source", "sections": [{"code", "name", "points"}…]}…],
"rules": [{"code", "name", "fact", "cost", "amount", "target", "is_bonus", "capped_by_bonus",
"clock_kinds", "threshold_hours", "max_per_month", "item_points", "section": "card/section",
"source", "quotes": [{"seed", "quote"}…]}…], "source": "…"}``

Loading replaces the rules by code (rules the preset no longer names are deactivated: months
already drafted refer to them) and the scorecards by code. A rule the draft could not apply — an
unknown fact, a cost or target that does not fit it — is refused with its number and code, and
the whole preset saves nothing.
"""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kesu.accountability.models import AssessmentSettings, Rule, Scorecard, ScorecardSection


def _fail(where: str, exc: ValidationError) -> ValidationError:
    return ValidationError(
        _("assessment.%(where)s: %(errors)s") % {"where": where, "errors": "; ".join(exc.messages)}
    )


def load_assessment(preset: dict[str, Any]) -> None:
    section = preset.get("assessment")
    if section is None:
        Rule.objects.update(is_active=False)
        return
    spec = section.get("settings", {})
    settings = AssessmentSettings.objects.order_by("pk").first() or AssessmentSettings()
    settings.draft_day = spec.get("draft_day", 10)
    cap = spec.get("bonus_cap_percent")
    settings.bonus_cap_percent = Decimal(str(cap)) if cap is not None else None
    settings.appeal_days = spec.get("appeal_days", 10)
    settings.appeal_decider = spec.get("appeal_decider", "general_manager")
    settings.source = spec.get("source", "")
    # The department heads' review before the GM's approval: on unless the preset says otherwise
    # (issue 10 §2's procedure); each preset states it with its seed (or the seed's silence).
    settings.department_review = bool(spec.get("department_review", True))
    settings.department_review_source = spec.get("department_review_source", "")
    try:
        settings.full_clean()
    except ValidationError as exc:
        raise _fail("settings", exc) from exc
    settings.save()

    sections: dict[str, ScorecardSection] = {}
    for card_spec in section.get("scorecards", []):
        card = Scorecard.objects.filter(code=card_spec.get("code", "")).first() or Scorecard(
            code=card_spec.get("code", "")
        )
        card.name, card.source = card_spec.get("name", ""), card_spec.get("source", "")
        card.max_points = Decimal(str(card_spec.get("max_points", "0")))
        try:
            card.full_clean()
        except ValidationError as exc:
            raise _fail(f"scorecards {card.code}", exc) from exc
        card.save()
        for order, part in enumerate(card_spec.get("sections", []), start=1):
            row, _created = ScorecardSection.objects.update_or_create(
                scorecard=card,
                code=part["code"],
                defaults={"name": part["name"], "points": Decimal(str(part["points"])), "order": order},
            )
            sections[f"{card.code}/{row.code}"] = row

    seen = [
        _load_rule(number, rule_spec, sections).code
        for number, rule_spec in enumerate(section.get("rules", []), start=1)
    ]
    Rule.objects.exclude(code__in=seen).update(is_active=False)


def _load_rule(number: int, rule_spec: dict[str, Any], sections: dict[str, ScorecardSection]) -> Rule:
    code = rule_spec.get("code", "")
    rule = Rule.objects.filter(code=code).first() or Rule(code=code)
    rule.name = rule_spec.get("name", "")
    rule.fact, rule.cost, rule.target = (
        rule_spec.get("fact", ""),
        rule_spec.get("cost", ""),
        rule_spec.get("target", ""),
    )
    rule.amount = Decimal(str(rule_spec.get("amount", "0")))
    rule.is_bonus = bool(rule_spec.get("is_bonus", False))
    rule.capped_by_bonus = bool(rule_spec.get("capped_by_bonus", False))
    rule.clock_kinds = ",".join(rule_spec.get("clock_kinds", []))
    hours = rule_spec.get("threshold_hours")
    rule.threshold_hours = Decimal(str(hours)) if hours is not None else None
    rule.max_per_month = rule_spec.get("max_per_month")
    item = rule_spec.get("item_points")
    rule.item_points = Decimal(str(item)) if item is not None else None
    where = rule_spec.get("section")
    if where is not None and where not in sections:
        raise ValidationError(
            _("assessment.rules #%(number)d (%(code)s): unknown scorecard section %(section)s")
            % {"number": number, "code": code, "section": where}
        )
    rule.section = sections.get(where) if where else None
    rule.source = rule_spec.get("source", "")
    rule.order, rule.is_active = number, True
    try:
        rule.full_clean()
    except ValidationError as exc:
        raise _fail(f"rules #{number} ({code})", exc) from exc
    rule.save()
    return rule


# ---------------------------------------------------------------------------------------------
# Rule packs: a seed's assessment rules for a kind of staff (customer-service staff, a real-estate
# sales floor) that are not a whole rule book: loaded on top of the rule book in force.


class UnknownPack(LookupError):
    pass


def available_packs() -> list[str]:
    folder = resources.files("kesu.accountability") / "packs"
    return sorted(p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json"))


def read_pack(name: str) -> dict[str, Any]:
    if name not in available_packs():
        raise UnknownPack(
            _("Unknown rule pack %(name)s; available: %(names)s")
            % {"name": name, "names": ", ".join(available_packs())}
        )
    return json.loads((resources.files("kesu.accountability") / "packs" / f"{name}.json").read_text("utf-8"))


@transaction.atomic
def load_pack(name: str) -> list[Rule]:
    """Add (or update, by code) a pack's rules after the rule book's own, which stay as they are.
    A rule the draft could not apply is refused and nothing is saved."""
    pack = read_pack(name)
    after = Rule.objects.aggregate(last=Max("order"))["last"] or 0
    return [
        _load_rule(after + number, spec, {}) for number, spec in enumerate(pack.get("rules", []), start=1)
    ]
