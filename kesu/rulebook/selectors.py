"""Reads of the rule book that every registration makes, kept per process (kesu.rulebook.cache)."""

from __future__ import annotations

from kesu.rulebook.cache import cached
from kesu.rulebook.models import RuleBook, RuleBookMissing


def current_rule_book() -> RuleBook:
    """The rule book in force (numbering pattern, company name). Shared by the process: read-only."""

    def load() -> RuleBook | None:
        return RuleBook.objects.order_by("pk").first()

    rulebook = cached("rulebook.current", load)
    if rulebook is None:
        raise RuleBookMissing
    return rulebook
