"""Web views of the deadlines app: the figures page (统计). Parse, call, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kesu.complaints.selectors import complaints_visible_to
from kesu.deadlines.figures import default_period, figures, late_cases
from kesu.deadlines.forms import DIMENSION_LABELS, FiguresForm
from kesu.deadlines.models import HandlingTimeTarget
from kesu.organization.selectors import staff_of


@login_required
@require_GET
def figures_page(request: HttpRequest) -> HttpResponse:
    """On-time rate and average handling time over the complaints the viewer may see."""
    bound = None
    if request.GET:
        bound = request.GET.copy()
        bound.setdefault("by", "month")
        if not bound["by"]:
            bound["by"] = "month"
    form = FiguresForm(bound)
    by, until = "month", default_period()[1]
    since = default_period(until)[0]
    rows, late, status = None, [], 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        by = form.cleaned_data["by"] or "month"
        until = form.cleaned_data["until"] or until
        since = form.cleaned_data["since"] or default_period(until)[0]
        until = max(until, since)  # only "since" given, and it is after today
    if status == 200:
        visible = complaints_visible_to(staff=staff_of(request.user))
        rows = figures(by=by, since=since, until=until, complaints=visible)
        late = late_cases(since=since, until=until, complaints=visible)
    if not form.is_bound:
        form = FiguresForm(initial={"by": by, "since": since, "until": until})
    context = {
        "form": form,
        "rows": rows,
        "late_cases": late,
        "by_label": DIMENSION_LABELS[by],
        "since": since,
        "until": until,
        "target": HandlingTimeTarget.current_hours(),
    }
    return render(request, "deadlines/figures.html", context, status=status)
