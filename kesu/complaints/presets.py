"""The complaints app's part of a rule book preset: severities and classes (kesu.rulebook.sections)."""

from __future__ import annotations

from typing import Any

from kesu.complaints.models import Category, Severity


def load_classes(preset: dict[str, Any]) -> None:
    """Existing classes and severities with the same code are updated, others are kept but
    deactivated, so complaints that point at them stay valid."""
    for severity in preset["severities"]:
        Severity.objects.update_or_create(
            code=severity["code"],
            defaults={
                "name": severity["name"],
                "name_en": severity.get("name_en", ""),
                "rank": severity["rank"],
                "is_default": severity.get("is_default", False),
            },
        )
    codes = []
    for order, category in enumerate(preset["categories"]):
        parent = Category.objects.get(code=category["parent"]) if category.get("parent") else None
        Category.objects.update_or_create(
            code=category["code"],
            defaults={
                "name": category["name"],
                "name_en": category.get("name_en", ""),
                "parent": parent,
                "sort_order": order,
                "is_active": True,
            },
        )
        codes.append(category["code"])
    Category.objects.exclude(code__in=codes).update(is_active=False)
