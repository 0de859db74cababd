"""The approvals app's part of a rule book preset: ``approval_rules`` (kesu.rulebook.sections).

Each rule: ``step``, optional ``category`` (class code), ``amount_from`` (inclusive) and
``amount_to`` (exclusive) as strings or numbers (absent = unbounded), ``source`` (the seed
clause, or what the seed does not say), and ``levels`` in sequence, each ``{"mode": "all"|"any",
"approvers": [{"role": …, "scope": "any"|"responsible_department"|"department",
"department": code}]}``. Presets name roles, never people: a person belongs to one company.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kesu.approvals.models import ApprovalApprover, ApprovalRule
from kesu.approvals.rules import check_levels
from kesu.complaints.models import Category


def _decimal(value: Any, name: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({name: [_("Not an amount: %(value)r.") % {"value": value}]}) from None


def load_approval_rules(preset: dict[str, Any]) -> None:
    """Replace the approval rules with the preset's, validated as the admin validates them.
    Waiting requests keep the levels they copied (Approval.rule is SET_NULL)."""
    ApprovalRule.objects.all().delete()
    for number, spec in enumerate(preset.get("approval_rules", []), start=1):
        try:
            _load_rule(spec)
        except ValidationError as exc:
            raise ValidationError(
                _("approval_rules #%(number)d (%(step)s): %(errors)s")
                % {"number": number, "step": spec.get("step", "?"), "errors": "; ".join(exc.messages)}
            ) from exc


def _load_rule(spec: dict[str, Any]) -> None:
    category = None
    if spec.get("category"):
        category = Category.objects.filter(code=spec["category"]).first()
        if category is None:
            raise ValidationError(_("Unknown class %(code)s.") % {"code": spec["category"]})
    rule = ApprovalRule(
        step=spec.get("step", ""),
        category=category,
        amount_from=_decimal(spec.get("amount_from"), "amount_from"),
        amount_to=_decimal(spec.get("amount_to"), "amount_to"),
        source=spec.get("source", ""),
    )
    rule.full_clean()  # a preset obeys the same rules as the admin (overlaps included)
    levels = spec.get("levels", [])
    empty = [n for n, level in enumerate(levels, start=1) if not level.get("approvers")]
    if empty or not levels:
        raise ValidationError(
            _("Level %(levels)s has no approver.") % {"levels": ", ".join(map(str, empty or [1]))}
        )
    approvers = [
        ApprovalApprover(
            level=number,
            mode=level.get("mode", "any"),
            role=approver.get("role", ""),
            scope=approver.get("scope", "any"),
            department_code=approver.get("department", ""),
        )
        for number, level in enumerate(levels, start=1)
        for approver in level["approvers"]
    ]
    for approver in approvers:
        approver.full_clean(exclude=["rule"])
    check_levels(approvers)
    rule.save()
    for approver in approvers:
        approver.rule = rule
        approver.save()
