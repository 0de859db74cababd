"""Web forms of the decision page: propose (or rework) the handling decision, record the
customer's countersign or refusal. They parse; ``kesu.decisions.services`` decides (the same
functions the API and the CLI call), and its field errors are put back on the form's fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kesu.core import limits
from kesu.decisions.models import MONEY_LINES, Cause, CountersignHow, PartyKind, RemedyKind
from kesu.decisions.selectors import LINE_LABELS
from kesu.decisions.services import MoneyIn, RemedyIn, ShareIn
from kesu.organization.models import Department, Staff

SHARE_ROWS = 4  # e.g. two departments, a carrier and the customer
REMEDY_ROWS = 3


class ProposeForm(forms.Form):
    """Cause, up to ``SHARE_ROWS`` responsible parties, up to ``REMEDY_ROWS`` remedies, the four
    money lines and a note. Amounts and shares are taken as typed: the service checks them
    (percent and CNY with at most 2 decimals, shares adding up to exactly 100.00)."""

    cause = forms.ChoiceField(label=_("cause"))
    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=limits.DECISION_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cause"].choices = [("", "—")] + [
            (c.code, c.name) for c in Cause.objects.filter(is_active=True)
        ]
        parties = [("", "—"), *PartyKind.choices]
        departments = [("", "—")] + [(d.code, d.name) for d in Department.objects.order_by("code")]
        people = [("", "—")] + [
            (s.user.get_username(), s.display_name)
            for s in Staff.objects.select_related("user").order_by("department__code", "display_name")
        ]
        kinds = [("", "—")] + [(k.code, k.name) for k in RemedyKind.objects.filter(is_active=True)]
        for i in range(SHARE_ROWS):
            self.fields[f"party_{i}"] = forms.ChoiceField(label=_("party"), choices=parties, required=False)
            self.fields[f"department_{i}"] = forms.ChoiceField(
                label=_("department"), choices=departments, required=False
            )
            self.fields[f"staff_{i}"] = forms.ChoiceField(label=_("person"), choices=people, required=False)
            self.fields[f"name_{i}"] = forms.CharField(
                label=_("name"), required=False, max_length=limits.PARTY_NAME
            )
            self.fields[f"share_{i}"] = forms.CharField(
                label=_("share (%)"),
                required=False,
                max_length=12,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
        for i in range(REMEDY_ROWS):
            self.fields[f"kind_{i}"] = forms.ChoiceField(label=_("remedy"), choices=kinds, required=False)
            self.fields[f"quantity_{i}"] = forms.IntegerField(
                label=_("quantity"), required=False, min_value=0, max_value=2_147_483_647
            )
            self.fields[f"amount_{i}"] = forms.CharField(
                label=_("amount (CNY)"),
                required=False,
                max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
        for line in MONEY_LINES:
            self.fields[line] = forms.CharField(
                label=LINE_LABELS[line],
                initial="0.00",
                max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )

    def share_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"{name}_{i}"] for name in ("party", "department", "staff", "name", "share")]
            for i in range(SHARE_ROWS)
        ]

    def remedy_rows(self) -> list[list[forms.BoundField]]:
        return [[self[f"{name}_{i}"] for name in ("kind", "quantity", "amount")] for i in range(REMEDY_ROWS)]

    def money_fields(self) -> list[forms.BoundField]:
        return [self[line] for line in MONEY_LINES]

    def shares(self) -> list[ShareIn]:
        """The rows with a party or a share (an empty row is no party)."""
        data = self.cleaned_data
        return [
            ShareIn(
                party=data[f"party_{i}"],
                share=data[f"share_{i}"],
                department=data[f"department_{i}"],
                staff=data[f"staff_{i}"],
                name=data[f"name_{i}"],
            )
            for i in range(SHARE_ROWS)
            if data.get(f"party_{i}") or (data.get(f"share_{i}") or "").strip()
        ]

    def remedies(self) -> list[RemedyIn]:
        data = self.cleaned_data
        return [
            RemedyIn(
                kind=data[f"kind_{i}"], quantity=data[f"quantity_{i}"], amount=data[f"amount_{i}"] or None
            )
            for i in range(REMEDY_ROWS)
            if data.get(f"kind_{i}") or data.get(f"quantity_{i}") is not None or data.get(f"amount_{i}")
        ]

    def money(self) -> MoneyIn:
        return MoneyIn(**{line: self.cleaned_data[line] for line in MONEY_LINES})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for i in range(SHARE_ROWS):
            if (data.get(f"share_{i}") or "").strip() and not data.get(f"party_{i}"):
                self.add_error(f"party_{i}", _("This field is required."))
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        """The service's field paths (``shares.1.share``, ``remedies.0.kind``, ``money.freight``)
        on this form's fields (``share_1``, ``kind_0``, ``freight``); the rest above the form."""
        items = error.message_dict.items() if hasattr(error, "error_dict") else [("", error.messages)]
        for path, texts in items:
            parts = path.split(".")
            name = path
            if len(parts) == 3 and parts[0] in ("shares", "remedies"):
                name = f"{parts[2]}_{parts[1]}"
            elif len(parts) == 2 and parts[0] == "money":
                name = parts[1]
            if name in self.fields:
                self.add_error(name, texts)
            else:
                label = {"shares": _("responsibility shares"), "remedies": _("remedies")}.get(path)
                self.add_error(None, [f"{label}: {t}" if label else t for t in texts])


class CountersignForm(forms.Form):
    """The customer's countersign (客户签字确认, seed 000 4.2.3.3 ⑤)."""

    how = forms.ChoiceField(label=_("how"), choices=CountersignHow.choices)
    signed_by = forms.CharField(label=_("signed by"), max_length=limits.PERSON_NAME)
    at = forms.DateTimeField(
        label=_("answered at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class RefusalForm(forms.Form):
    """The customer does not accept (seed 002 (九)9): a new complaint is filed with this one attached."""

    reason = forms.CharField(
        label=_("reason"), max_length=limits.HANDLING_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class ObjectionForm(forms.Form):
    """A department's objection to the approved decision (签呈, seed 002 (九)12)."""

    reason = forms.CharField(
        label=_("reason"), max_length=limits.HANDLING_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    decider = forms.ChoiceField(label=_("decider"), required=False)

    def __init__(self, *args: Any, deciders: list[Staff] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decider"].choices = [(p.user.get_username(), p.display_name) for p in deciders or []]


class ObjectionDecisionForm(forms.Form):
    """The named decider's outcome."""

    uphold = forms.TypedChoiceField(
        label=_("outcome"),
        choices=[
            ("no", _("dismissed: the decision stands")),
            ("yes", _("upheld: the decision is to be reworked")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("reason"), max_length=limits.HANDLING_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
