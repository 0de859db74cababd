"""Web views of the assessment (考核): the months, a month's sheet in the viewer's scope with the
general manager's steps (draft, approve, publish), one's own lines with appeals, and the running
month of a department head's department. Parse, call, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kesu.accountability import excel, reviews, selectors, services
from kesu.accountability.models import AssessmentMonth, MonthStatus, SheetLine
from kesu.core import limits
from kesu.core.errors import KesuError
from kesu.core.xlsx import XLSX
from kesu.organization.models import Department, Role, Staff
from kesu.organization.selectors import staff_of

PAGE_LINES = 1000  # the page shows the first lines; the API pages through all of them


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("reason"),
        max_length=limits.max_length("reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviewForm(forms.Form):
    department = forms.SlugField(max_length=limits.CODE)
    confirm = forms.ChoiceField(
        label=gettext_lazy("review"),
        choices=[("yes", gettext_lazy("Confirm")), ("no", gettext_lazy("Dispute"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("reason"),
        max_length=limits.max_length("reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _staff(request: HttpRequest) -> Staff:
    staff = staff_of(request.user)
    if staff is None:
        raise Http404
    return staff


@login_required
@require_GET
def months_page(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    return render(
        request,
        "accountability/months.html",
        {
            "months": selectors.months_visible_to(staff=staff),
            "may_draft": bool(staff.roles & services.REVIEWERS),
            "heads": bool(selectors.departments_headed_by(staff)) or selectors.sees_all(staff),
            "this_month": timezone.localdate().strftime("%Y-%m"),
        },
    )


def _parse(month: str):
    try:
        return services.parse_month(month)
    except ValidationError:
        raise Http404 from None


@login_required
@require_GET
def month_page(request: HttpRequest, month: str) -> HttpResponse:
    staff = _staff(request)
    row = selectors.month_visible_to(staff=staff, month=_parse(month))
    if row is None:
        raise Http404
    visible = selectors.lines_visible_to(staff=staff, month=row).order_by("position")
    lines = list(visible[:PAGE_LINES])
    totals = list(selectors.totals_visible_to(staff=staff, month=row))
    mine = reviews.headed_by(staff) if not row.is_locked else set()
    department_reviews = [
        {"review": review, "answerable": review.department_id in mine}
        for review in selectors.reviews_visible_to(staff=staff, month=row)
    ]
    return render(
        request,
        "accountability/month.html",
        {
            "row": row,
            "lines": lines,
            "more_lines": len(lines) == PAGE_LINES and visible[PAGE_LINES : PAGE_LINES + 1].exists(),
            "totals": totals,
            "is_gm": Role.GENERAL_MANAGER in staff.roles,
            "may_draft": bool(staff.roles & services.REVIEWERS) and not row.is_locked,
            "may_publish": bool(staff.roles & {Role.GENERAL_MANAGER, Role.ADMINISTRATOR})
            and row.status == MonthStatus.APPROVED,
            "appealable": row.status == MonthStatus.PUBLISHED,
            "me": staff,
            "appeal_form": AppealForm(),
            "reviews": department_reviews,
            "review_form": ReviewForm(),
        },
    )


@login_required
@require_POST
def review_page(request: HttpRequest, month: str) -> HttpResponse:
    """A department head confirms or disputes their department's lines (the month page's form)."""
    staff = _staff(request)
    parsed = _parse(month)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("assessment-month", month=month)
    department = Department.objects.filter(code=form.cleaned_data["department"]).first()
    if department is None:
        raise Http404
    try:
        services.review_department(
            month=parsed,
            department=department,
            by=staff,
            confirm=form.cleaned_data["confirm"] == "yes",
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except KesuError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your review is recorded."))
    return redirect("assessment-month", month=month)


@login_required
@require_GET
def export_page(request: HttpRequest, month: str) -> HttpResponse:
    """The locked month's workbook for HR/payroll (Excel), in the viewer's scope."""
    staff = _staff(request)
    row = selectors.month_visible_to(staff=staff, month=_parse(month))
    if row is None:
        raise Http404
    try:
        file = excel.month_workbook(row=row, staff=staff)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("assessment-month", month=month)
    return FileResponse(file, as_attachment=True, filename=excel.filename(row), content_type=XLSX)


@login_required
@require_POST
def step_page(request: HttpRequest, month: str, step: str) -> HttpResponse:
    """Draft, approve or publish (the buttons of the month page)."""
    staff = _staff(request)
    parsed = _parse(month)
    service = {
        "draft": services.draft_month,
        "approve": services.approve_month,
        "publish": services.publish_month,
    }.get(step)
    if service is None:
        raise Http404
    try:
        service(month=parsed, by=staff)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except KesuError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Done: %(month)s.") % {"month": month})
    if AssessmentMonth.objects.filter(month=parsed).exists():
        return redirect("assessment-month", month=month)
    return redirect("assessment")


@login_required
@require_GET
def mine_page(request: HttpRequest) -> HttpResponse:
    """The viewer's own lines of every published month."""
    staff = _staff(request)
    lines = (
        SheetLine.objects.filter(staff=staff, month__status=MonthStatus.PUBLISHED)
        .select_related("month", "rule", "complaint", "department")
        .prefetch_related("appeals")
        .order_by("-month__month", "position")
    )
    return render(request, "accountability/mine.html", {"lines": lines, "appeal_form": AppealForm()})


@login_required
@require_POST
def appeal_page(request: HttpRequest, line_id: int) -> HttpResponse:
    staff = _staff(request)
    line = SheetLine.objects.select_related("month").filter(pk=line_id).first()
    if (
        line is None
        or not selectors.lines_visible_to(staff=staff, month=line.month).filter(pk=line.pk).exists()
    ):
        raise Http404
    form = AppealForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("assessment-mine")
    try:
        services.file_appeal(line=line, by=staff, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except KesuError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your appeal is filed."))
    return redirect("assessment-mine")


@login_required
@require_GET
def running_page(request: HttpRequest) -> HttpResponse:
    """The running month as it stands now, for department heads (their departments) and
    leadership (everyone): computed, not stored."""
    staff = _staff(request)
    if not (selectors.departments_headed_by(staff) or selectors.sees_all(staff)):
        raise Http404
    month = timezone.localdate().replace(day=1)
    lines = selectors.running_preview(staff=staff, month=month)
    staff_names = dict(
        Staff.objects.filter(pk__in={line.staff_id for line in lines}).values_list("pk", "display_name")
    )
    departments = dict(
        Department.objects.filter(pk__in={line.department_id for line in lines}).values_list("pk", "name")
    )
    rows = [
        {
            "staff": staff_names.get(line.staff_id, ""),
            "department": departments.get(line.department_id, ""),
            "rule": line.rule.name if line.rule else _("adjustment"),
            "complaint": line.complaint_number,
            "yuan": line.yuan,
            "points": line.points,
            "arithmetic": line.arithmetic,
        }
        for line in lines
    ]
    return render(request, "accountability/running.html", {"month": month, "rows": rows})
