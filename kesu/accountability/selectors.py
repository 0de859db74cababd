"""Reads of accountability, in the reader's scope:

- leadership (general manager, vice president, administrator, auditor) and the customer-service
  director see every line of every month;
- a department head sees the lines of their department (and its units) in any month, the running
  one included, before it closes (issue 10 §3);
- everyone sees their own lines once the month is published.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from kesu.accountability import reviews, sheet
from kesu.accountability.models import AssessmentMonth, DepartmentReview, MonthStatus, SheetLine, SheetTotal
from kesu.organization.models import Department, Role, Staff

SEE_ALL = frozenset(
    {Role.GENERAL_MANAGER, Role.VICE_PRESIDENT, Role.ADMINISTRATOR, Role.AUDITOR, Role.CS_DIRECTOR}
)


def sees_all(staff: Staff) -> bool:
    return bool(staff.roles & SEE_ALL)


def departments_headed_by(staff: Staff) -> list[int]:
    if Role.DEPARTMENT_HEAD not in staff.roles:
        return []
    children: dict[int | None, list[int]] = {}
    for pk, parent in Department.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = [], [staff.department_id]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _scope(staff: Staff, month: AssessmentMonth) -> Q | None:
    """The lines (or totals) of ``month`` the staff member may see: None means all."""
    if sees_all(staff):
        return None
    scope = Q(pk__in=[])
    departments = departments_headed_by(staff)
    if departments:
        scope |= Q(department_id__in=departments)
    if month.status == MonthStatus.PUBLISHED:
        scope |= Q(staff=staff)
    return scope


def lines_visible_to(*, staff: Staff, month: AssessmentMonth) -> QuerySet[SheetLine]:
    lines = SheetLine.objects.filter(month=month).select_related("staff", "department", "rule", "complaint")
    scope = _scope(staff, month)
    return lines if scope is None else lines.filter(scope)


def totals_visible_to(*, staff: Staff, month: AssessmentMonth) -> QuerySet[SheetTotal]:
    totals = SheetTotal.objects.filter(month=month).select_related("staff", "department", "scorecard")
    scope = _scope(staff, month)
    return totals if scope is None else totals.filter(scope)


def month_visible_to(*, staff: Staff, month: date) -> AssessmentMonth | None:
    """The month, if the staff member may see anything of it (None: 404)."""
    row = AssessmentMonth.objects.filter(month=month).first()
    if row is None:
        return None
    if sees_all(staff) or departments_headed_by(staff) or row.status == MonthStatus.PUBLISHED:
        return row
    return None


def months_visible_to(*, staff: Staff) -> QuerySet[AssessmentMonth]:
    months = AssessmentMonth.objects.order_by("-month")
    if sees_all(staff) or departments_headed_by(staff):
        return months
    return months.filter(status=MonthStatus.PUBLISHED)


def running_preview(*, staff: Staff, month: date) -> list[sheet.Line]:
    """The running month computed now (nothing stored), in the department head's scope."""
    lines = sheet.build(month).lines
    if sees_all(staff):
        return lines
    departments = set(departments_headed_by(staff))
    return [line for line in lines if line.department_id in departments]


def reviews_visible_to(*, staff: Staff, month: AssessmentMonth) -> list[DepartmentReview]:
    """The department heads' current reviews of the month: all for leadership and the CS
    director, a head's own departments' for a head, none for anybody else."""
    current = list(reviews.current_reviews(month))
    if sees_all(staff):
        return current
    departments = set(departments_headed_by(staff))
    return [review for review in current if review.department_id in departments]
