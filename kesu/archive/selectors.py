"""Reads of the customer archive: the desk's type-ahead, the customer's card, the possible
duplicates of a complaint being registered, the customer's timeline. Complaints are always read
through ``complaints_visible_to`` (the viewer's scope), each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from kesu.archive import secrecy
from kesu.archive.models import (
    ArchiveChange,
    ArchiveRules,
    Contact,
    ContactLogEntry,
    CustomerArchive,
)
from kesu.complaints.models import TERMINAL_STATUSES, Complaint
from kesu.complaints.selectors import complaints_visible_to
from kesu.core import limits
from kesu.customers.models import MIN_PHONE_FRAGMENT, Customer, Product, phone_digits
from kesu.organization.models import Staff

LOOKUP_LIMIT = 10
PHONE_TEXT = set("0123456789０１２３４５６７８９ -()（）+./")


def is_phone_fragment(text: str) -> bool:
    return bool(text) and set(text) <= PHONE_TEXT and len(phone_digits(text)) >= MIN_PHONE_FRAGMENT


def _phone_matches(text: str, limit: int) -> list[int]:
    """Ids of customers whose phone holds the fragment (the customers app's trigram index), then
    of those whose contacts' phones do."""
    ids = Customer.objects.ids_by_phone_fragment(text, limit=limit)
    if len(ids) < limit:
        digits = phone_digits(text)
        ids += list(
            Contact.objects.filter(phone_digits__contains=digits)
            .exclude(archive_id__in=ids)
            .values_list("archive_id", flat=True)[: limit - len(ids)]
        )
    return ids


def lookup(text: str, *, staff: Staff | None = None, limit: int = LOOKUP_LIMIT) -> list[Customer]:
    """The customers the desk may mean as it types: by any fragment of a phone number (3+ digits,
    separators ignored), by name or contact name (a substring), or by customer or archive number
    (exact) — only the archives ``staff`` may know (kesu.archive.secrecy); by name.

    Each way is its own small query for at most ``limit`` ids, each answered by an index (the
    numbers' unique indexes, the phone's trigram index; the names' trigram indexes on PostgreSQL,
    a scan that stops after ``limit`` matches on SQLite), and the last one reads those few rows.
    One query with the ways ORed and ORDER BY name walked the whole name index on SQLite (0.3–0.9 s
    at 100 000 customers, bench/RESULTS.md)."""
    text = (text or "").strip()
    if not text or limits.unstorable(text) or len(text) > limits.SEARCH:
        return []
    ids = list(Customer.objects.filter(code=text).values_list("pk", flat=True)[:1])
    ids += CustomerArchive.objects.filter(number=text).values_list("customer_id", flat=True)[:1]
    if is_phone_fragment(text):
        ids += _phone_matches(text, limit)
    elif not ids:  # a customer or archive number typed in full is what the clerk means
        ids += Customer.objects.ids_by_name_fragment(text, limit=limit)
    if not ids:
        return []
    return list(
        Customer.objects.filter(pk__in=set(ids))
        .filter(secrecy.known_filter(staff, prefix="archive__"))
        .select_related("archive")
        .order_by("name", "pk")[:limit]
    )


def lookup_products(text: str, *, limit: int = LOOKUP_LIMIT) -> list[Product]:
    text = (text or "").strip()
    if not text or limits.unstorable(text) or len(text) > limits.SEARCH:
        return []
    return list(
        Product.objects.filter(Q(name__contains=text) | Q(model_code__contains=text)).order_by("model_code")[
            :limit
        ]
    )


def customer_by_number(number: str, *, staff: Staff | None) -> Customer | None:
    """A customer by archive number or customer code — None also when ``staff`` may not know it."""
    if not number or limits.unstorable(number) or len(number) > 40:
        return None
    customer = (
        Customer.objects.select_related(
            "archive", "archive__customer_class", "archive__grade", "archive__credit_class"
        )
        .filter(Q(archive__number=number) | Q(code=number))
        .order_by("pk")
        .first()
    )
    if customer is None or not secrecy.may_know(staff, getattr(customer, "archive", None)):
        return None
    return customer


@dataclass(frozen=True)
class Card:
    """What the desk sees of a caller (客户卡片)."""

    customer: Customer
    archive: CustomerArchive | None
    contacts: list[Contact]
    open_complaints: list[Complaint]
    past_complaints: list[Complaint]
    last_contacts: list[ContactLogEntry]
    products: list[str]


CARD_ROWS = 5


def card(customer: Customer, *, staff: Staff | None) -> Card:
    """Six queries whatever the customer's history."""
    archive = (
        CustomerArchive.objects.select_related("customer_class", "grade", "credit_class")
        .filter(customer=customer)
        .first()
    )
    visible = complaints_visible_to(staff=staff).filter(customer=customer).order_by("-registered_at", "-pk")
    return Card(
        customer=customer,
        archive=archive,
        contacts=list(Contact.objects.filter(archive_id=customer.pk)[:CARD_ROWS]),
        open_complaints=list(visible.exclude(status__in=TERMINAL_STATUSES)[:CARD_ROWS]),
        past_complaints=list(visible.filter(status__in=TERMINAL_STATUSES)[:CARD_ROWS]),
        last_contacts=list(
            ContactLogEntry.objects.filter(archive_id=customer.pk).select_related("staff")[:CARD_ROWS]
        ),
        products=list(
            Product.objects.filter(complaints__customer=customer)
            .distinct()
            .order_by("model_code")
            .values_list("name", flat=True)[:CARD_ROWS]
        ),
    )


def duplicates(
    *,
    staff: Staff | None,
    customer: Customer | None,
    phone: str = "",
    order_number: str = "",
    now: datetime | None = None,
) -> tuple[list[Complaint], ArchiveRules]:
    """Complaints the caller may be repeating: from the same customer, phone or order within the
    rule book's window (``ArchiveRules.duplicate_window_days``). The clerk decides; nothing is
    refused. One query (plus the rules)."""
    rules = ArchiveRules.current()
    condition = Q(pk__in=[])
    if customer is not None:
        condition |= Q(customer=customer)
    phone = (phone or "").strip()
    if phone and not limits.unstorable(phone) and len(phone) <= limits.PHONE:
        digits = phone_digits(phone)
        condition |= Q(complainant_phone__in={phone, digits} - {""})
        if len(digits) >= 5:
            condition |= Q(customer__phone_digits=digits)
    order_number = (order_number or "").strip()
    if order_number and not limits.unstorable(order_number) and len(order_number) <= limits.MODEL_TEXT:
        condition |= Q(order_number=order_number)
    since = (now or timezone.now()) - timedelta(days=rules.duplicate_window_days)
    found = list(
        complaints_visible_to(staff=staff)
        .filter(condition, registered_at__gte=since)
        .order_by("-registered_at", "-pk")[:10]
    )
    return found, rules


def overdue_registrations(*, limit: int = 10) -> tuple[list[CustomerArchive], str]:
    """New customers whose archive is not complete within the rule book's working days (seed 002
    #5): the reminder on the desk's workbench. One query: the first ``limit`` and whether there
    are more (the count shows "10+")."""
    today = timezone.localdate()
    overdue = CustomerArchive.objects.filter(registered_at__isnull=True, registration_due__lt=today)
    rows = list(overdue.select_related("customer").order_by("registration_due", "pk")[: limit + 1])
    count = f"{limit}+" if len(rows) > limit else str(len(rows))
    return rows[:limit], (count if rows else "")


TIMELINE_ROWS = 100


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    kind: str  # "complaint", "contact", "change"
    item: Any


def timeline(customer: Customer, *, staff: Staff | None, rows: int = TIMELINE_ROWS) -> list[TimelineItem]:
    """The customer's story, newest first: complaints (as the viewer may see them), the contact log
    and the archive's changes — three queries whatever their number; the latest ``rows`` of each."""
    complaints = (
        complaints_visible_to(staff=staff).filter(customer=customer).order_by("-registered_at", "-pk")[:rows]
    )
    contacts = ContactLogEntry.objects.filter(archive_id=customer.pk).select_related("staff")[:rows]
    changes = ArchiveChange.objects.filter(archive_id=customer.pk).select_related("by")[:rows]
    items = (
        [TimelineItem(c.registered_at, "complaint", c) for c in complaints]
        + [TimelineItem(e.at, "contact", e) for e in contacts]
        + [TimelineItem(ch.at, "change", ch) for ch in changes]
    )
    items.sort(key=lambda i: i.at, reverse=True)
    return items[:rows]


def class_history(customer: Customer) -> list[ArchiveChange]:
    return list(
        ArchiveChange.objects.filter(
            archive_id=customer.pk, field__in=["customer_class", "grade", "credit_class", "credit_limit"]
        ).select_related("by")[:50]
    )
