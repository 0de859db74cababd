"""Complaint numbers (单号) from a pattern with date tokens and a zero-padded sequence.

Tokens: ``{YYYY}`` ``{YY}`` ``{MM}`` ``{DD}`` and exactly one ``{SEQ:n}`` (n = minimum width).
A sequence that outgrows its width widens (``{SEQ:3}`` → 999, 1000) instead of wrapping, so a
number is never reused. The reset period decides which date part a sequence counts within, and a
pattern must show that date part, or two periods would print the same numbers.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

TOKEN = re.compile(r"\{([A-Z]+)(?::(\d+))?\}")
DATE_TOKENS = {"YYYY", "YY", "MM", "DD"}


class ResetPeriod(models.TextChoices):
    NEVER = "never", _("Never")
    YEARLY = "yearly", _("Yearly")
    MONTHLY = "monthly", _("Monthly")
    DAILY = "daily", _("Daily")


_REQUIRED_TOKENS = {
    ResetPeriod.NEVER: [],
    ResetPeriod.YEARLY: [{"YYYY", "YY"}],
    ResetPeriod.MONTHLY: [{"YYYY", "YY"}, {"MM"}],
    ResetPeriod.DAILY: [{"YYYY", "YY"}, {"MM"}, {"DD"}],
}


def validate_pattern(pattern: str, reset: str) -> None:
    """Raise ValidationError (field ``numbering_pattern``) if the pattern cannot give unique numbers."""
    tokens = TOKEN.findall(pattern)
    names = [name for name, _width in tokens]
    unknown = sorted({n for n in names if n not in DATE_TOKENS | {"SEQ"}})
    if unknown:
        raise ValidationError({"numbering_pattern": _("Unknown token(s): %(t)s") % {"t": ", ".join(unknown)}})
    seq = [(n, w) for n, w in tokens if n == "SEQ"]
    if len(seq) != 1 or not seq[0][1] or not 1 <= int(seq[0][1]) <= 12:
        raise ValidationError(
            {"numbering_pattern": _("The pattern needs exactly one {SEQ:n} with a width from 1 to 12.")}
        )
    if not pattern.rstrip().endswith(f"{{SEQ:{seq[0][1]}}}") and reset != ResetPeriod.NEVER:
        # A widening sequence in the middle could run into the text after it and collide.
        raise ValidationError({"numbering_pattern": _("{SEQ:n} must come last in the pattern.")})
    for alternatives in _REQUIRED_TOKENS[ResetPeriod(reset)]:
        if not alternatives & set(names):
            raise ValidationError(
                {
                    "numbering_pattern": _("A %(reset)s reset needs %(tokens)s in the pattern.")
                    % {"reset": ResetPeriod(reset).label, "tokens": " / ".join(sorted(alternatives))}
                }
            )


def period_key(reset: str, day: date) -> str:
    """The counter a number is drawn from: one per reset period."""
    match ResetPeriod(reset):
        case ResetPeriod.NEVER:
            return "all"
        case ResetPeriod.YEARLY:
            return f"{day:%Y}"
        case ResetPeriod.MONTHLY:
            return f"{day:%Y-%m}"
        case ResetPeriod.DAILY:
            return f"{day:%Y-%m-%d}"


def split_pattern(pattern: str, day: date) -> tuple[str, int, str]:
    """The number for the day ``day`` as (text before the sequence, its minimum width, text after):
    the number is ``before + str(seq).zfill(width) + after``. Registration hands these three to
    the database so that drawing the sequence and writing the number is one statement."""
    dates = {"YYYY": f"{day:%Y}", "YY": f"{day:%y}", "MM": f"{day:%m}", "DD": f"{day:%d}"}
    parts: list[str] = []
    width, before, position = 1, None, 0
    for match in TOKEN.finditer(pattern):
        parts.append(pattern[position : match.start()])
        position = match.end()
        name = match.group(1)
        if name == "SEQ":
            width, before, parts = int(match.group(2) or 1), "".join(parts), []
        else:
            parts.append(dates.get(name, match.group(0)))
    parts.append(pattern[position:])
    if before is None:
        raise ValueError(f"No {{SEQ:n}} in the numbering pattern {pattern!r}")
    return before, width, "".join(parts)


def format_number(pattern: str, day: date, seq: int) -> str:
    before, width, after = split_pattern(pattern, day)
    return f"{before}{str(seq).zfill(width)}{after}"
