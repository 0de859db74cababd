"""The archive's ownership and retention parts of a rule book preset: sections
``archive_ownership`` (``rules``: ``registration_valid_months`` and the sources;
``credit_split_cases``: ``code``, ``name``, ``registrant_share`` in %, ``requires_valid_registration``,
``source``) and ``archive_retention`` (``periods``: ``record`` archive/complaint/complaint_important,
``years`` or null for long-term, ``reviewer_role``, ``approver_role``, ``witness_required``,
``source``). A preset without a section leaves the seeds' defaults (``OwnershipRules.current``,
``RetentionPeriod.for_record``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kesu.archive.models_ownership import CreditSplitCase, OwnershipRules
from kesu.archive.models_retention import RetentionPeriod


def _wrapped(name: str, load: Any, section: Any) -> None:
    try:
        load(section)
    except ValidationError as exc:
        raise ValidationError(
            _("%(section)s: %(errors)s") % {"section": name, "errors": "; ".join(exc.messages)}
        ) from exc


def load_ownership(preset: dict[str, Any]) -> None:
    section = preset.get("archive_ownership")
    if section is not None:
        _wrapped("archive_ownership", _load_ownership, section)


def _load_ownership(section: dict[str, Any]) -> None:
    spec = section.get("rules", {})
    rules = OwnershipRules.objects.order_by("pk").first() or OwnershipRules()
    rules.registration_valid_months = spec.get("registration_valid_months", 2)
    for key in ("registration_source", "handover_source", "dispute_source"):
        setattr(rules, key, spec.get(key, ""))
    rules.full_clean()
    rules.save()
    CreditSplitCase.objects.all().delete()
    for order, case in enumerate(section.get("credit_split_cases", []), start=1):
        row = CreditSplitCase(order=order, **case)
        row.full_clean()
        row.save()


def load_retention(preset: dict[str, Any]) -> None:
    section = preset.get("archive_retention")
    if section is not None:
        _wrapped("archive_retention", _load_retention, section)


def _load_retention(section: dict[str, Any]) -> None:
    RetentionPeriod.objects.all().delete()
    for spec in section.get("periods", []):
        row = RetentionPeriod(**spec)
        row.full_clean()
        row.save()
