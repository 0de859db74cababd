"""The committees app's part of a rule book preset: ``committees`` (kesu.rulebook.sections).

``{"source": "…", "rules": [{"name", "category", "severity", "decides_by" ("agreement" or
"vote"), "vote": {"quorum_percent", "majority_percent"}, "convenor": {"role", "scope",
"department"}, "evidence_form", "source", "quotes", "seats": [{"label", "role", "scope",
"department", "collects_evidence", "duty"}…]}…]}``. Presets name roles and departments by code, never people.
Loading deactivates the rules in use (a committee or a meeting) and replaces the rest (a convened committee keeps its rule).

Where seed 003's procedure would go (no preset ships that company): its regional manager's
on-site visit within 2–3 working hours is the deadlines' ``on_site`` clock, and its two
determinations (the regional manager's, then the quality department's 品管部门审核、界定) are a
committee rule of the same shape whose seats are the regional manager (collects the evidence,
the 《不良品投诉处理书》) and the quality department's head, with the regional manager's second
approval as the approval by amount of step ``decision``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kesu.committees.models import (
    VOTING_ROLES,
    Committee,
    CommitteeRule,
    CommitteeSeat,
    DecidesBy,
    Meeting,
)
from kesu.complaints.models import Category, Severity


def load_committees(preset: dict[str, Any]) -> None:
    used = set(Committee.objects.values_list("rule_id", flat=True)) | set(
        Meeting.objects.values_list("rule_id", flat=True)
    )
    CommitteeRule.objects.filter(pk__in=used).update(is_active=False)
    CommitteeRule.objects.exclude(pk__in=used).delete()
    for number, spec in enumerate((preset.get("committees") or {}).get("rules", []), start=1):
        try:
            _load_rule(spec)
        except ValidationError as exc:
            raise ValidationError(
                _("committees.rules #%(number)d (%(name)s): %(errors)s")
                % {"number": number, "name": spec.get("name", "?"), "errors": "; ".join(exc.messages)}
            ) from exc


def _load_rule(spec: dict[str, Any]) -> None:
    category = None
    if spec.get("category"):
        category = Category.objects.filter(code=spec["category"]).first()
        if category is None:
            raise ValidationError(_("Unknown class %(code)s.") % {"code": spec["category"]})
    severity = None
    if spec.get("severity"):
        severity = Severity.objects.filter(code=spec["severity"]).first()
        if severity is None:
            raise ValidationError(_("Unknown severity %(code)s.") % {"code": spec["severity"]})
    convenor = spec.get("convenor") or {}
    vote = spec.get("vote") or {}
    rule = CommitteeRule(
        name=spec.get("name", ""),
        decides_by=spec.get("decides_by", DecidesBy.AGREEMENT),
        severity=severity,
        quorum_percent=vote.get("quorum_percent", 50),
        majority_percent=vote.get("majority_percent", 50),
        category=category,
        convenor_role=convenor.get("role", ""),
        convenor_scope=convenor.get("scope", "responsible_department"),
        convenor_department=convenor.get("department", ""),
        evidence_form=spec.get("evidence_form", ""),
        source=spec.get("source", ""),
    )
    rule.full_clean()
    seats = [
        CommitteeSeat(
            position=position,
            label=seat.get("label", ""),
            role=seat.get("role", ""),
            scope=seat.get("scope", "any"),
            department_code=seat.get("department", ""),
            collects_evidence=bool(seat.get("collects_evidence", False)),
            duty=seat.get("duty", ""),
        )
        for position, seat in enumerate(spec.get("seats", []), start=1)
    ]
    if not seats:
        raise ValidationError(_("A committee needs at least one seat."))
    for seat in seats:
        seat.full_clean(exclude=["rule"])
        if rule.votes and seat.role not in VOTING_ROLES:
            raise ValidationError(
                _("A meeting's seat is a general manager's or a vice president's (a partner).")
            )
    rule.save()
    for seat in seats:
        seat.rule = rule
    CommitteeSeat.objects.bulk_create(seats)
