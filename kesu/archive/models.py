"""The customer archive (客户档案, issue 11): one numbered archive per customer, its profile as the
rule book defines it, contacts, classes with their history, the contact log and every change.

Built on complaints (a customer's page and the desk's card show complaints; the duplicate warning
reads them), on the customers app's Customer (one archive per customer: ``customer`` is the
primary key) and on the rule book's numbering (``kesu.rulebook.numbering``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.core import limits
from kesu.core.limits import BoundedTextField
from kesu.customers.models import Customer
from kesu.organization.models import Staff
from kesu.rulebook.numbering import ResetPeriod, validate_pattern


class ArchiveRules(models.Model):
    """The rule book's archive settings (one row; presets fill it in, the admin edits it)."""

    numbering_pattern = models.CharField(
        _("archive numbering pattern"),
        max_length=60,
        help_text=_("Tokens: {YYYY} {YY} {MM} {DD} and one {SEQ:n}, e.g. KH{YYYY}{SEQ:5}"),
    )
    numbering_reset = models.CharField(_("sequence reset"), max_length=10, choices=ResetPeriod.choices)
    numbering_source = models.TextField(_("numbering: source"), blank=True)
    duplicate_window_days = models.PositiveIntegerField(
        _("duplicate window (days)"),
        help_text=_(
            "A complaint from the same phone, customer or order within this many days is shown as a possible duplicate."
        ),
    )
    duplicate_source = models.TextField(_("duplicate window: source"), blank=True)
    registration_working_days = models.PositiveIntegerField(
        _("registration within (working days)"),
        help_text=_("A new customer's archive is completed (registered) within this many working days."),
    )
    registration_source = models.TextField(_("registration: source"), blank=True)

    class Meta:
        verbose_name = _("archive rules")
        verbose_name_plural = _("archive rules")

    def __str__(self) -> str:
        return str(_("archive rules"))

    def clean(self) -> None:
        try:
            validate_pattern(self.numbering_pattern, self.numbering_reset)
        except ValidationError as exc:
            raise ValidationError({"numbering_pattern": exc.messages}) from None
        if self.duplicate_window_days > 3660:
            raise ValidationError({"duplicate_window_days": _("At most 3660 days.")})
        if not 1 <= self.registration_working_days <= 365:
            raise ValidationError({"registration_working_days": _("From 1 to 365 working days.")})

    @classmethod
    def current(cls) -> ArchiveRules:
        rules = cls.objects.order_by("pk").first()
        if rules is None:
            # A database without the preset's archive section: the seeds' defaults.
            return cls(
                numbering_pattern="KH{YYYY}{SEQ:5}",
                numbering_reset=ResetPeriod.YEARLY,
                duplicate_window_days=30,
                registration_working_days=5,
            )
        return rules


class CustomerKind(models.TextChoices):
    COMPANY = "company", _("Company")
    PERSON = "person", _("Person")


class ProfileField(models.Model):
    """One field of a profile as the rule book defines it (company fields, or seed 001's personal
    template: 42 fields in six groups). Forms, the API schema and validation follow these rows; a
    value for a field not listed here is refused."""

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        LONG_TEXT = "long_text", _("Long text")
        DATE = "date", _("Date")
        AMOUNT = "amount", _("Amount (CNY)")
        CHOICE = "choice", _("Choice")

    kind = models.CharField(_("customer kind"), max_length=10, choices=CustomerKind.choices)
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=100)
    group = models.CharField(_("group"), max_length=60, blank=True)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.TEXT)
    choices = models.CharField(
        _("choices"), max_length=400, blank=True, help_text=_("For a choice: the values separated by 、")
    )
    required = models.BooleanField(_("required"), default=False)
    personal = models.BooleanField(
        _("personal data"), default=False, help_text=_("Masked for roles that do not need it (PIPL).")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["kind", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="profile_field_unique_code")]
        verbose_name = _("profile field")
        verbose_name_plural = _("profile fields")

    def __str__(self) -> str:
        return f"{self.label} ({self.code})"

    @property
    def max_length(self) -> int:
        return limits.PROFILE_LONG_TEXT if self.type == self.Type.LONG_TEXT else limits.PROFILE_TEXT

    def choice_list(self) -> list[str]:
        return [c.strip() for c in self.choices.split("、") if c.strip()]

    def clean(self) -> None:
        if self.type == self.Type.CHOICE and not self.choice_list():
            raise ValidationError({"choices": _("A choice field needs its values.")})


class CustomerClass(models.Model):
    """A class a customer can be put in (rule-book data): the scheme says which list it belongs to."""

    class Scheme(models.TextChoices):
        CLASS = "class", _("customer class")
        GRADE = "grade", _("grade")
        CREDIT = "credit", _("credit class")

    scheme = models.CharField(_("scheme"), max_length=10, choices=Scheme.choices)
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    key_customer = models.BooleanField(
        _("key customer"), default=False, help_text=_("Key customers have at least two staff contacts.")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["scheme", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="customer_class_unique_code")]
        verbose_name = _("customer class")
        verbose_name_plural = _("customer classes")

    def __str__(self) -> str:
        return self.name


class Confidentiality(models.TextChoices):
    """Seed 001 (保密制度): 公司秘密的密级分为绝密、机密、秘密三级."""

    NONE = "", _("not classified")
    SECRET = "secret", _("秘密 (secret)")
    CONFIDENTIAL = "confidential", _("机密 (confidential)")
    TOP_SECRET = "top_secret", _("绝密 (top secret)")


class CustomerArchive(models.Model):
    """One customer's archive (客户档案). The customer's name, phone and address stay on Customer
    (complaints read them); everything the rule book adds is here."""

    customer = models.OneToOneField(
        Customer,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="archive",
        verbose_name=_("customer"),
    )
    number = models.CharField(_("archive number"), max_length=40, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=CustomerKind.choices)
    profile = models.JSONField(_("profile"), default=dict, blank=True)
    customer_class = models.ForeignKey(
        CustomerClass,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("class"),
    )
    grade = models.ForeignKey(
        CustomerClass,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("grade"),
    )
    credit_class = models.ForeignKey(
        CustomerClass,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("credit class"),
    )
    credit_limit = models.DecimalField(
        _("credit limit (CNY)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    confidentiality = models.CharField(
        _("confidentiality"), max_length=20, choices=Confidentiality.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    registration_due = models.DateField(_("registration due"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered (complete) at"), null=True, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("customer archive")
        verbose_name_plural = _("customer archives")
        indexes = [
            models.Index(
                fields=["registration_due"],
                name="archive_registration_due_idx",
                condition=models.Q(registered_at__isnull=True),
            ),
            # The few classified archives: the complaints' confidentiality restriction reads them.
            models.Index(
                fields=["confidentiality"],
                name="archive_classified_idx",
                condition=~models.Q(confidentiality=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.customer.name}"


class Contact(models.Model):
    """A person at the customer (联系人)."""

    archive = models.ForeignKey(CustomerArchive, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=limits.PERSON_NAME)
    title = models.CharField(_("title"), max_length=limits.CONTACT_TITLE, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    phone_digits = models.CharField(max_length=40, blank=True, editable=False, db_index=True)
    email = models.CharField(_("e-mail"), max_length=limits.EMAIL, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name


class StaffContact(models.Model):
    """A staff member who looks after the customer (key customers have at least two)."""

    archive = models.ForeignKey(CustomerArchive, on_delete=models.CASCADE, related_name="staff_contacts")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["archive", "staff"], name="staff_contact_unique")]

    def __str__(self) -> str:
        return str(self.staff)


class ContactKind(models.TextChoices):
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    LETTER = "letter", _("Letter")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("E-mail")
    EVENT = "event", _("Significant event")


class ContactLogEntry(models.Model):
    """One call, visit, letter, fax or e-mail with the customer (seed 001: 来电、来访… 分类存档;
    every letter, fax and call is recorded). Append-only: a wrong entry is corrected by a new one."""

    archive = models.ForeignKey(CustomerArchive, on_delete=models.PROTECT, related_name="contact_log")
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    at = models.DateTimeField(_("when"))
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff"))
    summary = BoundedTextField(_("summary"), max_length=limits.CONTACT_SUMMARY)
    complaint_number = models.CharField(_("complaint"), max_length=40, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["archive", "-at"], name="contact_log_archive_at_idx")]
        verbose_name = _("contact log entry")
        verbose_name_plural = _("contact log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.get_kind_display()}"


class ArchiveChange(models.Model):
    """One change of a customer's data: field, old and new value, who, when and why. Append-only
    (seed 001 #4: originals are never overwritten silently; 原始记录不得修改, changes carry a note).
    One table for the customer's own fields, the profile's fields and the classes, so the history of
    any field — a class, a credit limit — is one indexed read."""

    archive = models.ForeignKey(CustomerArchive, on_delete=models.PROTECT, related_name="changes")
    field = models.CharField(_("field"), max_length=60)
    old = models.JSONField(_("old value"), null=True)
    new = models.JSONField(_("new value"), null=True)
    by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("when"), auto_now_add=True)
    reason = BoundedTextField(_("reason"), max_length=limits.HANDLING_TEXT)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["archive", "field", "-at"], name="archive_change_field_idx")]
        verbose_name = _("archive change")
        verbose_name_plural = _("archive changes")

    def __str__(self) -> str:
        return f"{self.field} {self.at:%Y-%m-%d}"


class ArchiveGrant(models.Model):
    """A person named to know a confidential archive (seed 001 客户管理制度10 四、1 知晓范围: 绝密 only
    the people the (vice) general manager names; 机密 the supervisor in charge and whom they deem
    necessary; 秘密 the people concerned)."""

    archive = models.ForeignKey(CustomerArchive, on_delete=models.CASCADE, related_name="grants")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff"))
    granted_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("granted by")
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["archive", "staff"], name="archive_grant_unique")]
        verbose_name = _("person who may know")
        verbose_name_plural = _("people who may know")

    def __str__(self) -> str:
        return str(self.staff)


class ReadAudit(models.Model):
    """One read of a confidential archive, or one reveal of masked personal data: who, what, when,
    from where. Append-only (the admin shows it read-only; PostgreSQL refuses UPDATE and DELETE)."""

    class Kind(models.TextChoices):
        PAGE = "page", _("customer page")
        COMPLAINT = "complaint", _("complaint (page, API, attachment, printed form)")
        EXPORT = "export", _("export")
        API = "api", _("API")
        SEARCH = "search", _("search result")
        CARD = "card", _("intake card")
        REVEAL = "reveal", _("reveal of personal data")

    archive = models.ForeignKey(CustomerArchive, on_delete=models.PROTECT, related_name="reads")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    level = models.CharField(_("confidentiality"), max_length=20, choices=Confidentiality.choices, blank=True)
    complaint_number = models.CharField(_("complaint"), max_length=40, blank=True)
    address = models.CharField(_("from"), max_length=45, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["archive", "-at"], name="read_audit_archive_idx")]
        verbose_name = _("confidential read")
        verbose_name_plural = _("confidential reads")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.staff} {self.kind}"


# Access requests, lending and corrections live in their own module (registered with this app).
from kesu.archive.access_models import (  # noqa: E402, F401
    AccessKind,
    AccessRequest,
    AccessRules,
    AccessStatus,
    CorrectionRequest,
    CorrectionStatus,
    CorrectionStep,
)

# Ownership (§3) and retention (§5) live in their own modules; imported here so Django finds them.
from kesu.archive.models_ownership import (  # noqa: E402, F401
    ArchiveOwnership,
    CreditSplitCase,
    Handover,
    HandoverItem,
    OwnershipDispute,
    OwnershipEvent,
    OwnershipRules,
)
from kesu.archive.models_retention import (  # noqa: E402, F401
    DestructionItem,
    DestructionList,
    DestructionUnlock,
    RetentionPeriod,
)
