"""Web views of fulfilment: the cost figures page (费用统计). Parse, call, render."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from kesu.complaints.selectors import complaints_visible_to
from kesu.fulfilment.selectors import DIMENSIONS, cost_figures
from kesu.organization.selectors import staff_of


class CostFiguresForm(forms.Form):
    month = forms.RegexField(
        label=_("month"),
        regex=r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])$",
        required=False,
        max_length=7,
        error_messages={"invalid": _("Enter a month as YYYY-MM.")},
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    by = forms.ChoiceField(
        label=_("group by"), choices=[(k, v[1]) for k, v in DIMENSIONS.items()], required=False
    )


@login_required
@require_GET
def cost_figures_page(request: HttpRequest) -> HttpResponse:
    """The month's cost figures over the complaints the viewer may see."""
    form = CostFiguresForm(request.GET or None)
    month, by, status = timezone.localdate().replace(day=1), "category", 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        if form.cleaned_data["month"]:
            year, number = form.cleaned_data["month"].split("-")
            month = date(int(year), int(number), 1)
        by = form.cleaned_data["by"] or "category"
    context: dict[str, Any] = {"form": form, "figures": None, "by_label": DIMENSIONS[by][1]}
    if status == 200:
        visible = complaints_visible_to(staff=staff_of(request.user))
        context["figures"] = cost_figures(month=month, by=by, complaints=visible)
    if not form.is_bound:
        context["form"] = CostFiguresForm(initial={"month": f"{month:%Y-%m}", "by": by})
    return render(request, "fulfilment/cost_figures.html", context, status=status)
