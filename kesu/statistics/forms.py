"""Web forms of the statistics app: they only parse what the browser sent (GET)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kesu.complaints.forms import DateField
from kesu.core import limits
from kesu.deadlines.figures import default_period
from kesu.statistics.models import ExportKind
from kesu.statistics.selectors import DIMENSIONS, StatisticsError, View


class StatisticsForm(forms.Form):
    """A statistics view: the grouping and the period; blank dates mean the last six months."""

    by = forms.ChoiceField(label=_("group by"), choices=list(DIMENSIONS.items()), required=False)
    since = DateField(label=_("from"), required=False)
    until = DateField(label=_("to"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        until = data.get("until") or default_period()[1]
        since = data.get("since") or default_period(until)[0]
        try:
            data["view"] = View(by=data.get("by") or "month", since=since, until=until)
        except StatisticsError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return data


class DrillForm(StatisticsForm):
    """The complaints behind one figure: the view, the figure (``measure``) and its group (``key``)."""

    measure = forms.CharField(label=_("figure"), max_length=limits.CODE)
    key = forms.CharField(label=_("group"), max_length=limits.PARTY_NAME + limits.CODE, required=False)


class ExportForm(forms.Form):
    """Queue a large export: which list and its filters (the page's query string)."""

    kind = forms.ChoiceField(label=_("export"), choices=ExportKind.choices)
    query = forms.CharField(label=_("filters"), max_length=limits.SAVED_FILTER_QUERY, required=False)
