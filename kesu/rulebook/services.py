"""Loading a rule book preset: the seed companies' settings bundled as data, editable afterwards."""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources
from typing import Any

from django.db import transaction

from kesu.complaints.models import Category, Severity
from kesu.deadlines.models import ClockRule, EscalationStep, TimeLimitPolicy
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


@transaction.atomic
def apply_preset(*, name: str, company_name: str | None = None) -> RuleBook:
    """Load (or reload) a preset. Existing classes and severities with the same code are updated,
    others are kept but deactivated, so complaints that point at them stay valid."""
    preset = read_preset(name)
    numbering = preset["numbering"]
    validate_pattern(numbering["pattern"], numbering["reset"])
    rulebook = RuleBook.objects.order_by("pk").first() or RuleBook()
    rulebook.company_name = company_name or preset["company_name"]
    rulebook.preset = name
    rulebook.numbering_pattern = numbering["pattern"]
    rulebook.numbering_reset = numbering["reset"]
    rulebook.save()

    for severity in preset["severities"]:
        Severity.objects.update_or_create(
            code=severity["code"],
            defaults={
                "name": severity["name"],
                "name_en": severity.get("name_en", ""),
                "rank": severity["rank"],
                "is_default": severity.get("is_default", False),
            },
        )
    codes = []
    for order, category in enumerate(preset["categories"]):
        parent = Category.objects.get(code=category["parent"]) if category.get("parent") else None
        Category.objects.update_or_create(
            code=category["code"],
            defaults={
                "name": category["name"],
                "name_en": category.get("name_en", ""),
                "parent": parent,
                "can_answer_on_spot": category.get("can_answer_on_spot", False),
                "transfer_requires_approval": category.get("transfer_requires_approval", True),
                "sort_order": order,
                "is_active": True,
            },
        )
        codes.append(category["code"])
    Category.objects.exclude(code__in=codes).update(is_active=False)
    _load_time_limits(preset)
    _load_recusal(preset)
    return rulebook


def _load_time_limits(preset: dict[str, Any]) -> None:
    """Replace the time-limit policies and the escalation chain with the preset's. Running clocks
    keep the terms they copied when they started (ComplaintClock.rule is SET_NULL)."""
    TimeLimitPolicy.objects.all().delete()
    for spec in preset.get("time_limits", []):
        policy = TimeLimitPolicy.objects.create(
            name=spec["name"],
            category=Category.objects.get(code=spec["category"]) if spec.get("category") else None,
            severity=Severity.objects.get(code=spec["severity"]) if spec.get("severity") else None,
            channel=spec.get("channel", ""),
        )
        for clock in spec["clocks"]:
            rule = ClockRule(
                policy=policy,
                kind=clock["kind"],
                amount=Decimal(str(clock["amount"])),
                unit=clock["unit"],
                start_event=clock["start_event"],
                count_start_day=clock.get("count_start_day", False),
                pausable=clock.get("pausable", False),
                remind_before_hours=Decimal(str(clock.get("remind_before_hours", 0))),
            )
            rule.full_clean()  # a preset obeys the same rules as the admin
            rule.save()
    EscalationStep.objects.all().delete()
    for order, step in enumerate(preset.get("escalation", []), start=1):
        EscalationStep.objects.create(
            order=order, role=step["role"], after_hours=Decimal(str(step["after_hours"]))
        )


def _load_recusal(preset: dict[str, Any]) -> None:
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
