"""The archive's part of a rule book preset: section ``archive`` (kesu.rulebook.sections).

``rules``: the archive numbering (``pattern``, ``reset``, ``source``), the duplicate window in days
and the working days within which a new customer is registered, each with its ``source``;
``profile_fields``: the profile as the rule book defines it (``kind`` company/person, ``code``,
``label``, ``group``, ``type``, optional ``choices`` separated by 、, ``required``, ``personal``,
``source``); ``classes``: the class, grade and credit-class lists (``scheme``, ``code``, ``name``,
``key_customer``, ``source``). A preset without the section leaves the seeds' defaults
(``ArchiveRules.current``) and no profile fields.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kesu.archive.models import ArchiveRules, CustomerClass, ProfileField


def load_archive(preset: dict[str, Any]) -> None:
    section = preset.get("archive")
    if section is None:
        return
    try:
        _load(section)
    except ValidationError as exc:
        raise ValidationError(_("archive: %(errors)s") % {"errors": "; ".join(exc.messages)}) from exc


def _load(section: dict[str, Any]) -> None:
    spec = section.get("rules", {})
    numbering = spec.get("numbering", {})
    rules = ArchiveRules.objects.order_by("pk").first() or ArchiveRules()
    rules.numbering_pattern = numbering.get("pattern", "KH{YYYY}{SEQ:5}")
    rules.numbering_reset = numbering.get("reset", "yearly")
    rules.numbering_source = numbering.get("source", "")
    rules.duplicate_window_days = spec.get("duplicate_window_days", 30)
    rules.duplicate_source = spec.get("duplicate_source", "")
    rules.registration_working_days = spec.get("registration_working_days", 5)
    rules.registration_source = spec.get("registration_source", "")
    rules.full_clean()
    rules.save()
    ProfileField.objects.all().delete()
    for order, field in enumerate(section.get("profile_fields", []), start=1):
        row = ProfileField(order=order, **{k: v for k, v in field.items() if k != "quotes"})
        row.full_clean()
        row.save()
    for scheme in CustomerClass.Scheme.values:
        # Classes in use stay (PROTECT); the others are replaced.
        CustomerClass.objects.filter(scheme=scheme).exclude(pk__in=_in_use()).delete()
    for order, spec_class in enumerate(section.get("classes", []), start=1):
        values = {k: v for k, v in spec_class.items() if k not in {"scheme", "code"}}
        row, _created = CustomerClass.objects.update_or_create(
            scheme=spec_class["scheme"], code=spec_class["code"], defaults={**values, "order": order}
        )
        row.full_clean()


def _in_use() -> set[int]:
    from kesu.archive.models import CustomerArchive

    used: set[int] = set()
    for column in ("customer_class_id", "grade_id", "credit_class_id"):
        used |= set(CustomerArchive.objects.exclude(**{column: None}).values_list(column, flat=True))
    return used


def load_access(preset: dict[str, Any]) -> None:
    """Section ``archive_access``: who approves reading and lending an archive and who decides a
    correction (roles), the days an access holds and a loan may last, each with its ``source``.
    A preset without it leaves the seeds' defaults (``AccessRules``' field defaults)."""
    from kesu.archive.access_models import AccessRules

    section = preset.get("archive_access")
    if section is None:
        return
    rules = AccessRules.objects.order_by("pk").first() or AccessRules()
    for key, value in section.items():
        if key == "quotes":
            continue
        if not hasattr(rules, key) or key in {"id", "pk"}:
            raise ValidationError(_("archive_access: unknown setting %(key)s") % {"key": key})
        setattr(rules, key, value)
    try:
        rules.full_clean()
    except ValidationError as exc:
        raise ValidationError(_("archive_access: %(errors)s") % {"errors": "; ".join(exc.messages)}) from exc
    rules.save()
