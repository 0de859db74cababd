"""Complaints (客户投诉): the registration form, its classification, its timeline and transfer slips."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Func, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.core import limits
from kesu.core.limits import BoundedTextField
from kesu.customers.models import Customer, Product, phone_digits
from kesu.organization.models import Department, Position, Role, Staff


class Category(models.Model):
    """A complaint class (分类标识), in a tree. Presets load the rule book's classes; what a class's
    complaints go through (answered on the spot? transfer approved by the GM?) is its Procedure."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("complaint class")
        verbose_name_plural = _("complaint classes")

    def __str__(self) -> str:
        return self.name


class Severity(models.Model):
    """How urgent a complaint is (特急 / 紧急 / 一般); rank 1 is the most urgent."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), default=10)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("severity")
        verbose_name_plural = _("severities")

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Letter / fax")
    IN_PERSON = "in_person", _("In person")
    SALES = "sales", _("Forwarded by sales")
    AUTHORITY = "authority", _("Forwarded by an authority")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web")
    API = "api", _("API")


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")  # 已登记
    CLASSIFIED = "classified", _("Classified")  # 已分类
    TRANSFER_PROPOSED = "transfer_proposed", _("Transfer proposed")  # 待审批转交
    TRANSFER_APPROVED = "transfer_approved", _("Transfer approved")  # 待接收
    ACCEPTED = "accepted", _("Accepted by department")  # 已签收
    INVESTIGATING = "investigating", _("Investigating")  # 调查处理中
    RESOLUTION_PROPOSED = "resolution_proposed", _("Resolution proposed")  # 已提出处理意见
    RESOLUTION_APPROVED = "resolution_approved", _("Resolution approved")  # 处理意见已审批
    REPLIED = "replied", _("Replied to customer")  # 已答复客户
    FOLLOWED_UP = "followed_up", _("Follow-up done")  # 已回访
    CLOSED = "closed", _("Closed")  # 已结案
    NOT_UPHELD = "not_upheld", _("Not upheld")  # 不成立
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 已撤诉


TERMINAL_STATUSES = frozenset({Status.CLOSED, Status.NOT_UPHELD, Status.WITHDRAWN})


# The timeline actions that give the customer the final reply (最终回复); the last one's time is
# Complaint.final_reply_at.
FINAL_REPLY_ACTIONS = ("reply_to_customer", "answer_on_spot")


class Satisfaction(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    NEUTRAL = "neutral", _("Neutral")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")
    VERY_UNSATISFIED = "very_unsatisfied", _("Very unsatisfied")


class ComplaintQuerySet(models.QuerySet):
    def open(self) -> ComplaintQuerySet:
        return self.exclude(status__in=TERMINAL_STATUSES)

    def search(self, text: str) -> ComplaintQuerySet:
        """Number, customer, complainant or words of the description (Chinese text: substring match);
        also (issue 11) the start of a number, a product's name or model, the order number, the
        complainant's phone, and a fragment of a customer's phone.

        Each alternative is a condition on the complaint row itself (no join), so at a million
        complaints PostgreSQL can either combine indexes (number, complainant, customer, the
        description's trigram index, or its bigram index for 2-character words) for a rare word,
        or walk the newest-first index and stop after one page for a common word. SQLite: its
        FTS5 indexes (migration 0009) narrow the description's alternative the same way. See
        bench/RESULTS.md.
        """
        text = text.strip()
        if not text:
            return self
        # The matching customers first (a small table), as a list of ids: the query planner then
        # knows how many complaints that alternative can match (none: it is left out), where an
        # IN (subquery) would leave it guessing and scanning a million rows for a number.
        customer_ids = list(
            Customer.objects.using(self.db).filter(name__contains=text).values_list("pk", flat=True)
        )
        if _PHONE_LIKE.match(text):
            # A phone fragment: the customers whose phone holds it (their trigram index), up to a
            # few hundred; and the complainant's phone as typed or as digits (an index each).
            customer_ids += Customer.objects.using(self.db).ids_by_phone_fragment(
                text, limit=_PHONE_CUSTOMERS
            )
        product_ids = list(
            Product.objects.using(self.db)
            .filter(Q(name__contains=text) | Q(model_code__contains=text))
            .values_list("pk", flat=True)[:_PHONE_CUSTOMERS]
        )
        other = (
            Q(number=text)
            | Q(customer_id__in=customer_ids)
            | Q(product_id__in=product_ids)
            | Q(complainant_name=text)
            | Q(order_number=text)
            | Q(complainant_phone__in={text, phone_digits(text)} - {""})
        )
        if _NUMBER_PREFIX.match(text):
            # Part of a number, from its start (e.g. the registration date 241201): a range of the
            # number's unique index (bytewise: ASCII numbers, C collation on PostgreSQL, BINARY on SQLite).
            other |= Q(number__gte=text, number__lt=text + "\U0010ffff")
        in_description = Q(description__contains=text)
        if connections[self.db].vendor == "sqlite":
            return self.filter(other | (_sqlite_full_text(text, self.db) & in_description))
        # The description's indexes leave out registrations in progress (migration 0004); the
        # planner uses them only for a query that leaves those out too (they are never visible
        # to another transaction anyway, so no result changes).
        queryset = self.filter(_Numbered("number"))
        if len(text) != 2:
            # PostgreSQL answers 3+ characters from the trigram index (0002), which beats bigrams
            # for numbers: digit pairs are in most descriptions. 1 character: a scan.
            return queryset.filter(other | in_description)
        if _common_on_postgres(text, self.db):
            # A common 2-character word (e.g. 开裂 in ~6 % of complaints): the newest-first index
            # walked with the LIKE finds a page within a few hundred rows. With the bigram
            # condition below PostgreSQL cannot know how common the word is (the index is partial,
            # so its statistics are not used: it expects ~200 rows) and fetches every match
            # through the bigram index to sort them — 58 000 rows for 开裂 at a million
            # complaints, ~0.5 s. Same results either way: the LIKE decides in both.
            return queryset.filter(other | in_description)
        # A 2-character word on PostgreSQL: the bigram index (migration 0003) finds the complaints
        # whose description holds ``text`` as a bigram; the LIKE keeps the exact match. Written
        # as (other OR bigrams) AND (other OR LIKE), which is (other OR (bigrams AND LIKE)): the
        # first half is exactly what the indexes answer (BitmapOr), so PostgreSQL does not check it
        # again row by row (computing a description's bigrams costs ~40 µs); only the cheap second
        # half is.
        return queryset.filter(other | Q(_BigramsContain("description", Value(text)))).filter(
            other | in_description
        )


# A 2-character word is "common" when at least _COMMON_MATCHES of the newest _COMMON_SAMPLE
# complaints hold it (2 %): a newest-first walk then finds a page of 50 within ~2 500 rows.
_COMMON_SAMPLE = 1000
_COMMON_MATCHES = 20


def _common_on_postgres(text: str, using: str) -> bool:
    """Whether ``text`` is in many of the newest complaints (one index walk of at most
    _COMMON_SAMPLE rows, ~1 ms)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT description FROM complaints_complaint"
            " ORDER BY registered_at DESC, id DESC LIMIT %s) AS newest WHERE strpos(description, %s) > 0",
            [_COMMON_SAMPLE, text],
        )
        row = cursor.fetchone()
    return row is not None and row[0] >= _COMMON_MATCHES


# A search text that may be a phone number or its fragment: digits and the usual separators.
_PHONE_LIKE = re.compile(r"^[0-9+\-() ]*[0-9]{3}[0-9+\-() ]*$")
# A search text that may be the start of a complaint number (4+ ASCII letters, digits or -).
_NUMBER_PREFIX = re.compile(r"^[0-9A-Za-z\-]{4,}$")
# At most this many customers (by phone) or products (by name) narrow a search.
_PHONE_CUSTOMERS = 500

# At most this many of a long query's trigrams are looked up: any of them narrows the search, and
# the LIKE beside them decides.
_MAX_TRIGRAMS = 12
# Up to this many candidates from the full-text index, the search names them (``id IN (1, 2, …)``):
# the database fetches and sorts that few rows, whatever it knows about the table. More (a common
# word), and the page walks the newest-first index instead (see _FullTextMatch).
_FEW_CANDIDATES = 5000


def _ascii_lower(text: str) -> str:
    """SQLite's ``lower()`` and ``LIKE`` fold ASCII letters only; so do its search indexes."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _sqlite_full_text(text: str, using: str) -> Q:
    """The complaints whose description may hold ``text``, from SQLite's FTS5 indexes (migration
    0009): every row that holds it, plus a few that only hold its pieces apart (the caller keeps
    the LIKE). One character: no index (every row is a candidate).

    2 characters: the bigram index's token is the hex of the ASCII-lowercased UTF-8 bytes, as
    the view ``complaint_search_pairs`` writes it. 3+: the trigram index (it folds case itself),
    each trigram a quoted FTS5 string, ANDed (``detail=none`` keeps no positions for phrases).

    One query asks the index for up to _FEW_CANDIDATES + 1 candidates, so the plan below never
    depends on SQLite's statistics guessing how common the word is.
    """
    if len(text) < 2:
        return Q()
    if len(text) == 2:
        table, match = "complaint_search_bigrams", f'"{_ascii_lower(text).encode().hex()}"'
    else:
        trigrams = list(dict.fromkeys(text[i : i + 3] for i in range(len(text) - 2)))
        if len(trigrams) > _MAX_TRIGRAMS:
            step = len(trigrams) / _MAX_TRIGRAMS
            trigrams = [trigrams[int(i * step)] for i in range(_MAX_TRIGRAMS)]
        table = "complaint_search_trigrams"
        match = " AND ".join('"' + t.replace('"', '""') + '"' for t in trigrams)
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {table} WHERE {table} MATCH %s LIMIT %s", [match, _FEW_CANDIDATES + 1]
        )
        candidates = [row[0] for row in cursor.fetchall()]
    if len(candidates) <= _FEW_CANDIDATES:
        return Q(pk__in=candidates)
    return Q(_FullTextMatch(table, match))


class _FullTextMatch(Func):
    """``id IN (SELECT rowid FROM <fts table> WHERE … MATCH …)`` for a common word (SQLite).

    Two queries use it, and each needs its own plan whatever the statistics say: the page (ORDER BY
    registered_at, 50 rows) should walk the newest-first index and stop after a page, since a
    common word is soon met — so there the id is written ``+id``, which SQLite may not answer from
    an index; the capped count (no ORDER BY, at most 10 001 rows) should go through the index's
    candidates instead of reading the table — so there it is the plain ``id``.
    """

    output_field = models.BooleanField()

    def __init__(self, table: str, match: str) -> None:
        super().__init__(models.F("pk"))
        self.table, self.match = table, match

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        query = compiler.query
        ordered = bool(query.order_by) or bool(query.default_ordering and query.get_meta().ordering)
        sql = f"{'+' if ordered else ''}{column} IN (SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s)"
        return sql, (*params, self.match)


class _BigramsContain(Func):
    """``kesu_bigrams(column) @> kesu_bigrams(text)``: the column holds every two-character piece
    of ``text`` (PostgreSQL only; the function and its GIN index come from migration 0003)."""

    template = "kesu_bigrams(%(expressions)s)"
    arg_joiner = ") @> kesu_bigrams("
    output_field = models.BooleanField()


# A registration writes its complaint with a provisional number that starts with this (never
# committed) and draws the real number last (complaints.services.number_complaint).
PROVISIONAL_NUMBER_PREFIX = "~"


class _Numbered(Func):
    """``left(number, 1) <> '~'``: not a registration in progress (PostgreSQL; the predicate of
    the description's partial search indexes, written exactly as there: see migration 0004)."""

    template = "left(%(expressions)s, 1) <> '~'"
    output_field = models.BooleanField()


class Complaint(models.Model):
    """One complaint as registered by the one window (《客户投诉登记及跟踪处理记录表单》).

    ``status`` and the handling fields are the current state; the history is ComplaintEvent.
    ``version`` increases with every change so a stale edit is refused (409) instead of lost.
    """

    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.REGISTERED)
    version = models.PositiveIntegerField(default=1, editable=False)

    # Intake (投诉承接)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"))
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now, editable=False)
    registered_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="registered_complaints", verbose_name=_("registered by")
    )
    complainant_name = models.CharField(_("complainant"), max_length=limits.PERSON_NAME)
    complainant_phone = models.CharField(_("phone"), max_length=limits.PHONE, blank=True)
    complainant_address = models.CharField(_("address"), max_length=limits.ADDRESS, blank=True)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("customer"),
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("product"),
    )
    product_model = models.CharField(_("product model"), max_length=limits.MODEL_TEXT, blank=True)
    batch_number = models.CharField(_("batch"), max_length=limits.MODEL_TEXT, blank=True)
    order_number = models.CharField(_("order number"), max_length=limits.MODEL_TEXT, blank=True)
    shipped_on = models.DateField(_("shipped on"), null=True, blank=True)
    arrived_on = models.DateField(_("arrived on"), null=True, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    defective_quantity = models.PositiveIntegerField(_("defective quantity"), null=True, blank=True)
    description = BoundedTextField(_("description"), max_length=limits.DESCRIPTION)
    requested_remedy = BoundedTextField(_("remedy requested"), max_length=limits.HANDLING_TEXT, blank=True)

    # Classification (分类)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("class"),
    )
    severity = models.ForeignKey(
        Severity, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("severity")
    )
    accused_staff = models.ManyToManyField(
        Staff,
        blank=True,
        related_name="complaints_against",
        verbose_name=_("staff complained about"),
        help_text=_("被投诉人 — they may neither handle nor approve this complaint."),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="secondary_complaints",
        verbose_name=_("first complaint"),
        help_text=_("Set on a secondary complaint (二次投诉)."),
    )

    # Handling (处理)
    handling_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_complaints",
        verbose_name=_("handling department"),
    )
    handler = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_complaints",
        verbose_name=_("handler"),
    )
    resolution = BoundedTextField(_("resolution"), max_length=limits.HANDLING_TEXT, blank=True)
    reply = BoundedTextField(_("reply to customer"), max_length=limits.HANDLING_TEXT, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The earliest due time of the complaint's running clocks (paused ones do not count), NULL
    # when none runs. Kept by the deadlines app in the same transaction as every clock change
    # (kesu.deadlines.clocks.sync_next_due), so the workbench sorts on an index.
    next_due_at = models.DateTimeField(_("next due"), null=True, blank=True, editable=False)
    # The time of the complaint's last final reply (最终回复: FINAL_REPLY_ACTIONS), NULL before
    # any. Written by record_action in the reply's own transaction, equal to its timeline entry's
    # time, so the statistics' handling time (receipt → final reply) is a range on an index instead
    # of a search of every complaint's replies.
    final_reply_at = models.DateTimeField(_("final reply at"), null=True, blank=True, editable=False)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["-registered_at", "-id"], name="complaint_registered_idx"),
            models.Index(fields=["status", "-registered_at"], name="complaint_status_idx"),
            models.Index(fields=["category", "-registered_at"], name="complaint_category_idx"),
            models.Index(fields=["handling_department", "status"], name="complaint_department_idx"),
            # Search (ComplaintQuerySet.search) matches the complainant exactly. On PostgreSQL the
            # description also has a pg_trgm GIN index (migration 0002, not expressible here).
            models.Index(fields=["complainant_name"], name="complaint_complainant_idx"),
            # ... and the complainant's phone and the order number exactly (issue 11: the desk finds
            # complaints by phone and order).
            models.Index(fields=["complainant_phone"], name="complaint_phone_idx"),
            models.Index(fields=["order_number"], name="complaint_order_idx"),
            # The workbench: complaints with a running clock, earliest due first (per status too);
            # with the status, the due-soon panel's count reads the index alone.
            models.Index(
                fields=["next_due_at", "status"],
                name="complaint_next_due_idx",
                condition=Q(next_due_at__isnull=False),
            ),
            models.Index(fields=["status", "next_due_at"], name="complaint_status_due_idx"),
            # Secondary complaints of one complaint. Partial: almost every complaint has no parent,
            # and SQLite's statistics for the plain foreign-key index (every NULL counted as one
            # value) made it scan the whole table instead.
            models.Index(
                fields=["parent"], name="complaint_secondary_idx", condition=Q(parent__isnull=False)
            ),
            # The figures: complaints closed in a period and their handling time, from the index alone.
            models.Index(fields=["status", "closed_at", "received_at"], name="complaint_closed_idx"),
            # Statistics (kesu.statistics): the complaints received in a period.
            models.Index(fields=["received_at"], name="complaint_received_idx"),
            # Statistics: the final replies in a period and their handling time, from the index.
            models.Index(
                fields=["final_reply_at", "received_at"],
                name="complaint_final_reply_idx",
                condition=Q(final_reply_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(defective_quantity__isnull=True)
                | Q(quantity__isnull=True)
                | Q(defective_quantity__lte=models.F("quantity")),
                name="complaint_defective_within_quantity",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL_STATUSES

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The values as loaded (by attname): an action writes only what it changed
        # (services.record_action). A long description is then not stored and indexed again, and
        # the UPDATE is a few columns instead of all of them.
        instance._loaded_values = dict(zip(field_names, values, strict=True))
        return instance

    def changed_fields(self) -> list[str]:
        """The fields to write: those changed since the row was loaded (all, for a row not loaded
        from the database), and ``updated_at``. A field never loaded and never set is left alone."""
        loaded: dict[str, object] | None = getattr(self, "_loaded_values", None)
        names = []
        for f in self._meta.concrete_fields:
            if f.primary_key or f.attname not in self.__dict__:
                continue
            if (
                loaded is None
                or getattr(f, "auto_now", False)
                or f.attname not in loaded
                or loaded[f.attname] != self.__dict__[f.attname]
            ):
                names.append(f.name)
        return names

    def unchanged_description(self) -> bool:
        return "description" not in self.changed_fields()

    def clean(self) -> None:
        errors: dict[str, str] = {}
        quantities = (self.quantity, self.defective_quantity)
        if None not in quantities and self.defective_quantity > self.quantity:
            errors["defective_quantity"] = _("Cannot exceed the quantity.")
        if self.shipped_on and self.arrived_on and self.arrived_on < self.shipped_on:
            errors["arrived_on"] = _("Arrival cannot be before shipping.")
        if self.received_at and self.received_at > timezone.now() + timedelta(minutes=5):
            errors["received_at"] = _("Cannot be in the future.")
        if errors:
            raise ValidationError(errors)


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The timeline is append-only")

    def delete(self):
        raise TypeError("The timeline is append-only")


class ComplaintEvent(models.Model):
    """One line of a complaint's timeline: who did what, when, acting for whom, and the data.

    Append-only: it is the audit trail and, later, the source of assessment and reports.
    Written by the same service call, in the same transaction, as the change it records.
    """

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=40)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("by")
    )
    acting_for = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("acting for")
    )
    from_status = models.CharField(max_length=30, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=30, choices=Status.choices, blank=True)
    comment = BoundedTextField(_("comment"), max_length=limits.HANDLING_TEXT, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["complaint", "at"], name="event_complaint_at_idx"),
            # The figures: the final replies of a period (average handling time to the reply).
            models.Index(fields=["action", "at"], name="event_action_at_idx"),
        ]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.action} @ {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The timeline is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The timeline is append-only")


class TransferSlip(models.Model):
    """The transfer slip (《客户投诉转交处理联系单》): proposed by the desk, approved by the GM,
    signed by the receiving department. Desk and receiver both appear on it."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined by department")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="transfer_slips")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PROPOSED)
    to_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("to department")
    )
    to_position = models.ForeignKey(
        Position,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to position"),
    )
    reason = BoundedTextField(_("reason"), max_length=limits.HANDLING_TEXT)
    proposed_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("handed over by")
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        verbose_name = _("transfer slip")
        verbose_name_plural = _("transfer slips")

    def __str__(self) -> str:
        return f"{self.complaint} → {self.to_department}"


class Attachment(models.Model):
    """A photo, scan or document kept with a complaint; stored outside the web root."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="complaints/%Y/%m/")
    original_name = models.CharField(max_length=limits.ATTACHMENT_NAME)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class SavedFilter(models.Model):
    """A staff member's named filter of the complaint list (常用筛选): the list's query string, kept
    as typed and checked again each time it is used (a class or department may be gone since)."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField(_("name"), max_length=limits.SAVED_FILTER_NAME)
    query = models.CharField(_("filters"), max_length=limits.SAVED_FILTER_QUERY, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        constraints = [models.UniqueConstraint(fields=["staff", "name"], name="saved_filter_name_unique")]

    def __str__(self) -> str:
        return self.name


class IdempotencyKey(models.Model):
    """Remembers the complaint an API POST with an ``Idempotency-Key`` created, so a retry
    returns it instead of registering the complaint twice."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_digest = models.CharField(max_length=64)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "key"], name="idempotency_key_unique")]

    def __str__(self) -> str:
        return self.key


class StepScope(models.TextChoices):
    """Which holders of a step's role may take it."""

    ANY = "any", _("any holder of the role")
    DEPARTMENT = "department", _("the responsible department's holders")  # 责任部门
    POSITION = "position", _("the holder of a named position")  # 指定岗位


class Procedure(models.Model):
    """A rule book's procedure (处理流程) for a class: the steps its complaints go through.

    The skeleton (register → classify → route → accept → handle → decide → approve → answer →
    follow up → close) is code (kesu.complaints.workflow); a procedure says which of its steps
    this company takes for this class and who takes each. A skeleton step the procedure does not
    list is skipped: no ``approve_transfer`` step, and a proposed transfer is approved at once;
    no ``record_follow_up`` step, and a replied complaint may be closed. A complaint follows the
    procedure of its class, else of the nearest parent class, else the default (no class);
    one for the class and its severity comes before one for the class alone."""

    name = models.CharField(_("name"), max_length=100)
    description = BoundedTextField(_("description"), max_length=limits.HANDLING_TEXT, blank=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="procedures",
        verbose_name=_("class"),
        help_text=_("Empty: the default procedure. A parent class's procedure covers its sub-classes."),
    )
    severity = models.ForeignKey(
        Severity,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="procedures",
        verbose_name=_("severity"),
        help_text=_("Only for complaints of this severity (empty: any severity)."),
    )
    source = BoundedTextField(
        _("source"),
        max_length=limits.HANDLING_TEXT,
        blank=True,
        help_text=_("The clause of the company's rules this follows."),
    )

    class Meta:
        ordering = ["category__sort_order", "category__code", "severity__rank", "pk"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")

    def __str__(self) -> str:
        return self.name

    def validate_unique(self, exclude=None) -> None:
        """One procedure per class and severity, the empty ones included (NULLs are distinct to a
        database's unique constraint, and SQLite has no NULLS NOT DISTINCT)."""
        super().validate_unique(exclude)
        twins = Procedure.objects.filter(category=self.category_id, severity=self.severity_id)
        if twins.exclude(pk=self.pk).exists():
            raise ValidationError(_("There is already a procedure for this class and severity."))


class ProcedureStep(models.Model):
    """One step of a procedure: which skeleton action, who takes it, in the company's words.

    A step names one role; several rows with the same action let several roles take it (the
    desk clerk or the CS director). ``required`` matters for the steps the skeleton may pass by
    (approve the transfer, approve the decision, the follow-up visit): unticked, the step is
    offered but the complaint may go on without it."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="steps", verbose_name=_("procedure")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    action = models.CharField(_("step"), max_length=40)  # choices: kesu.complaints.workflow.STEP_ACTIONS
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    scope = models.CharField(_("who"), max_length=20, choices=StepScope.choices, default=StepScope.ANY)
    position = models.ForeignKey(
        Position,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("position"),
        help_text=_("Only for “the holder of a named position”."),
    )
    label = models.CharField(
        _("label"), max_length=100, blank=True, help_text=_("In the company's words, e.g. 品管部原因分析.")
    )
    required = models.BooleanField(_("required"), default=True)
    source = BoundedTextField(
        _("source"),
        max_length=limits.HANDLING_TEXT,
        blank=True,
        help_text=_("The clause of the company's rules this follows, or that the rules are silent."),
    )

    class Meta:
        ordering = ["procedure", "order", "pk"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def __str__(self) -> str:
        return f"{self.procedure}: {self.label or self.action} ({self.get_role_display()})"
