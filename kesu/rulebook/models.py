"""The company's rule book: which preset it started from and the settings that are not per-class."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.organization.models import Role
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


class RecusalSubstitute(models.Model):
    """Who decides instead when every holder of a role is recused (回避) from a complaint.

    The person complained about (被投诉人) may not act on the complaint, nor may a deputy act for
    them. When that leaves a role with nobody — typically a complaint about the general manager,
    who alone approves transfers — the rule book names who stands in: any holder of another role,
    a named person (e.g. the board chairman, 董事长), and/or the recused person's own deputy.
    None of them may be accused themselves. Without a row for the role the complaint waits, and
    its page says what the administrator must configure."""

    role = models.CharField(
        _("recused role"),
        max_length=30,
        choices=Role.choices,
        unique=True,
        help_text=_("Applies when every holder of this role is complained about in a complaint."),
    )
    substitute_role = models.CharField(
        _("substitute role"),
        max_length=30,
        choices=Role.choices,
        blank=True,
        help_text=_("Any holder of this role who is not complained about decides instead."),
    )
    substitute = models.ForeignKey(
        "organization.Staff",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("named substitute"),
        help_text=_("A named person who decides instead, e.g. the board chairman (董事长)."),
    )
    deputy_stands_in = models.BooleanField(
        _("deputy stands in"),
        default=False,
        help_text=_("The recused person's named deputy (代理人) decides instead."),
    )
    source = models.TextField(
        _("source"), blank=True, help_text=_("The clause of the company's rules this follows.")
    )

    class Meta:
        ordering = ["role"]
        verbose_name = _("recusal substitute")
        verbose_name_plural = _("recusal substitutes")

    def __str__(self) -> str:
        return str(self.get_role_display())

    def clean(self) -> None:
        if not (self.substitute_role or self.substitute_id or self.deputy_stands_in):
            raise ValidationError(_("Name a substitute role, a named substitute or let the deputy stand in."))
        if self.substitute_role and self.substitute_role == self.role:
            raise ValidationError(
                {"substitute_role": _("The substitute role must differ from the recused role.")}
            )


class NumberCounter(models.Model):
    """The last number drawn in one reset period. Locked while a complaint is registered,
    in the same transaction, so numbers are gap-free: a rolled-back registration returns its number."""

    period = models.CharField(max_length=20, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.period}: {self.last_value}"


class RuleBookRevision(models.Model):
    """One row whose token changes with every change to rule-book data (classes, procedures, time
    limits, gates, …), in the same transaction. Each process caches what it read from the rule
    book under the token it read first (kesu.rulebook.cache); a new token, or one rolled back,
    makes it read again. Random, not a counter: a counter rolled back and bumped again would
    repeat a value another state was cached under (as CalendarRevision)."""

    token = models.CharField(max_length=32, default="")

    def __str__(self) -> str:
        return self.token
