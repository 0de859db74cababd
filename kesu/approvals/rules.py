"""Choosing the approval rule for a step, a class and an amount, and checking a rule's levels.

The most specific class wins: the complaint's class, then its parent, and so on up to the root,
then the rules with no class. Within one class at most one rule covers an amount (overlaps are
refused when a rule is saved), its range being ``amount_from`` ≤ amount < ``amount_to``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from kesu.approvals.models import ApprovalApprover, ApprovalRule
from kesu.complaints.models import Category


def class_chain(category: Category | None) -> list[Category]:
    """The class and its ancestors, most specific first (a cycle cannot be saved, but stop anyway)."""
    chain: list[Category] = []
    node = category
    while node is not None and node not in chain:
        chain.append(node)
        node = node.parent
    return chain


def choose_rule(*, step: str, category: Category | None, amount: Decimal) -> ApprovalRule:
    """The rule that decides who approves ``step`` for ``category`` and ``amount``, or a
    ValidationError naming the three when no rule covers them."""
    chain = class_chain(category)
    rules = list(ApprovalRule.objects.filter(Q(category__in=chain) | Q(category__isnull=True), step=step))
    for specific in [*(c.pk for c in chain), None]:
        for rule in rules:
            if rule.category_id == specific and rule.covers(amount):
                return rule
    raise ValidationError(
        {
            "amount": [
                _(
                    "No approval rule covers step “%(step)s”, class %(class)s and amount %(amount)s CNY:"
                    " an administrator must add one (admin → Approvals → Approval rules)."
                )
                % {"step": step, "class": category or _("(none)"), "amount": f"{amount:,.2f}"}
            ]
        }
    )


def check_levels(approvers: Sequence[ApprovalApprover]) -> None:
    """A rule's approver rows must form levels 1, 2, … with no gap, each with one mode."""
    if not approvers:
        raise ValidationError(_("Name at least one approver (level 1)."))
    levels: dict[int, set[str]] = {}
    for row in approvers:
        levels.setdefault(row.level, set()).add(row.mode)
    expected = list(range(1, max(levels) + 1))
    missing = [n for n in expected if n not in levels]
    if missing:
        raise ValidationError(
            _("Level %(levels)s has no approver: levels are decided in sequence from 1, without gaps.")
            % {"levels": ", ".join(map(str, missing))}
        )
    mixed = [n for n in expected if len(levels[n]) > 1]
    if mixed:
        raise ValidationError(
            _(
                "The approvers of level %(levels)s disagree on all-of (会签) or any-of (或签): choose one per level."
            )
            % {"levels": ", ".join(map(str, mixed))}
        )


def levels_of(rule: ApprovalRule) -> list[dict[str, Any]]:
    """The rule's levels as a request keeps them (see Approval.levels)."""
    levels: dict[int, dict[str, Any]] = {}
    for row in rule.approvers.select_related("staff").order_by("level", "pk"):
        level = levels.setdefault(row.level, {"level": row.level, "mode": row.mode, "entries": []})
        level["entries"].append(row.as_entry())
    return [levels[n] for n in sorted(levels)]
