"""The fulfilment app's part of a rule book preset: section ``fulfilment`` (kesu.rulebook.sections).

``{"carriers": [{"code", "name", "name_en", "source"}…],
"over_delivery_tolerance": {"percent", "source"} (the company's rule; absent: none),
"return_rules": [{"code", "name", "name_en", "returned", "unconditional", "within_days", "source",
"quotes"}…], "credit_note_numbering": {"pattern", "reset", "source"}, "source": "…"}``.
Lists are replaced by code (entries no longer named are deactivated, not deleted: records refer to
them); each entry is checked as the admin checks it, and a bad one fails the whole preset.
Customers' own tolerances are company data, entered in the admin, never in a preset.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from kesu.fulfilment.models import Carrier, DocumentNumbering, OverDeliveryTolerance, ReturnRule


def _fail(what: str, exc: ValidationError) -> ValidationError:
    return ValidationError(
        _("fulfilment.%(what)s: %(errors)s") % {"what": what, "errors": "; ".join(exc.messages)}
    )


def _list(model: type[models.Model], key: str, specs: list[dict[str, Any]], extra: tuple[str, ...]) -> None:
    seen = []
    for number, spec in enumerate(specs, start=1):
        code = spec.get("code", "")
        entry = model.objects.filter(code=code).first() or model(code=code)
        values = {
            "name": spec.get("name", ""),
            "name_en": spec.get("name_en", ""),
            "source": spec.get("source", ""),
            "sort_order": number,
            "is_active": True,
        } | {name: spec.get(name) for name in extra if name in spec}
        for name, value in values.items():
            setattr(entry, name, value)
        try:
            entry.full_clean()
        except ValidationError as exc:
            raise _fail(f"{key} #{number} ({code})", exc) from exc
        entry.save()
        seen.append(code)
    model.objects.exclude(code__in=seen).update(is_active=False)


def load_fulfilment(preset: dict[str, Any]) -> None:
    section = preset.get("fulfilment") or {}
    _list(Carrier, "carriers", section.get("carriers", []), ())
    _list(
        ReturnRule,
        "return_rules",
        section.get("return_rules", []),
        ("returned", "unconditional", "within_days"),
    )
    OverDeliveryTolerance.objects.filter(customer__isnull=True).delete()
    tolerance = section.get("over_delivery_tolerance")
    if tolerance:
        try:
            percent = Decimal(str(tolerance.get("percent")))
        except InvalidOperation:
            raise ValidationError(_("fulfilment.over_delivery_tolerance: not a percentage.")) from None
        row = OverDeliveryTolerance(percent=percent, source=tolerance.get("source", ""))
        try:
            row.full_clean()
        except ValidationError as exc:
            raise _fail("over_delivery_tolerance", exc) from exc
        row.save()
    numbering = section.get("credit_note_numbering")
    DocumentNumbering.objects.filter(kind=DocumentNumbering.Kind.CREDIT_NOTE).delete()
    if numbering:
        row = DocumentNumbering(
            kind=DocumentNumbering.Kind.CREDIT_NOTE,
            pattern=numbering.get("pattern", ""),
            reset=numbering.get("reset", ""),
            source=numbering.get("source", ""),
        )
        try:
            row.full_clean()
        except ValidationError as exc:
            raise _fail("credit_note_numbering", exc) from exc
        row.save()
