"""The deadlines app's part of a rule book preset: time limits and escalation (kesu.rulebook.sections)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kesu.complaints.models import Category, Severity
from kesu.deadlines.models import ClockRule, EscalationStep, HandlingTimeTarget, TimeLimitPolicy


def load_time_limits(preset: dict[str, Any]) -> None:
    """Replace the time-limit policies, the handling-time target (none unless the preset sets one)
    and the escalation chain with the preset's. Running clocks
    keep the terms they copied when they started (ComplaintClock.rule is SET_NULL)."""
    TimeLimitPolicy.objects.all().delete()
    for spec in preset.get("time_limits", []):
        policy = TimeLimitPolicy.objects.create(
            name=spec["name"],
            category=Category.objects.get(code=spec["category"]) if spec.get("category") else None,
            severity=Severity.objects.get(code=spec["severity"]) if spec.get("severity") else None,
            channel=spec.get("channel", ""),
            market=spec.get("market", ""),
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
                max_extension=(
                    Decimal(str(clock["max_extension"])) if clock.get("max_extension") is not None else None
                ),
            )
            rule.full_clean()  # a preset obeys the same rules as the admin
            rule.save()
    HandlingTimeTarget.objects.all().delete()
    if preset.get("handling_time_target"):
        spec = preset["handling_time_target"]
        target = HandlingTimeTarget(
            name=spec["name"],
            max_average_hours=Decimal(str(spec["max_average_hours"])),
            source=spec.get("source", ""),
        )
        target.full_clean()
        target.save()
    EscalationStep.objects.all().delete()
    for order, step in enumerate(preset.get("escalation", []), start=1):
        EscalationStep.objects.create(
            order=order, role=step["role"], after_hours=Decimal(str(step["after_hours"]))
        )
