"""Classes and severities as the rule book lists them, read once per process (kesu.rulebook.cache):
registration looks them up by code on every request."""

from __future__ import annotations

from kesu.complaints.models import Category, Severity
from kesu.rulebook.cache import cached


def rule_book_entries(model: type[Category] | type[Severity]) -> dict[str, Category | Severity]:
    """Every class (or severity) by code, active or not. Shared by the process: read-only."""

    def load() -> dict[str, Category | Severity]:
        return {entry.code: entry for entry in model._default_manager.all()}

    return cached(("complaints.by_code", model._meta.label), load)


def default_severity() -> Severity | None:
    """The rule book's default severity (else the first one)."""

    def load() -> Severity | None:
        return Severity.objects.filter(is_default=True).first() or Severity.objects.first()

    return cached("complaints.default_severity", load)
