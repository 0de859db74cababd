"""A minimal customer record and product catalogue; the full confidential archive is a later issue."""

from __future__ import annotations

import re

from django.db import connections, models
from django.utils.translation import gettext_lazy as _

_NOT_DIGITS = re.compile(r"\D")


def phone_digits(text: str) -> str:
    """The digits of a phone number, separators dropped: ``021-6234 5678`` → ``02162345678``.
    Full-width digits (０–９) count as digits too (``str.isdigit`` ASCII-folded)."""
    folded = "".join(chr(ord(c) - 0xFEE0) if "０" <= c <= "９" else c for c in text)
    return _NOT_DIGITS.sub("", folded.encode("ascii", "ignore").decode())


# Fewer digits than this are not a phone fragment worth looking up (and no trigram index helps).
MIN_PHONE_FRAGMENT = 3
# From this many characters SQLite's name look-up is answered by its trigram index.
MIN_NAME_FRAGMENT_FTS = 3


class CustomerQuerySet(models.QuerySet):
    def ids_by_phone_fragment(self, text: str, *, limit: int) -> list[int]:
        """Ids of up to ``limit`` customers whose phone holds the digits of ``text`` anywhere
        (separators ignored on both sides). PostgreSQL: ``LIKE '%…%'`` answered by the pg_trgm GIN
        index; SQLite: the FTS5 trigram table of migration 0003 (a quoted phrase matches a
        substring). Fewer than MIN_PHONE_FRAGMENT digits: none."""
        digits = phone_digits(text)
        if len(digits) < MIN_PHONE_FRAGMENT:
            return []
        connection = connections[self.db]
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT rowid FROM customer_phone_trigrams WHERE customer_phone_trigrams MATCH %s LIMIT %s",
                    [f'"{digits}"', limit],
                )
                return [row[0] for row in cursor.fetchall()]
        return list(self.filter(phone_digits__contains=digits).values_list("pk", flat=True)[:limit])

    def ids_by_name_fragment(self, text: str, *, limit: int) -> list[int]:
        """Ids of up to ``limit`` customers whose name or contact name holds ``text``. SQLite, 3+
        characters: the FTS5 trigram table of migration 0004 narrows, the LIKE keeps it exact;
        otherwise (PostgreSQL: pg_trgm indexes of 0003) a LIKE on each column, stopping at ``limit``."""
        connection = connections[self.db]
        condition = models.Q(name__contains=text) | models.Q(contact_name__contains=text)
        if connection.vendor == "sqlite" and len(text) >= MIN_NAME_FRAGMENT_FTS:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT rowid FROM customer_name_trigrams WHERE customer_name_trigrams MATCH %s LIMIT %s",
                    ['"' + text.replace('"', '""') + '"', limit * 4],
                )
                candidates = [row[0] for row in cursor.fetchall()]
            return list(self.filter(condition, pk__in=candidates).values_list("pk", flat=True)[:limit])
        ids = list(self.filter(name__contains=text).values_list("pk", flat=True)[:limit])
        if len(ids) < limit:
            ids += (
                self.filter(contact_name__contains=text)
                .exclude(pk__in=ids)
                .values_list("pk", flat=True)[: limit - len(ids)]
            )
        return ids


class Customer(models.Model):
    """A customer (客户): a company or a person. Complaints point at it when it is known."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        PERSON = "person", _("Person")

    code = models.CharField(_("customer number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMPANY)
    contact_name = models.CharField(_("contact"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # The phone's digits only, kept by save(): the type-ahead finds a caller by any fragment of it.
    # Indexed for a substring match: a pg_trgm GIN index on PostgreSQL, an FTS5 trigram table on
    # SQLite (migration 0003).
    phone_digits = models.CharField(_("phone digits"), max_length=40, blank=True, editable=False)
    address = models.CharField(_("address"), max_length=300, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    is_overseas = models.BooleanField(
        _("overseas customer (国外)"),
        default=False,
        help_text=_("Time limits may differ for overseas customers (seed 002: 国内13天，国外17天)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.phone_digits = phone_digits(self.phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "phone_digits"}
        super().save(*args, **kwargs)


class Product(models.Model):
    """A product model (产品型号) that complaints can name."""

    model_code = models.CharField(_("model"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["model_code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.model_code} {self.name}"
