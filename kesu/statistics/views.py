"""Web views of the statistics app: the dashboard (统计看板), the complaints behind a figure, the
Excel exports and the stored reports. Parse, call, render."""

from __future__ import annotations

from typing import IO, Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kesu.complaints import registry
from kesu.complaints.forms import ListFilterForm
from kesu.complaints.selectors import complaints_visible_to
from kesu.complaints.views import listed_complaints
from kesu.complaints.workflow import SEES_ALL
from kesu.core.paging import page_of
from kesu.organization.selectors import capacities_of, staff_of
from kesu.statistics import excel, exports
from kesu.statistics.charts import chart_data
from kesu.statistics.forms import DrillForm, ExportForm, StatisticsForm
from kesu.statistics.models import ExportJob, ExportKind, HotSpotRule, StoredReport
from kesu.statistics.selectors import DIMENSIONS, StatisticsError, View, drill, statistics


def _visible(request: HttpRequest):
    return complaints_visible_to(staff=staff_of(request.user))


def _xlsx(file: IO[bytes], name: str) -> FileResponse:
    response = FileResponse(file, as_attachment=True, filename=name, content_type=excel.XLSX)
    response["Cache-Control"] = "private, no-store"
    return response


def _view_query(view: View) -> str:
    query = QueryDict(mutable=True)
    query.update({"by": view.by, "since": view.since.isoformat(), "until": view.until.isoformat()})
    return query.urlencode()


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The figures of one view as charts and tables; every figure links to its complaints."""
    form = StatisticsForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "statistics/dashboard.html", {"form": form}, status=400)
    if not form.is_bound:
        form = StatisticsForm({})
        form.is_valid()
    view: View = form.cleaned_data["view"]
    stats = statistics(view=view, complaints=_visible(request))
    context = {
        "form": form,
        "stats": stats,
        "view": view,
        "by_label": DIMENSIONS[view.by],
        "hot_spot_rule": HotSpotRule.current(),
        "query": _view_query(view),
        "charts": chart_data(stats, drill_url=reverse("statistics-drill"), query=_view_query(view)),
    }
    return render(request, "statistics/dashboard.html", context)


@login_required
@require_GET
def statistics_export(request: HttpRequest) -> HttpResponse:
    """The view's figures as an Excel workbook (figures, then who bears the losses)."""
    form = StatisticsForm(request.GET)
    if not form.is_valid():
        return render(request, "statistics/dashboard.html", {"form": form}, status=400)
    view: View = form.cleaned_data["view"]
    stats = statistics(view=view, complaints=_visible(request))
    file = excel.statistics_workbook(stats, str(DIMENSIONS[view.by]))
    return _xlsx(file, f"statistics-{view.by}-{view.since:%Y%m%d}-{view.until:%Y%m%d}.xlsx")


def _drilled(request: HttpRequest) -> tuple[DrillForm, Any]:
    form = DrillForm(request.GET)
    if not form.is_valid():
        return form, None
    try:
        found = drill(
            view=form.cleaned_data["view"],
            complaints=_visible(request),
            measure=form.cleaned_data["measure"],
            key=form.cleaned_data["key"] or None,
        )
    except StatisticsError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return form, None
    return form, found


@login_required
@require_GET
def drill_page(request: HttpRequest) -> HttpResponse:
    """The complaints behind one figure (a paged list like the complaint list)."""
    form, found = _drilled(request)
    if found is None:
        return render(request, "statistics/drill.html", {"form": form}, status=400)
    page = page_of(
        found.order_by("-registered_at", "-id"),
        number=request.GET.get("page"),
        page_size=settings.KESU_PAGE_SIZE,
    )
    view = form.cleaned_data["view"]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "view": view,
        "measure": form.cleaned_data["measure"],
        "key": form.cleaned_data["key"],
        "query": query.urlencode(),
        "back": _view_query(view),
    }
    return render(request, "statistics/drill.html", context)


@login_required
@require_GET
def drill_export(request: HttpRequest) -> HttpResponse:
    form, found = _drilled(request)
    if found is None:
        return render(request, "statistics/drill.html", {"form": form}, status=400)
    return _export_or_offer(request, found, ExportKind.DRILL)


@login_required
@require_GET
def complaints_export(request: HttpRequest) -> HttpResponse:
    """The complaint list with its filters applied, every row (not one page), in its order. No row:
    a sheet with the headers only."""
    form = ListFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "complaints/list.html", {"form": form, "page": None}, status=400)
    complaints = listed_complaints(staff_of(request.user), form.cleaned_data)
    return _export_or_offer(request, complaints, ExportKind.COMPLAINTS)


def _export_or_offer(request: HttpRequest, complaints: Any, kind: str) -> HttpResponse:
    """Up to KESU_EXPORT_IMMEDIATE_ROWS rows: the workbook at once. More: a page that offers to
    build it in the worker (a POST, so that no prefetch or reload queues a second job)."""
    rows = complaints.count()
    if rows <= exports.immediate_rows():
        # a classified customer's complaint in the export leaves an audit row (kesu.archive)
        registry.record_read(staff_of(request.user), complaints, kind="export")
        file, _rows = excel.complaints_workbook(complaints)
        return _xlsx(file, f"complaints-{timezone.localdate():%Y%m%d}.xlsx")
    query = request.GET.copy()
    query.pop("page", None)
    context = {"rows": rows, "kind": kind, "query": query.urlencode(), "threshold": exports.immediate_rows()}
    return render(request, "statistics/export_offer.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def export_list(request: HttpRequest) -> HttpResponse:
    """GET: the person's own exports with their progress. POST (kind, query): queue one."""
    staff = staff_of(request.user)
    if request.method == "POST":
        form = ExportForm(request.POST)
        if form.is_valid() and staff is not None:
            try:
                job = exports.start_export(staff=staff, **form.cleaned_data)
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, messages)
            else:
                return redirect("export-detail", export_id=job.pk)
        elif staff is None:
            form.add_error(None, _("Only staff may export."))
        jobs = exports.exports_of(staff=staff)[:50]
        return render(request, "statistics/exports.html", {"form": form, "jobs": jobs}, status=400)
    jobs = exports.exports_of(staff=staff)[:50]
    return render(request, "statistics/exports.html", {"jobs": jobs})


@login_required
@require_GET
def export_detail(request: HttpRequest, export_id: int) -> HttpResponse:
    """One export's progress (the page reloads itself while the worker writes) and its link."""
    job = get_object_or_404(exports.exports_of(staff=staff_of(request.user)), pk=export_id)
    return render(request, "statistics/export_detail.html", {"job": job, "expired": job.is_expired()})


@login_required
@require_GET
def export_download(request: HttpRequest, export_id: int) -> HttpResponse:
    """The finished workbook, to its requester only, until it expires (404 otherwise)."""
    try:
        job, path = exports.downloadable(staff=staff_of(request.user), job_id=export_id)
    except ExportJob.DoesNotExist as error:
        raise Http404 from error
    return _xlsx(path.open("rb"), job.filename)


def _may_read_reports(request: HttpRequest) -> bool:
    """The stored reports are built over every complaint: only those who see every complaint
    (the desk, leadership, auditors, administrators: ``workflow.SEES_ALL``) may read them."""
    capacities = capacities_of(staff=staff_of(request.user))
    return any(capacity.roles & SEES_ALL for capacity in capacities)


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """The stored reports, newest period first."""
    if not _may_read_reports(request):
        return render(request, "statistics/reports.html", {"forbidden": True}, status=403)
    reports = StoredReport.objects.select_related("schedule").defer("content")[:200]
    return render(request, "statistics/reports.html", {"reports": reports})


@login_required
@require_GET
def report_download(request: HttpRequest, report_id: int) -> HttpResponse:
    if not _may_read_reports(request):
        raise Http404
    report = get_object_or_404(StoredReport, pk=report_id)
    response = HttpResponse(bytes(report.content), content_type=excel.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
