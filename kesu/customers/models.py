"""A minimal customer record and product catalogue; the full confidential archive is a later issue."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
    address = models.CharField(_("address"), max_length=300, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    is_overseas = models.BooleanField(
        _("overseas customer (国外)"),
        default=False,
        help_text=_("Time limits may differ for overseas customers (seed 002: 国内13天，国外17天)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name


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
