"""Template filters of the statistics pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def clock(clocks: dict[str, Any], kind: str) -> Any:
    """One clock kind's figure of a row (None when no such time limit came due)."""
    return clocks.get(kind)
