"""Web forms of the committee page. They parse; kesu.committees.services decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kesu.committees.models import CommitteeSeat
from kesu.complaints.models import Attachment, Complaint
from kesu.core import limits
from kesu.decisions.forms import ProposeForm
from kesu.organization.models import Staff


class ConveneForm(forms.Form):
    """One member per seat, chosen among the people who fit it."""

    def __init__(
        self, *args: Any, seats: list[CommitteeSeat], candidates: dict[int, list[Staff]], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        for seat in seats:
            self.fields[f"member_{seat.position}"] = forms.ChoiceField(
                label=seat.label,
                choices=[("", "—")] + [(s.user.get_username(), s.display_name) for s in candidates[seat.pk]],
                help_text=seat.duty,
            )

    def members(self) -> dict[str, str]:
        return {name.removeprefix("member_"): value for name, value in self.cleaned_data.items()}


class EvidenceForm(forms.Form):
    """《客户产品质量投诉处理备忘单》."""

    facts = forms.CharField(
        label=_("facts found on site"),
        max_length=limits.HANDLING_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    customer_statement = forms.CharField(
        label=_("the customer's statement"),
        required=False,
        max_length=limits.HANDLING_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = forms.ModelMultipleChoiceField(
        Attachment.objects.none(), label=_("photos"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, complaint: Complaint, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["photos"].queryset = Attachment.objects.filter(complaint=complaint).order_by("pk")


class DeterminationForm(ProposeForm):
    """The decision's fields, and the repair/delivery memo instead of the note."""

    delivery_memo = forms.CharField(
        label=_("repair/delivery memo"),
        max_length=limits.HANDLING_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["note"]


class AgreementForm(forms.Form):
    agree = forms.TypedChoiceField(
        label=_("agreement"),
        choices=[("yes", _("I agree")), ("no", _("I disagree"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("comment"),
        required=False,
        max_length=limits.HANDLING_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
