"""The decisions app's part of a rule book preset: ``decision_lists`` (kesu.rulebook.sections).

``{"causes": [{"code", "name", "name_en", "upheld", "source"}…], "remedy_kinds": [{"code", "name",
"name_en", "source"}…], "source": "…"}``. Loading replaces the lists' entries by code: entries the
preset no longer names are deactivated, not deleted (decisions already taken refer to them).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kesu.decisions.models import Cause, ObjectionRoute, RemedyKind


def load_decision_lists(preset: dict[str, Any]) -> None:
    section = preset.get("decision_lists") or {}
    for key, model in (("causes", Cause), ("remedy_kinds", RemedyKind)):
        seen = []
        for number, spec in enumerate(section.get(key, []), start=1):
            fields = {
                "name": spec.get("name", ""),
                "name_en": spec.get("name_en", ""),
                "source": spec.get("source", ""),
                "sort_order": number,
                "is_active": True,
            }
            if model is Cause:
                fields["upheld"] = bool(spec.get("upheld", True))
            entry = model.objects.filter(code=spec.get("code", "")).first() or model(
                code=spec.get("code", "")
            )
            for name, value in fields.items():
                setattr(entry, name, value)
            try:
                entry.full_clean()
            except ValidationError as exc:
                raise ValidationError(
                    _("decision_lists.%(key)s #%(number)d (%(code)s): %(errors)s")
                    % {
                        "key": key,
                        "number": number,
                        "code": spec.get("code", "?"),
                        "errors": "; ".join(exc.messages),
                    }
                ) from exc
            entry.save()
            seen.append(entry.code)
        model.objects.exclude(code__in=seen).update(is_active=False)


def load_objection_route(preset: dict[str, Any]) -> None:
    """``decision_objections``: ``{"decider": {"role", "department"}, "source"}`` — who decides a
    签呈 against an approved decision; without ``decider`` the rule book has no route. Earlier
    routes are deactivated (objections already raised keep their named decider)."""
    section = preset.get("decision_objections") or {}
    ObjectionRoute.objects.update(is_active=False)
    decider = section.get("decider")
    if not decider:
        return
    objection_route = ObjectionRoute(
        decider_role=decider.get("role", ""),
        decider_department=decider.get("department", ""),
        source=section.get("source", ""),
    )
    try:
        objection_route.full_clean()
    except ValidationError as exc:
        raise ValidationError(
            _("decision_objections: %(errors)s") % {"errors": "; ".join(exc.messages)}
        ) from exc
    objection_route.save()
