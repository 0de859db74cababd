"""The assessment (考核) endpoints of /api/v1/: months with their lines and totals in the caller's
scope, drafting, the general manager's approval (which locks the month), publication, manual
findings, appeals and their decisions. Parse, call one service or selector, render; errors as in
kesu.api (ErrorOut). Amounts are strings with two decimals; ``month`` is YYYY-MM."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as Reply

from kesu.accountability import excel, selectors, services
from kesu.accountability.models import Appeal, AssessmentMonth, DepartmentReview, Rule, SheetLine
from kesu.complaints.models import Complaint
from kesu.complaints.schemas import MAX_INT, ErrorOut, LocalDateTime, Text, bounded
from kesu.core import limits
from kesu.core.xlsx import XLSX
from kesu.organization.models import Department, Staff

router = Router(tags=["assessment"])

Code = Annotated[Text, Field(max_length=limits.CODE)]
Username = Annotated[Text, Field(max_length=limits.USERNAME)]
Signed = Annotated[Decimal, Field(ge=-(10**9), le=10**9, max_digits=14, decimal_places=2)]
UNAUTHORIZED = {401: ErrorOut, 429: ErrorOut}
READ_ERRORS = {404: ErrorOut, 422: ErrorOut, **UNAUTHORIZED}
WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, **UNAUTHORIZED}


class AssessmentLineOut(Schema):
    id: int
    position: int
    staff: str = Field(description="Username, or empty for a department's line.")
    staff_name: str
    department: str = Field(description="Department code.")
    rule: str = Field(description="Rule code, or empty.")
    rule_name: str
    fact: str
    complaint: str = Field(description="Complaint number, or empty.")
    yuan: str = Field(description="Signed CNY: negative deducts.")
    points: str = Field(description="Signed points: negative deducts.")
    arithmetic: str


class AssessmentTotalOut(Schema):
    staff: str
    staff_name: str
    department: str
    yuan: str
    points: str
    score: str | None = Field(description="On a scorecard: the bounded score; else null.")
    monthly_bonus: str
    carried_in: str
    capped_due: str
    cap: str | None
    deducted: str
    carried_out: str


class DepartmentReviewOut(Schema):
    department: str = Field(description="Department code.")
    department_name: str
    state: Literal["pending", "confirmed", "disputed"]
    reason: str
    reviewed_by: str = Field(description="Username of the head who answered, or empty.")
    reviewed_at: LocalDateTime | None
    lines: int = Field(description="How many lines the department reviews.")


class DepartmentReviewIn(Schema):
    department: Code = Field(description="The department's code.")
    confirm: bool = Field(description="true confirms the lines; false disputes them (reason required).")
    reason: bounded("reason") = ""


class AssessmentMonthOut(Schema):
    month: str
    status: Literal["draft", "approved", "published"]
    drafted_at: LocalDateTime | None
    approved_at: LocalDateTime | None
    published_at: LocalDateTime | None
    lines: list[AssessmentLineOut] = Field(description="One page of lines, in sheet order.")
    next_offset: int | None = Field(description="The offset of the next page of lines; null on the last.")
    totals: list[AssessmentTotalOut]
    reviews: list[DepartmentReviewOut] = Field(
        description="The department heads' current reviews (empty where the rule book has no review step)."
    )


class LinePage(Schema):
    limit: int = Field(500, ge=1, le=5000)
    offset: int = Field(0, ge=0, le=MAX_INT)


class AssessmentMonthRef(Schema):
    month: str
    status: Literal["draft", "approved", "published"]


class FindingIn(Schema):
    rule: Code = Field(description="A manual rule's code.")
    staff: Username = Field("", description="The person (username), or")
    department: Code = Field("", description="the department (code).")
    complaint: Annotated[Text, Field(max_length=40)] = Field("", description="Complaint number (optional).")
    count: Annotated[int, Field(ge=1, le=1000)] = 1
    reason: bounded("reason")
    evidence: bounded("evidence")


class FindingOut(Schema):
    id: int
    month: str


class AppealIn(Schema):
    reason: bounded("reason")


class AppealDecisionIn(Schema):
    upheld: bool
    decision: bounded("reason")
    adjust_yuan: Signed | None = Field(None, description="Default: the line reversed.")
    adjust_points: Signed | None = None


class AppealOut(Schema):
    id: int
    line: int
    state: Literal["pending", "upheld", "rejected"]
    decision: str
    adjust_yuan: str
    adjust_points: str
    applied_in: str | None = Field(description="The month (YYYY-MM) the adjustment goes into.")


def _month_out(row: AssessmentMonth, staff: Staff, page: LinePage | None = None) -> dict[str, Any]:
    def name(person: Staff | None) -> tuple[str, str]:
        return (person.user.get_username(), person.display_name) if person else ("", "")

    page = page or LinePage()
    rows = list(
        selectors.lines_visible_to(staff=staff, month=row)
        .select_related("staff__user")
        .order_by("position")[page.offset : page.offset + page.limit + 1]
    )
    more = len(rows) > page.limit
    lines = []
    for line in rows[: page.limit]:
        username, display = name(line.staff)
        lines.append(
            {
                "id": line.pk,
                "position": line.position,
                "staff": username,
                "staff_name": display,
                "department": line.department.code if line.department else "",
                "rule": line.rule.code if line.rule else "",
                "rule_name": line.rule.name if line.rule else "",
                "fact": line.fact,
                "complaint": line.complaint.number if line.complaint else "",
                "yuan": f"{line.yuan:.2f}",
                "points": f"{line.points:.2f}",
                "arithmetic": line.arithmetic,
            }
        )
    totals = []
    for total in selectors.totals_visible_to(staff=staff, month=row).select_related("staff__user"):
        username, display = name(total.staff)
        totals.append(
            {
                "staff": username,
                "staff_name": display,
                "department": total.department.code if total.department else "",
                "yuan": f"{total.yuan:.2f}",
                "points": f"{total.points:.2f}",
                "score": None if total.score is None else f"{total.score:.2f}",
                "monthly_bonus": f"{total.monthly_bonus:.2f}",
                "carried_in": f"{total.carried_in:.2f}",
                "capped_due": f"{total.capped_due:.2f}",
                "cap": None if total.cap is None else f"{total.cap:.2f}",
                "deducted": f"{total.deducted:.2f}",
                "carried_out": f"{total.carried_out:.2f}",
            }
        )
    return {
        "month": str(row),
        "status": row.status,
        "drafted_at": row.drafted_at,
        "approved_at": row.approved_at,
        "published_at": row.published_at,
        "lines": lines,
        "next_offset": page.offset + page.limit if more else None,
        "totals": totals,
        "reviews": [_review_out(r) for r in selectors.reviews_visible_to(staff=staff, month=row)],
    }


def _review_out(review: DepartmentReview) -> dict[str, Any]:
    return {
        "department": review.department.code,
        "department_name": review.department.name,
        "state": review.state,
        "reason": review.reason,
        "reviewed_by": review.reviewed_by.user.get_username() if review.reviewed_by else "",
        "reviewed_at": review.reviewed_at,
        "lines": review.line_count,
    }


def _visible(request: HttpRequest, month: str) -> AssessmentMonth:
    row = selectors.month_visible_to(staff=request.auth, month=services.parse_month(month))
    if row is None:
        raise Http404(month)
    return row


def _appeal_out(appeal: Appeal) -> dict[str, Any]:
    return {
        "id": appeal.pk,
        "line": appeal.line_id,
        "state": appeal.state,
        "decision": appeal.decision,
        "adjust_yuan": f"{appeal.adjust_yuan:.2f}",
        "adjust_points": f"{appeal.adjust_points:.2f}",
        "applied_in": str(appeal.applied_in) if appeal.applied_in else None,
    }


@router.get(
    "/assessment/months",
    response={200: list[AssessmentMonthRef], **UNAUTHORIZED},
    summary="Assessment months",
)
def months(request: HttpRequest) -> list[dict[str, str]]:
    """The months the caller may see, newest first (published ones for everybody; all for
    leadership, the CS director and department heads)."""
    return [{"month": str(m), "status": m.status} for m in selectors.months_visible_to(staff=request.auth)]


@router.get(
    "/assessment/months/{month}", response={200: AssessmentMonthOut, **READ_ERRORS}, summary="A month's sheet"
)
def show(request: HttpRequest, month: str, page: Query[LinePage]) -> dict[str, Any]:
    """Every line (rule, complaint, arithmetic) and total in the caller's scope: all for leadership
    and the CS director, a department head's department, one's own lines once published. 404 for a
    month the caller may not see or that does not exist, 422 for a month that is not YYYY-MM.
    Lines come a page at a time (``limit`` up to 5 000, ``offset``); totals all at once."""
    return _month_out(_visible(request, month), request.auth, page)


@router.get(
    "/assessment/months/{month}/xlsx",
    response={**READ_ERRORS},
    summary="A locked month's sheet as Excel",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The workbook (.xlsx): people, departments, lines.",
                "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export(request: HttpRequest, month: str) -> FileResponse:
    """The approved or published month for HR/payroll: a workbook with one row per person (yuan,
    points, score, bonus, carried in, deducted, carried over, line count, then a total row), the
    departments' totals, and every line with its complaint, rule and arithmetic — in the caller's
    scope, headers in the caller's language. 404 for a month the caller may not see, 422 for a
    month that is not YYYY-MM or is still a draft."""
    row = _visible(request, month)
    file = excel.month_workbook(row=row, staff=request.auth)
    return FileResponse(file, as_attachment=True, filename=excel.filename(row), content_type=XLSX)


def _step(request: HttpRequest, month: str, step: Any) -> Reply:
    row = step(month=services.parse_month(month), by=request.auth)
    return Reply(200, _month_out(row, request.auth))


@router.post(
    "/assessment/months/{month}/draft",
    response={200: AssessmentMonthOut, **WRITE_ERRORS},
    summary="Draft a month",
)
def draft(request: HttpRequest, month: str) -> Reply:
    """(Re)draft the month from its facts (leadership, CS director). 409 once it is locked."""
    return _step(request, month, services.draft_month)


@router.post(
    "/assessment/months/{month}/approve",
    response={200: AssessmentMonthOut, **WRITE_ERRORS},
    summary="Approve a month",
)
def approve(request: HttpRequest, month: str) -> Reply:
    """The general manager approves the drafted month once it has ended; it is then locked (409
    for any later change). 403 for anyone else, 422 for a month not drafted or not over."""
    return _step(request, month, services.approve_month)


@router.post(
    "/assessment/months/{month}/publish",
    response={200: AssessmentMonthOut, **WRITE_ERRORS},
    summary="Publish a month",
)
def publish(request: HttpRequest, month: str) -> Reply:
    """Publish the approved month: each person on it is notified. 422 if not approved."""
    return _step(request, month, services.publish_month)


@router.post(
    "/assessment/months/{month}/reviews",
    response={200: DepartmentReviewOut, **WRITE_ERRORS},
    summary="Review a department's lines",
)
def review(request: HttpRequest, month: str, payload: DepartmentReviewIn) -> dict[str, Any]:
    """A department head confirms (``confirm: true``) or disputes (``false``, with a reason) the
    department's lines of a drafted month; the general manager cannot approve while a review is
    pending where the rule book requires the step. 403 for anyone but the department's head, 409
    once the month is locked, 422 for an unknown department, one with nothing to review, or a
    dispute without a reason."""
    parsed = services.parse_month(month)
    department = Department.objects.filter(code=payload.department).first()
    if department is None:
        raise ValidationError({"department": [_("Unknown department.")]})
    answered = services.review_department(
        month=parsed, department=department, by=request.auth, confirm=payload.confirm, reason=payload.reason
    )
    return _review_out(answered)


@router.post(
    "/assessment/months/{month}/findings",
    response={201: FindingOut, **WRITE_ERRORS},
    summary="Record a finding",
)
def finding(request: HttpRequest, month: str, payload: FindingIn) -> Reply:
    """A manual finding (reason and evidence required) for a manual rule, naming a person or a
    department. 409 for a locked month, 422 for bad input."""
    parsed = services.parse_month(month)
    rule = Rule.objects.filter(code=payload.rule).first()
    errors: dict[str, list[str]] = {}
    staff = Staff.objects.filter(user__username=payload.staff).first() if payload.staff else None
    department = Department.objects.filter(code=payload.department).first() if payload.department else None
    complaint = Complaint.objects.filter(number=payload.complaint).first() if payload.complaint else None
    if rule is None:
        errors["rule"] = [_("Unknown rule.")]
    if payload.staff and staff is None:
        errors["staff"] = [_("Unknown person.")]
    if payload.department and department is None:
        errors["department"] = [_("Unknown department.")]
    if payload.complaint and complaint is None:
        errors["complaint"] = [_("Unknown complaint.")]
    if errors:
        raise ValidationError(errors)
    assert rule is not None
    created = services.record_finding(
        month=parsed,
        rule=rule,
        by=request.auth,
        staff=staff,
        department=department,
        complaint_id=complaint.pk if complaint else None,
        count=payload.count,
        reason=payload.reason,
        evidence=payload.evidence,
    )
    return Reply(201, {"id": created.pk, "month": str(created.month)})


@router.post(
    "/assessment/lines/{line_id}/appeals", response={201: AppealOut, **WRITE_ERRORS}, summary="Appeal a line"
)
def appeal(request: HttpRequest, line_id: int, payload: AppealIn) -> Reply:
    """An appeal (签呈) by the person on the line or their department head, within the window
    after publication. 404 for a line the caller may not see, 422 outside the window or before
    publication."""
    line = SheetLine.objects.filter(pk=line_id).select_related("month").first()
    if (
        line is None
        or not selectors.lines_visible_to(staff=request.auth, month=line.month).filter(pk=line.pk).exists()
    ):
        raise Http404(str(line_id))
    return Reply(201, _appeal_out(services.file_appeal(line=line, by=request.auth, reason=payload.reason)))


@router.post(
    "/assessment/appeals/{appeal_id}/decision",
    response={200: AppealOut, **WRITE_ERRORS},
    summary="Decide an appeal",
)
def decide(request: HttpRequest, appeal_id: int, payload: AppealDecisionIn) -> dict[str, Any]:
    """The rule book's decider (the general manager by default) upholds or rejects; an upheld
    appeal's adjustment goes into the next open month. 403 for anyone else, 422 if decided."""
    found = Appeal.objects.filter(pk=appeal_id).first()
    if found is None:
        raise Http404(str(appeal_id))
    return _appeal_out(
        services.decide_appeal(
            appeal=found,
            by=request.auth,
            upheld=payload.upheld,
            decision=payload.decision,
            adjust_yuan=payload.adjust_yuan,
            adjust_points=payload.adjust_points,
        )
    )
