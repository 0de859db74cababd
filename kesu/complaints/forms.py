"""Web forms. They only parse what the browser sent into Python values; the rules live in
``services`` (registration, corrections, attachments) and ``actions``/``workflow`` (actions)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Model
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from kesu.complaints import registry
from kesu.complaints.actions import ACTION_INPUTS
from kesu.complaints.intake import parse_intake
from kesu.complaints.models import Category, Channel, Complaint, Satisfaction, Severity, Status
from kesu.complaints.selectors import SORTS
from kesu.complaints.services import CORRECTABLE_FIELDS, Intake
from kesu.complaints.templatetags.kesu_ui import localized
from kesu.core import limits
from kesu.customers.models import Customer, Product
from kesu.organization.models import Department, Position, Role, Staff

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Seconds are kept so an unchanged time does not look changed (a correction sends changed fields only).
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S")


EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)
MAX_INT = 2_147_483_647  # PostgreSQL's integer


def _plausible(value: date | datetime | None) -> None:
    """Far-off years are typing mistakes, and year 1 overflows when converted between time zones."""
    day = value.date() if isinstance(value, datetime) else value
    if day is not None and not EARLIEST <= day <= LATEST:
        raise ValidationError(_("Enter a date between 1900 and 2999."))


class DateField(forms.DateField):
    default_validators = [_plausible]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", DATE)
        super().__init__(**kwargs)


class DateTimeField(forms.DateTimeField):
    default_validators = [_plausible]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", DATETIME)
        super().__init__(**kwargs)


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """``<input type=file multiple>``: cleans to a list of uploads (possibly empty)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


def _safe_key(field: forms.ModelChoiceField, value: Any) -> None:
    """Refuse a value no row can have before it is looked up: NUL (PostgreSQL fails on it) and,
    for an id, anything but the digits of a database integer (SQLite overflows beyond 64 bits)."""
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError(
            field.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )
    if field.to_field_name is None and value not in field.empty_values:
        text = str(value)
        if not (text.isascii() and text.isdigit() and 0 < int(text) <= MAX_INT):
            raise ValidationError(
                field.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )


class SafeModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that never sends an impossible key to the database (see ``_safe_key``)."""

    def to_python(self, value: Any) -> Any:
        _safe_key(self, value)
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value: Any) -> Any:
        for item in value if isinstance(value, (list, tuple)) else [value]:
            _safe_key(self, item)
        return super()._check_values(value)


def _customer_field() -> forms.ModelChoiceField:
    return SafeModelChoiceField(
        Customer.objects.all(),
        to_field_name="code",
        required=False,
        label=_("customer number"),
        widget=forms.TextInput,
        error_messages={"invalid_choice": _("No customer has this number.")},
    )


def _product_field() -> forms.ModelChoiceField:
    return SafeModelChoiceField(
        Product.objects.all(),
        to_field_name="model_code",
        required=False,
        label=_("product"),
        widget=forms.TextInput,
        error_messages={"invalid_choice": _("No product has this model code.")},
    )


class LocalizedChoiceField(SafeModelChoiceField):
    """Categories and severities carry a Chinese and an English name."""

    def label_from_instance(self, obj: Model) -> str:
        return localized(obj)


class IntakeForm(forms.Form):
    """The registration form (《客户投诉登记表》)."""

    required_css_class = "required"  # the label says the field is required (kesu.css)

    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    received_at = DateTimeField(label=_("received at"))
    complainant_name = forms.CharField(label=_("complainant"), max_length=limits.PERSON_NAME)
    complainant_phone = forms.CharField(label=_("phone"), max_length=limits.PHONE, required=False)
    complainant_address = forms.CharField(label=_("address"), max_length=limits.ADDRESS, required=False)
    customer = _customer_field()
    product = _product_field()
    product_model = forms.CharField(label=_("product model"), max_length=limits.MODEL_TEXT, required=False)
    batch_number = forms.CharField(label=_("batch"), max_length=limits.MODEL_TEXT, required=False)
    order_number = forms.CharField(label=_("order number"), max_length=limits.MODEL_TEXT, required=False)
    shipped_on = DateField(label=_("shipped on"), required=False)
    arrived_on = DateField(label=_("arrived on"), required=False)
    quantity = forms.IntegerField(label=_("quantity"), min_value=0, max_value=MAX_INT, required=False)
    defective_quantity = forms.IntegerField(
        label=_("defective quantity"), min_value=0, max_value=MAX_INT, required=False
    )
    description = forms.CharField(label=_("description"), max_length=limits.DESCRIPTION, widget=_textarea(5))
    requested_remedy = forms.CharField(
        label=_("remedy requested"), max_length=limits.HANDLING_TEXT, required=False, widget=_textarea(2)
    )
    category = LocalizedChoiceField(
        Category.objects.filter(is_active=True), to_field_name="code", required=False, label=_("class")
    )
    severity = LocalizedChoiceField(
        Severity.objects.all(), to_field_name="code", required=False, label=_("severity")
    )
    accused_staff = SafeModelMultipleChoiceField(
        Staff.objects.select_related("department"),
        required=False,
        label=_("staff complained about"),
        help_text=_("被投诉人 — they may neither handle nor approve this complaint."),
    )
    attachments = MultipleFileField(label=_("attachments"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accused_staff"].label_from_instance = lambda s: f"{s.display_name} ({s.department.name})"
        if not self.is_bound:
            self.fields["severity"].initial = (
                Severity.objects.filter(is_default=True).values_list("code", flat=True).first()
            )

    def intake(self) -> tuple[Intake, list[Staff]]:
        """The cleaned form → (Intake, staff complained about), through the one intake parser."""
        return parse_intake(self.cleaned_data)


class _Statuses(forms.MultipleChoiceField):
    """Several statuses; an empty value (``?status=``, "all" in older links) is no filter."""

    def to_python(self, value: Any) -> list[str]:
        return [v for v in super().to_python(value) if v != ""]


class ListFilterForm(forms.Form):
    """The list's filters; every field optional (GET). ``status`` may be given several times
    (several statuses at once); ``sort`` is a column key (selectors.SORTS), "-" first for
    descending; ``panel`` shows a workbench panel's complaints in full ("view all")."""

    q = forms.CharField(label=_("search"), required=False, max_length=limits.SEARCH)
    status = _Statuses(label=_("status"), required=False, widget=forms.SelectMultiple(attrs={"size": 4}))
    category = forms.ChoiceField(label=_("class"), required=False)
    severity = forms.ChoiceField(label=_("severity"), required=False)
    channel = forms.ChoiceField(label=_("channel"), required=False)
    department = SafeModelChoiceField(Department.objects.all(), label=_("department"), required=False)
    handler = SafeModelChoiceField(
        # who may handle: department heads and handlers (not a join over every complaint)
        Staff.objects.filter(role_assignments__role__in=[Role.HANDLER, Role.DEPARTMENT_HEAD])
        .distinct()
        .order_by("display_name"),
        label=_("handler"),
        required=False,
    )
    customer = forms.CharField(
        label=_("customer"),
        required=False,
        max_length=limits.SEARCH,
        help_text=_("customer number, or words of its name"),
    )
    mine = forms.BooleanField(label=_("assigned to me"), required=False)
    received_from = DateField(label=_("received from"), required=False)
    received_to = DateField(label=_("received to"), required=False)
    panel = forms.ChoiceField(label=_("workbench panel"), required=False)
    sort = forms.ChoiceField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        blank = [("", _("all"))]
        self.fields["status"].choices = list(Status.choices)
        self.fields["category"].choices = blank + [(c.code, localized(c)) for c in Category.objects.all()]
        self.fields["severity"].choices = blank + [(s.code, localized(s)) for s in Severity.objects.all()]
        self.fields["channel"].choices = blank + list(Channel.choices)
        self.fields["department"].empty_label = _("all")
        self.fields["handler"].empty_label = _("all")
        self.fields["panel"].choices = [("", "—"), *PANEL_LABELS.items()]
        self.fields["sort"].choices = [("", "")] + [
            (key, key) for name in SORTS for key in (name, f"-{name}")
        ]
        for name, extra in registry.FILTERS.items():  # filters apps add (e.g. "due": time limits)
            self.fields[name] = forms.ChoiceField(
                label=extra.label, required=False, choices=[*blank, *extra.choices.choices]
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and end < start:
            self.add_error("received_to", _("The end date is before the start date."))
        return data


# The workbench panels' names (views.workbench shows the same), for the list's "panel" filter.
PANEL_LABELS = {
    "my-tasks": _("My tasks"),
    "awaiting-approval": _("Awaiting my approval"),
    "due-soon": _("Due soon"),
    "registered-today": _("Registered today"),
}


class SavedFilterForm(forms.Form):
    """Save the list's current filters under a name (per staff member; the same name replaces)."""

    required_css_class = "required"  # the label says the field is required (kesu.css)

    name = forms.CharField(label=_("name"), max_length=limits.SAVED_FILTER_NAME)
    query = forms.CharField(required=False, max_length=limits.SAVED_FILTER_QUERY, widget=forms.HiddenInput)

    def clean_query(self) -> str:
        query = self.cleaned_data["query"]
        params = QueryDict(query)
        if not ListFilterForm(params).is_valid():
            raise ValidationError(_("These filters are not valid; correct them before saving."))
        return params.urlencode()  # as the list reads it again


# ---------------------------------------------------------------------------------------------
# Actions on one complaint

INPUT_LABELS = {
    "category": _("class"),
    "severity": _("severity"),
    "comment": _("comment"),
    "reply": _("reply to customer"),
    "to_department": _("to department"),
    "to_position": _("to position"),
    "reason": _("reason"),
    "handler": _("handler"),
    "resolution": _("resolution"),
    "channel": _("channel"),
    "satisfaction": _("satisfaction"),
    "description": _("description"),
    "received_at": _("received at"),
    "clock": _("time limit"),
    "extra_amount": _("extra time (in the time limit's unit)"),
    "delivered_at": _("delivered at"),
    "late_reason": _("late reason (洽办)"),
}


class VersionedForm(forms.Form):
    """Every form that changes a complaint carries the version the viewer saw (optimistic locking)
    and when they loaded it (``seen``): on a 409 the page shows what changed since then."""

    required_css_class = "required"  # the label says the field is required (kesu.css)

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("seen", timezone.now().isoformat())

    def seen_at(self) -> datetime | None:
        """When the viewer loaded the page, as the form says (None if missing or not a time)."""
        text = str(self.data.get(self.add_prefix("seen"), ""))[:40]
        try:
            seen = parse_datetime(text)
        except ValueError:
            return None
        return seen if seen is not None and timezone.is_aware(seen) else None


CHOICE_KINDS = frozenset(
    {"category", "severity", "department", "position", "staff", "channel", "satisfaction"}
)


def _choices(kind: str, complaint: Complaint) -> list[tuple[str, str]]:
    match kind:
        case "category":
            return [(c.code, localized(c)) for c in Category.objects.filter(is_active=True)]
        case "severity":
            return [(s.code, localized(s)) for s in Severity.objects.all()]
        case "department":
            return [(d.code, d.name) for d in Department.objects.all()]
        case "position":
            return [(str(p.pk), str(p)) for p in Position.objects.select_related("department")]
        case "staff":
            people = Staff.objects.filter(department_id=complaint.handling_department_id).exclude(
                complaints_against=complaint  # the person complained about is never offered (回避)
            )
            return [(s.user.username, s.display_name) for s in people.select_related("user")]
        case "channel":
            return list(Channel.choices)
        case "satisfaction":
            return list(Satisfaction.choices)
    choices = registry.INPUT_KINDS[kind].choices  # a kind an app registered
    return [] if choices is None else choices(complaint)


def action_form(action: str, complaint: Complaint, data: Any = None) -> VersionedForm:
    """The small form for one workflow action, its fields taken from ``actions.ACTION_INPUTS``.
    It cleans to the raw inputs ``actions.perform_action`` takes (codes, usernames, text, datetimes)."""
    fields: dict[str, forms.Field] = {}
    for spec in ACTION_INPUTS[action]:
        label = INPUT_LABELS.get(spec.name) or registry.INPUT_LABELS.get(spec.name, spec.name)
        if spec.kind == "text":
            rows = 4 if spec.name in {"reply", "resolution", "description"} else 2
            field: forms.Field = forms.CharField(
                label=label,
                required=spec.required,
                widget=_textarea(rows),
                strip=False,
                max_length=spec.max_length,
            )
        elif spec.kind == "datetime":
            field = DateTimeField(label=label, required=spec.required)
        elif spec.kind == "decimal":
            field = forms.DecimalField(
                label=label, required=spec.required, max_digits=7, decimal_places=2, min_value=Decimal("0.01")
            )
        elif spec.kind not in CHOICE_KINDS and (
            spec.kind not in registry.INPUT_KINDS or registry.INPUT_KINDS[spec.kind].choices is None
        ):
            # An input kind this form does not know yet: pass the text on; actions.parse_inputs checks it.
            field = forms.CharField(label=label, required=spec.required)
        else:
            choices = _choices(spec.kind, complaint)
            field = forms.ChoiceField(
                label=label, required=spec.required, choices=[("", "---------"), *choices]
            )
        fields[spec.name] = field
    form_class = type(f"{action.title().replace('_', '')}Form", (VersionedForm,), fields)
    initial = {"version": complaint.version}
    if action == "classify":
        initial |= {
            "category": complaint.category.code if complaint.category else "",
            "severity": complaint.severity.code,
        }
    if action == "propose_transfer" and complaint.handling_department:
        initial["to_department"] = complaint.handling_department.code
    if action == "file_secondary":
        initial["channel"] = complaint.channel
    if data is None:
        initial = registry.initials(action, complaint) | initial
    return form_class(data, initial=initial, prefix=action)


def action_inputs(form: VersionedForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k not in {"version", "seen"}}


class CorrectionForm(VersionedForm):
    """Correct registered facts (更正): every correctable field prefilled, plus the reason.
    Only the fields the user changed are sent to the service."""

    reason = forms.CharField(label=_("reason"), max_length=limits.max_length("reason"), widget=_textarea(2))

    def __init__(self, complaint: Complaint, *args: Any, **kwargs: Any) -> None:
        initial = {"version": complaint.version}
        for name in CORRECTABLE_FIELDS:
            value = getattr(complaint, name)
            if name == "customer":
                value = value.code if value else ""
            elif name == "product":
                value = value.model_code if value else ""
            elif name == "severity":
                value = value.code
            initial[name] = value
        super().__init__(*args, initial=initial, prefix="correct", **kwargs)
        for name in CORRECTABLE_FIELDS:
            self.fields[name] = self._field_for(name)
        self.order_fields([*CORRECTABLE_FIELDS, "reason"])

    @staticmethod
    def _field_for(name: str) -> forms.Field:
        if name == "customer":
            return _customer_field()
        if name == "product":
            return _product_field()
        if name == "severity":
            return LocalizedChoiceField(Severity.objects.all(), to_field_name="code", label=_("severity"))
        model_field = Complaint._meta.get_field(name)
        if isinstance(model_field, models.DateTimeField):
            return DateTimeField(label=model_field.verbose_name, required=not model_field.blank)
        if isinstance(model_field, models.DateField):
            return DateField(label=model_field.verbose_name, required=not model_field.blank)
        field = model_field.formfield()
        if isinstance(field, forms.IntegerField):
            field.max_value = MAX_INT
            field.validators.append(MaxValueValidator(MAX_INT))
        elif isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea):
            field.widget = _textarea(3)
        return field

    def changes(self) -> dict[str, Any]:
        """Changed fields → the values ``services.correct_complaint`` takes (related rows by pk)."""
        changes: dict[str, Any] = {}
        for name in self.changed_data:
            if name not in CORRECTABLE_FIELDS:
                continue
            value = self.cleaned_data[name]
            changes[name] = value.pk if isinstance(value, Model) else value
        if not changes:
            raise ValidationError(_("Nothing changed."))
        return changes


class AttachmentForm(VersionedForm):
    file = forms.FileField(label=_("file"))
