"""Writes of accountability (考核), one function per act, each in one transaction, validating before
it saves (``ValidationError`` with field names, ``MayNotAssess`` 403, ``MonthLocked`` 409).

- ``draft_month``: (re)compute a month's sheet from its facts; refused once the month is locked.
- ``review_department``: a department head confirms or disputes (with a reason) their
  department's lines of a drafted month.
- ``approve_month``: the general manager approves → the month is locked (refused while a
  department head's review is pending, where the rule book requires the review).
- ``publish_month``: the approved sheet is published (the people concerned are notified).
- ``record_finding``: a manual finding with reason and evidence, for a ``manual`` rule.
- ``set_terms``: a person's base points and monthly bonus from a month on.
- ``file_appeal`` / ``decide_appeal``: an appeal (签呈) within the window after publication; an
  upheld appeal's adjustment goes into the next open month.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accountability import reviews, sheet
from kesu.accountability.facts import month_bounds
from kesu.accountability.models import (
    Appeal,
    AppealState,
    AssessmentMonth,
    AssessmentSettings,
    DepartmentReview,
    FactKind,
    Finding,
    MonthLocked,
    MonthStatus,
    ReviewState,
    Rule,
    SheetLine,
    SheetTotal,
    StaffTerms,
)
from kesu.core import limits
from kesu.core.errors import KesuError
from kesu.notifications.models import Notification
from kesu.notifications.services import notify
from kesu.organization.models import Department, Role, Staff

MONTH_RE = re.compile(r"^([0-9]{4})-([0-9]{2})$")
REVIEWERS = frozenset({Role.GENERAL_MANAGER, Role.VICE_PRESIDENT, Role.CS_DIRECTOR, Role.ADMINISTRATOR})
FINDERS = REVIEWERS | {Role.DEPARTMENT_HEAD}


class MayNotAssess(KesuError):
    status_code = 403


def parse_month(value: str) -> date:
    """``YYYY-MM`` → the first day of that month (ValidationError on ``month`` otherwise)."""
    match = MONTH_RE.match(value or "")
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return date(year, month, 1)
    raise ValidationError({"month": [_("Give a month as YYYY-MM, e.g. 2026-11.")]})


def _require(by: Staff | None, roles: frozenset[str], what: str) -> None:
    if by is not None and not (by.roles & roles):
        raise MayNotAssess(_("You may not %(what)s.") % {"what": what})


def _month_row(month: date, *, lock: bool = True) -> AssessmentMonth:
    row, _created = AssessmentMonth.objects.get_or_create(month=month)
    if lock:
        row = AssessmentMonth.objects.select_for_update().get(pk=row.pk)
    return row


@transaction.atomic
def draft_month(*, month: date, by: Staff | None = None) -> AssessmentMonth:
    """(Re)draft the month's sheet: every line computed again from the facts, so a re-run from
    the same facts gives the same sheet line for line. ``by`` None: the worker or the CLI."""
    _require(by, REVIEWERS, _("draft an assessment"))
    row = _month_row(month)
    if row.is_locked:
        raise MonthLocked(month)
    draft = sheet.build(month)
    # One DELETE each, not Django's collector (which reads every line to check what refers to
    # it): only appeals do, and only on published months, which are never drafted again.
    with connection.cursor() as cursor:
        for model in (SheetLine, SheetTotal):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE month_id = %s", [row.pk])
    _write_lines(row, draft.lines)
    SheetTotal.objects.bulk_create(
        SheetTotal(
            month=row,
            staff_id=t.staff_id,
            department_id=t.department_id,
            yuan=t.yuan,
            points=t.points,
            score=t.score,
            scorecard_id=t.scorecard_id,
            monthly_bonus=t.monthly_bonus,
            carried_in=t.carried_in,
            capped_due=t.capped_due,
            cap=t.cap,
            deducted=t.deducted,
            carried_out=t.carried_out,
        )
        for t in draft.totals
    )
    row.drafted_at, row.drafted_by = timezone.now(), by
    row.save(update_fields=["drafted_at", "drafted_by"])
    if AssessmentSettings.current().department_review:
        _ask_heads(row, reviews.open_reviews(row, draft.lines))
    return row


def _ask_heads(row: AssessmentMonth, opened: list[reviews.Opened]) -> None:
    label = row.month.strftime("%Y-%m")
    for item in opened:
        notify(
            recipients=item.heads,
            kind=Notification.Kind.HANDOVER,
            title=_("Review your department's assessment for %(month)s: %(department)s")
            % {"month": label, "department": item.review.department.name},
            body=_(
                "%(count)d lines. Confirm them, or dispute them with a reason, before the general manager approves."
            )
            % {"count": item.review.line_count},
            dedup_key=f"assessment:{label}:review:{item.review.pk}",
        )


LINE_COLUMNS = (
    "month_id", "position", "staff_id", "department_id", "rule_id", "fact", "complaint_id", "lateness_id",
    "finding_id", "appeal_id", "yuan", "points", "capped", "arithmetic",
)  # fmt: skip


def _write_lines(row: AssessmentMonth, lines: list[sheet.Line]) -> None:
    """The month's lines, in order. PostgreSQL: one COPY (a month of a large company is a
    hundred thousand lines; building ORM instances for them took most of a draft's time)."""
    values = (
        (
            row.pk, position, line.staff_id, line.department_id, line.rule.pk if line.rule else None, line.fact,
            line.complaint_id, line.lateness_id, line.finding_id, line.appeal_id, line.yuan, line.points,
            line.capped, line.arithmetic,
        )
        for position, line in enumerate(lines, start=1)
    )  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = SheetLine._meta.db_table
            with cursor.connection.cursor().copy(
                f"COPY {table} ({', '.join(LINE_COLUMNS)}) FROM STDIN"  # names from the code, not input
            ) as copy:
                for value in values:
                    copy.write_row(value)
        return
    SheetLine.objects.bulk_create(
        SheetLine(**dict(zip(LINE_COLUMNS, value, strict=True))) for value in values
    )


@transaction.atomic
def approve_month(*, month: date, by: Staff) -> AssessmentMonth:
    """The general manager approves the drafted sheet of a month that has ended: it is locked."""
    _require(by, frozenset({Role.GENERAL_MANAGER}), _("approve an assessment (the general manager does)"))
    row = AssessmentMonth.objects.select_for_update().filter(month=month).first()
    if row is None or row.drafted_at is None:
        raise ValidationError({"month": [_("Draft the month before approving it.")]})
    if row.is_locked:
        raise MonthLocked(month)
    if month_bounds(month)[1] > timezone.now():
        raise ValidationError({"month": [_("The month has not ended yet.")]})
    if AssessmentSettings.current().department_review:
        waiting = reviews.pending(row)
        if waiting:
            raise ValidationError(
                {
                    "month": [
                        _("Waiting for the department heads' review: %(departments)s.")
                        % {"departments": ", ".join(r.department.name for r in waiting)}
                    ]
                }
            )
    row.status, row.approved_at, row.approved_by = MonthStatus.APPROVED, timezone.now(), by
    row.save(update_fields=["status", "approved_at", "approved_by"])
    return row


@transaction.atomic
def review_department(
    *, month: date, department: Department, by: Staff, confirm: bool, reason: str = ""
) -> DepartmentReview:
    """A department head confirms their department's lines of a drafted month, or disputes them
    with a reason (the general managers are told). Answering again replaces the answer (the old
    one is kept, no longer current) until the month is approved."""
    row = AssessmentMonth.objects.select_for_update().filter(month=month).first()
    if row is None or row.drafted_at is None:
        raise ValidationError({"month": [_("Draft the month before reviewing it.")]})
    if row.is_locked:
        raise MonthLocked(month)
    current = (
        DepartmentReview.objects.select_for_update()
        .filter(month=row, department=department, is_current=True)
        .first()
    )
    if current is None:
        raise ValidationError({"department": [_("This department has nothing to review this month.")]})
    if current.department_id not in reviews.headed_by(by):
        raise MayNotAssess(_("Only the department's head reviews its lines."))
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, required=not confirm)
    if errors:
        raise ValidationError(errors)
    if current.state != ReviewState.PENDING:
        current.is_current = False
        current.save(update_fields=["is_current"])
        current = DepartmentReview.objects.create(
            month=row,
            department=department,
            lines_digest=current.lines_digest,
            line_count=current.line_count,
            opened_at=current.opened_at,
        )
    current.state = ReviewState.CONFIRMED if confirm else ReviewState.DISPUTED
    current.reason, current.reviewed_by, current.reviewed_at = reason, by, timezone.now()
    current.save(update_fields=["state", "reason", "reviewed_by", "reviewed_at"])
    label = month.strftime("%Y-%m")
    gms = list(
        Staff.objects.filter(
            role_assignments__role=Role.GENERAL_MANAGER, user__is_active=True
        ).select_related("user")
    )
    if not confirm:
        notify(
            recipients=gms,
            kind=Notification.Kind.HANDOVER,
            title=_("%(department)s disputes its assessment for %(month)s")
            % {"department": department.name, "month": label},
            body=reason,
            dedup_key=f"assessment:{label}:dispute:{current.pk}",
        )
    elif not reviews.pending(row):
        notify(
            recipients=gms,
            kind=Notification.Kind.INFO,
            title=_("Every department has reviewed the assessment for %(month)s") % {"month": label},
            body=_("The month can be approved."),
            dedup_key=f"assessment:{label}:reviewed:{current.pk}",
        )
    return current


@transaction.atomic
def publish_month(*, month: date, by: Staff) -> AssessmentMonth:
    """Publish an approved month: each person with a line is told (after commit, by e-mail too)."""
    _require(by, frozenset({Role.GENERAL_MANAGER, Role.ADMINISTRATOR}), _("publish an assessment"))
    row = AssessmentMonth.objects.select_for_update().filter(month=month).first()
    if row is None or row.status != MonthStatus.APPROVED:
        raise ValidationError(
            {"month": [_("Only an approved month that is not yet published can be published.")]}
        )
    row.status, row.published_at, row.published_by = MonthStatus.PUBLISHED, timezone.now(), by
    row.save(update_fields=["status", "published_at", "published_by"])
    people = Staff.objects.filter(pk__in=row.lines.exclude(staff=None).values("staff_id")).select_related(
        "user"
    )
    label = month.strftime("%Y-%m")
    notify(
        recipients=list(people),
        kind=Notification.Kind.INFO,
        title=_("Your assessment for %(month)s is published") % {"month": label},
        body=_("See “My assessment”; an appeal is possible within %(days)s days.")
        % {"days": AssessmentSettings.current().appeal_days},
        dedup_key=f"assessment:{label}:published",
    )
    return row


def _text(errors: dict[str, list[str]], name: str, value: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.setdefault(name, []).append(_("This field is required."))
        return value
    try:
        limits.check_text(value, max_length=limits.HANDLING_TEXT)
    except ValidationError as exc:
        errors.setdefault(name, []).extend(exc.messages)
    return value


@transaction.atomic
def record_finding(
    *,
    month: date,
    rule: Rule,
    by: Staff,
    reason: str,
    evidence: str,
    staff: Staff | None = None,
    department: Department | None = None,
    complaint_id: int | None = None,
    count: int = 1,
) -> Finding:
    """A manual finding (人工认定) for a manual rule: who, how many times, why, on what evidence."""
    _require(by, FINDERS, _("record an assessment finding"))
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason)
    evidence = _text(errors, "evidence", evidence)
    if rule.fact != FactKind.MANUAL or not rule.is_active:
        errors["rule"] = [_("Choose an active rule for manual findings.")]
    if (staff is None) == (department is None):
        errors["staff"] = [_("Name either a person or a department.")]
    if not 1 <= count <= 1000:
        errors["count"] = [_("Between 1 and 1000.")]
    if Role.DEPARTMENT_HEAD in by.roles and not (by.roles & REVIEWERS):
        target = staff.department_id if staff else (department.pk if department else None)
        if target != by.department_id:
            errors.setdefault("staff", []).append(
                _("A department head records findings in their own department.")
            )
    if errors:
        raise ValidationError(errors)
    row = _month_row(month)
    if row.is_locked:
        raise MonthLocked(month)
    return Finding.objects.create(
        month=row,
        rule=rule,
        staff=staff,
        department=department,
        complaint_id=complaint_id,
        count=count,
        reason=reason,
        evidence=evidence,
        recorded_by=by,
    )


def _decimal(errors: dict[str, list[str]], name: str, value: object, *, places: int = 2) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[name] = [_("Give a number.")]
        return Decimal(0)
    if not number.is_finite() or number != number.quantize(Decimal(1).scaleb(-places)):
        errors[name] = [_("Give a number with at most %(places)d decimals.") % {"places": places}]
    elif abs(number) >= Decimal("1e10"):
        errors[name] = [_("Too large.")]
    return number


@transaction.atomic
def set_terms(
    *, staff: Staff, effective_month: date, base_points: object, monthly_bonus: object, by: Staff | None
) -> StaffTerms:
    """A person's base points and monthly bonus from ``effective_month`` on (earlier months keep
    theirs). A locked month's terms cannot change."""
    _require(by, frozenset({Role.GENERAL_MANAGER, Role.ADMINISTRATOR}), _("set base points and bonuses"))
    errors: dict[str, list[str]] = {}
    base = _decimal(errors, "base_points", base_points)
    bonus = _decimal(errors, "monthly_bonus", monthly_bonus)
    if "base_points" not in errors and base < 0:
        errors["base_points"] = [_("Base points cannot be negative.")]
    if "monthly_bonus" not in errors and bonus < 0:
        errors["monthly_bonus"] = [_("The bonus cannot be negative.")]
    if errors:
        raise ValidationError(errors)
    if AssessmentMonth.objects.filter(month__gte=effective_month).exclude(status=MonthStatus.DRAFT).exists():
        raise MonthLocked(effective_month)
    terms, _created = StaffTerms.objects.update_or_create(
        staff=staff, effective_month=effective_month, defaults={"base_points": base, "monthly_bonus": bonus}
    )
    return terms


def next_open_month(after: date) -> AssessmentMonth:
    """The first month after ``after`` that is not locked (created if need be)."""
    month = sheet.next_month(after)
    while True:
        row = _month_row(month)
        if not row.is_locked:
            return row
        month = sheet.next_month(month)


@transaction.atomic
def file_appeal(*, line: SheetLine, by: Staff, reason: str) -> Appeal:
    """An appeal (签呈) by the person on the line (or their department's head) within the rule
    book's window after publication."""
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason)
    month = line.month
    settings = AssessmentSettings.current()
    if month.status != MonthStatus.PUBLISHED or month.published_at is None:
        errors["line"] = [_("Only a published month can be appealed.")]
    elif timezone.now() > month.published_at + timedelta(days=settings.appeal_days):
        errors["line"] = [
            _("The appeal window (%(days)s days after publication) has closed.")
            % {"days": settings.appeal_days}
        ]
    mine = line.staff_id == by.pk or (
        Role.DEPARTMENT_HEAD in by.roles and line.department_id == by.department_id
    )
    if not mine:
        raise MayNotAssess(_("Only the person concerned or their department head may appeal a line."))
    if line.appeals.filter(state=AppealState.PENDING).exists():
        errors["line"] = [_("This line already has a pending appeal.")]
    if errors:
        raise ValidationError(errors)
    appeal = Appeal.objects.create(line=line, filed_by=by, reason=reason)
    deciders = Staff.objects.filter(role_assignments__role=settings.appeal_decider, user__is_active=True)
    notify(
        recipients=list(deciders.select_related("user")),
        kind=Notification.Kind.HANDOVER,
        title=_("Appeal (签呈) on the assessment of %(month)s by %(name)s")
        % {"month": month.month.strftime("%Y-%m"), "name": by.display_name},
        body=reason,
        dedup_key=f"assessment:appeal:{appeal.pk}",
    )
    return appeal


@transaction.atomic
def decide_appeal(
    *,
    appeal: Appeal,
    by: Staff,
    upheld: bool,
    decision: str,
    adjust_yuan: object | None = None,
    adjust_points: object | None = None,
) -> Appeal:
    """The rule book's decider records the decision; an upheld appeal adjusts the next open month
    (by default it reverses the line; a partial correction gives the amounts)."""
    settings = AssessmentSettings.current()
    _require(by, frozenset({settings.appeal_decider}), _("decide appeals"))
    appeal = Appeal.objects.select_for_update().select_related("line__month").get(pk=appeal.pk)
    errors: dict[str, list[str]] = {}
    decision = _text(errors, "decision", decision)
    if appeal.state != AppealState.PENDING:
        errors["appeal"] = [_("This appeal is already decided.")]
    yuan = -appeal.line.yuan if adjust_yuan is None else _decimal(errors, "adjust_yuan", adjust_yuan)
    points = (
        -appeal.line.points if adjust_points is None else _decimal(errors, "adjust_points", adjust_points)
    )
    if errors:
        raise ValidationError(errors)
    appeal.state = AppealState.UPHELD if upheld else AppealState.REJECTED
    appeal.decided_by, appeal.decided_at, appeal.decision = by, timezone.now(), decision
    if upheld:
        appeal.adjust_yuan, appeal.adjust_points = yuan, points
        appeal.applied_in = next_open_month(appeal.line.month.month)
    appeal.save()
    if upheld and appeal.applied_in is not None and appeal.applied_in.drafted_at is not None:
        draft_month(month=appeal.applied_in.month)  # the adjustment shows at once
    return appeal
