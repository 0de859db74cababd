"""The company's rule book: which preset it started from and the settings that are not per-class."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.rulebook.numbering import ResetPeriod, validate_pattern


class RuleBook(models.Model):
    """The one rule book of this deployment (制度). Row 1 is the live one; presets fill it in."""

    company_name = models.CharField(_("company name"), max_length=200)
    preset = models.CharField(_("preset loaded"), max_length=40, editable=False)
    numbering_pattern = models.CharField(
        _("numbering pattern"),
        max_length=60,
        help_text=_("Tokens: {YYYY} {YY} {MM} {DD} and one {SEQ:n}, e.g. {YY}{MM}{DD}{SEQ:3}"),
    )
    numbering_reset = models.CharField(_("sequence reset"), max_length=10, choices=ResetPeriod.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rule book")
        verbose_name_plural = _("rule book")

    def __str__(self) -> str:
        return f"{self.company_name} ({self.preset})"

    def clean(self) -> None:
        validate_pattern(self.numbering_pattern, self.numbering_reset)

    @classmethod
    def current(cls) -> RuleBook:
        rulebook = cls.objects.order_by("pk").first()
        if rulebook is None:
            raise RuleBookMissing
        return rulebook


class RuleBookMissing(LookupError):
    """No preset has been loaded; `kesu migrate` loads KESU_PRESET."""


class NumberCounter(models.Model):
    """The last number drawn in one reset period. Locked while a complaint is registered,
    in the same transaction, so numbers are gap-free: a rolled-back registration returns its number."""

    period = models.CharField(max_length=20, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.period}: {self.last_value}"
