"""Time as people read it on a page: "2 days 3 hours", "overdue" badges for due times."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

_UNITS = (
    (86400, lambda n: ngettext("%(n)d day", "%(n)d days", n) % {"n": n}),
    (3600, lambda n: ngettext("%(n)d hour", "%(n)d hours", n) % {"n": n}),
    (60, lambda n: ngettext("%(n)d minute", "%(n)d minutes", n) % {"n": n}),
)


@register.filter
def duration(value: timedelta | None) -> str:
    """A duration in its two largest units ("2 days 3 hours", "45 minutes"); the sign is ignored
    (the caller says "left" or "overdue by")."""
    if value is None:
        return ""
    seconds = abs(int(value.total_seconds()))
    if seconds < 60:
        return _("less than a minute")
    parts = []
    for size, word in _UNITS:
        count, seconds = divmod(seconds, size)
        if count or parts:
            parts.append((count, word))
        if len(parts) == 2:
            break
    return " ".join(word(count) for count, word in parts if count)


@register.filter
def is_past(value: datetime | None) -> bool:
    """True for a time before now (a due time already missed)."""
    return value is not None and value < timezone.now()


@register.filter
def percent(value: float | None) -> str:
    """A share 0..1 as a percentage with one decimal ("66.7%"); empty for None."""
    if value is None:
        return ""
    return f"{value * 100:.1f}%"
