"""What makes an assessment rule valid: a known fact, a cost and a target that fit the fact, and
caps that make sense. Used by the model's ``clean`` (admin) and by the preset loader, so a rule
book cannot hold a rule the draft could not apply."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kesu.deadlines.models import ClockKind

if TYPE_CHECKING:
    from kesu.accountability.models import Rule

# Whom each fact can hit (kesu.accountability.facts gathers them).
TARGETS: dict[str, frozenset[str]] = {
    "upheld_against": frozenset({"responsible"}),
    "complaint_against": frozenset({"accused"}),
    "complaint_received": frozenset({"department"}),
    "clock_missed": frozenset({"clock_holder", "department"}),
    "average_handling": frozenset({"department"}),
    "secondary": frozenset({"handler", "department"}),
    "manual": frozenset({"named"}),
}
# Costs that need a person (base points, bonus).
PERSONAL_COSTS = frozenset({"loss_share", "yuan_per_base", "whole_bonus", "bonus_percent"})


def validate_rule(rule: Rule) -> None:
    from kesu.accountability.models import CostKind, FactKind, TargetKind

    errors: dict[str, list[str]] = {}
    if rule.fact not in FactKind.values:
        errors["fact"] = [
            _("Unknown fact “%(fact)s”: use one of %(known)s.")
            % {"fact": rule.fact, "known": ", ".join(FactKind.values)}
        ]
    if rule.cost not in CostKind.values:
        errors["cost"] = [_("Unknown cost “%(cost)s”.") % {"cost": rule.cost}]
    if rule.target not in TargetKind.values:
        errors["target"] = [_("Unknown target “%(target)s”.") % {"target": rule.target}]
    if errors:
        raise ValidationError(errors)
    if rule.target not in TARGETS[rule.fact]:
        errors["target"] = [
            _("A rule on “%(fact)s” can hit: %(targets)s.")
            % {"fact": rule.fact, "targets": ", ".join(sorted(TARGETS[rule.fact]))}
        ]
    if rule.cost == CostKind.LOSS_SHARE and rule.fact != FactKind.UPHELD_AGAINST:
        errors["cost"] = [_("Only an upheld complaint carries a loss to split.")]
    if rule.is_bonus and rule.cost in PERSONAL_COSTS:
        errors["is_bonus"] = [_("A bonus is yuan or points, not a share of a loss or of the bonus.")]
    if rule.capped_by_bonus and rule.cost == CostKind.POINTS:
        errors["capped_by_bonus"] = [_("Only yuan deductions are capped by the monthly bonus.")]
    if rule.amount is not None and rule.amount < 0:
        errors["amount"] = [_("Cannot be negative; a bonus rule adds.")]
    if rule.cost not in (CostKind.WHOLE_BONUS,) and not rule.amount:
        errors["amount"] = [_("Give the amount (yuan, points or the loss factor).")]
    if rule.cost == CostKind.BONUS_PERCENT and rule.amount is not None and rule.amount > 100:
        errors["amount"] = [_("A percentage of the bonus is at most 100.")]
    if rule.cost == CostKind.BONUS_PERCENT and rule.target not in (
        "accused",
        "named",
        "clock_holder",
        "handler",
    ):
        errors["cost"] = [_("A percentage of the bonus needs a person as the target.")]
    if rule.fact == FactKind.AVERAGE_HANDLING and not rule.threshold_hours:
        errors["threshold_hours"] = [_("Give the limit in hours for the monthly average.")]
    unknown = [k for k in rule.kinds if k not in ClockKind.values]
    if unknown:
        errors["clock_kinds"] = [
            _("Unknown clock kinds: %(kinds)s (known: %(known)s).")
            % {"kinds": ", ".join(unknown), "known": ", ".join(ClockKind.values)}
        ]
    if rule.max_per_month is not None and rule.section_id is None and rule.item_points is None:
        errors["max_per_month"] = [
            _("'Loses the whole item' needs the item's points or a scorecard section.")
        ]
    if rule.section_id is not None and rule.cost != CostKind.POINTS:
        errors["section"] = [_("Only a points rule belongs to a scorecard section.")]
    if errors:
        raise ValidationError(errors)
