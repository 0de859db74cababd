"""Web forms of the deadlines app: they only parse what the browser sent."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kesu.complaints.forms import DateField
from kesu.deadlines.figures import DIMENSIONS

DIMENSION_LABELS = {
    "department": _("department"),
    "category": _("class"),
    "severity": _("severity"),
    "month": _("month"),
}
assert set(DIMENSION_LABELS) == set(DIMENSIONS)


class FiguresForm(forms.Form):
    """The figures page's period and grouping (GET); blank dates mean the default period."""

    by = forms.ChoiceField(label=_("group by"), choices=list(DIMENSION_LABELS.items()), required=False)
    since = DateField(label=_("from"), required=False)
    until = DateField(label=_("to"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date is before the start date."))
        return data
