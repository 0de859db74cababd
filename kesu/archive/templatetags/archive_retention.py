"""``{% destruction_of archive as record %}``: the destruction record of a destroyed archive (or
None), for the banner on the customer's page. One query."""

from __future__ import annotations

from django import template

from kesu.archive.models_retention import DestructionItem

register = template.Library()


@register.simple_tag
def destruction_of(archive) -> DestructionItem | None:
    if archive is None:
        return None
    return (
        DestructionItem.objects.filter(archive=archive, destroyed_at__isnull=False)
        .select_related("destruction")
        .first()
    )
