"""Which time limits apply to a complaint, and which policies are refused when saved.

A policy names a class (and so its sub-classes), a severity and a channel, each optional. For each
clock kind the most specific matching policy that defines that clock wins: more named fields beat
fewer; with equally many, the one naming the deeper class wins (a sub-class beats its parent, a
class beats a severity or a channel). Two active policies that could match the same complaint with
equal specificity and define the same clock (e.g. one for "urgent", one for "phone") would make the
winner arbitrary, so saving the second is refused.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kesu.complaints.models import Category, Complaint
from kesu.deadlines.models import ClockRule, CustomerMarket, StartEvent, TimeLimitPolicy, Unit
from kesu.rulebook.cache import cached


def _depth(category: Category | None) -> int:
    depth, node = 0, category
    while node is not None:
        depth, node = depth + 1, node.parent
    return depth


def _ancestors(category: Category | None) -> list[int]:
    ids, node = [], category
    while node is not None:
        ids.append(node.pk)
        node = node.parent
    return ids


def specificity(policy: TimeLimitPolicy) -> tuple[int, int]:
    named = sum(
        1 for value in (policy.category_id, policy.severity_id, policy.channel, policy.market) if value
    )
    return named, _depth(policy.category)


def market_of(complaint: Complaint) -> str:
    """Domestic or overseas, by the complaint's customer; without a customer, domestic."""
    if complaint.customer_id is None:
        return CustomerMarket.DOMESTIC
    return CustomerMarket.OVERSEAS if complaint.customer.is_overseas else CustomerMarket.DOMESTIC


def matches(policy: TimeLimitPolicy, complaint: Complaint, market: str | None = None) -> bool:
    if policy.category_id and policy.category_id not in _ancestors(complaint.category):
        return False
    if policy.severity_id and policy.severity_id != complaint.severity_id:
        return False
    if policy.market and policy.market != (market or market_of(complaint)):
        return False
    return not (policy.channel and policy.channel != complaint.channel)


def _overlap(a: TimeLimitPolicy, b: TimeLimitPolicy) -> bool:
    """Could one complaint match both?"""
    related = (
        not a.category_id
        or not b.category_id
        or a.category_id in _ancestors(b.category)
        or b.category_id in _ancestors(a.category)
    )
    if not related:
        return False
    if a.severity_id and b.severity_id and a.severity_id != b.severity_id:
        return False
    if a.market and b.market and a.market != b.market:
        return False
    return not (a.channel and b.channel and a.channel != b.channel)


def _active_rules() -> list[ClockRule]:
    return list(
        ClockRule.objects.filter(policy__is_active=True).select_related(
            "policy__category__parent__parent", "policy__severity"
        )
    )


def rules_for(complaint: Complaint) -> dict[str, ClockRule]:
    """The winning rule per clock kind for this complaint (its class, severity and channel now)."""
    best: dict[str, tuple[tuple[int, int], ClockRule]] = {}
    rules = cached("deadlines.active_clock_rules", _active_rules)
    market: str | None = None
    for rule in rules:
        if rule.policy.market and market is None:
            market = market_of(complaint)
        if not matches(rule.policy, complaint, market):
            continue
        score = specificity(rule.policy)
        if rule.kind not in best or score > best[rule.kind][0]:
            best[rule.kind] = (score, rule)
    return {kind: rule for kind, (_score, rule) in best.items()}


def _ambiguous_with(rule: ClockRule) -> ClockRule | None:
    policy = rule.policy
    if not policy.is_active:
        return None
    others = (
        ClockRule.objects.filter(kind=rule.kind, policy__is_active=True)
        .exclude(policy_id=policy.pk)
        .select_related("policy__category__parent__parent")
    )
    for other in others:
        if specificity(other.policy) == specificity(policy) and _overlap(other.policy, policy):
            return other
    return None


def validate_rule(rule: ClockRule) -> None:
    """A rule that could never fire, or that ties with another, is refused with a clear message."""
    errors: dict[str, str] = {}
    if rule.amount is not None and rule.amount <= 0:
        errors["amount"] = _("A time limit must be longer than zero.")
    if rule.unit and rule.unit not in Unit.values:
        errors["unit"] = _("Unknown unit.")
    if rule.start_event and rule.start_event not in StartEvent.values:
        errors["start_event"] = _("Unknown event.")
    if (
        rule.unit == Unit.WORKING_DAYS
        and rule.amount is not None
        and rule.amount != rule.amount.to_integral()
    ):
        errors["amount"] = _("Working days are whole days.")
    if rule.max_extension is not None and rule.max_extension < 0:
        errors["max_extension"] = _("Cannot be negative.")
    elif (
        rule.unit == Unit.WORKING_DAYS
        and rule.max_extension is not None
        and rule.max_extension != rule.max_extension.to_integral()
    ):
        errors["max_extension"] = _("Working days are whole days.")
    if rule.remind_before_hours is not None and rule.remind_before_hours < 0:
        errors["remind_before_hours"] = _("Cannot be negative.")
    elif (
        rule.unit == Unit.ELAPSED_HOURS
        and rule.amount is not None
        and rule.remind_before_hours is not None
        and rule.remind_before_hours >= rule.amount
    ):
        errors["remind_before_hours"] = _("The reminder would come before the clock starts.")
    if not errors and rule.policy_id:
        other = _ambiguous_with(rule)
        if other is not None:
            errors["kind"] = _(
                "Policy “%(other)s” sets the same clock for the same complaints with equal "
                "specificity; make one of them more specific or deactivate it."
            ) % {"other": other.policy.name}
    if errors:
        raise ValidationError(errors)


def validate_policy(policy: TimeLimitPolicy) -> None:
    """Changing a policy's class, severity or channel must not make one of its clocks ambiguous."""
    if not policy.pk:
        return
    for rule in policy.rules.all():
        rule.policy = policy
        other = _ambiguous_with(rule)
        if other is not None:
            raise ValidationError(
                _(
                    "Policy “%(other)s” sets the %(kind)s clock for the same complaints with equal specificity."
                )
                % {"other": other.policy.name, "kind": rule.get_kind_display()}
            )
