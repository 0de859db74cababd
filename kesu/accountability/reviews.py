"""The department heads' review (部门主管确认) of a drafted month, before the general manager
approves: which department reviews which lines, and the reviews a draft opens.

A line belongs to the review of the nearest department, from the line's own up the tree, that has
an active department head; a line whose department has no head above it needs no review (nobody
could give it, and leadership sees those lines anyway). Each reviewing department's lines are
summarised in a digest: a re-draft that leaves them unchanged keeps the head's answer, one that
changes them opens a new pending review (the old answer stays, no longer current).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from kesu.accountability.models import AssessmentMonth, DepartmentReview, ReviewState
from kesu.accountability.sheet import Line
from kesu.organization.models import Department, Role, Staff


def _heads() -> dict[int, list[Staff]]:
    heads: dict[int, list[Staff]] = {}
    for person in Staff.objects.filter(
        role_assignments__role=Role.DEPARTMENT_HEAD, user__is_active=True
    ).select_related("user"):
        heads.setdefault(person.department_id, []).append(person)
    return heads


def reviewing_departments(department_ids: Iterable[int | None]) -> dict[int, int]:
    """{a line's department: the department whose head reviews it} (absent: no head above it)."""
    parents = dict(Department.objects.values_list("pk", "parent_id"))
    headed = set(_heads())
    found: dict[int, int] = {}
    for start in {d for d in department_ids if d is not None}:
        current: int | None = start
        seen: set[int] = set()
        while current is not None and current not in headed and current not in seen:
            seen.add(current)
            current = parents.get(current)
        if current is not None and current in headed:
            found[start] = current
    return found


@dataclass
class Opened:
    review: DepartmentReview
    heads: list[Staff]


def _digest(lines: list[Line]) -> str:
    digest = hashlib.sha256()
    for line in lines:
        digest.update(
            (
                f"{line.staff_id}|{line.department_id}|{line.rule.pk if line.rule else ''}|{line.fact}|"
                f"{line.complaint_id}|{line.lateness_id}|{line.finding_id}|{line.appeal_id}|"
                f"{line.yuan}|{line.points}|{line.capped}|{line.arithmetic}\n"
            ).encode()
        )
    return digest.hexdigest()


def open_reviews(row: AssessmentMonth, lines: list[Line]) -> list[Opened]:
    """After a (re)draft: a pending review for each reviewing department that has none or whose
    lines changed; the current reviews of departments with no line left are closed. Returns the
    reviews opened (their heads are to be told)."""
    by_reviewer: dict[int, list[Line]] = {}
    reviewer_of = reviewing_departments(line.department_id for line in lines)
    for line in lines:
        reviewer = reviewer_of.get(line.department_id) if line.department_id is not None else None
        if reviewer is not None:
            by_reviewer.setdefault(reviewer, []).append(line)
    current = {r.department_id: r for r in DepartmentReview.objects.filter(month=row, is_current=True)}
    heads = _heads()
    opened: list[Opened] = []
    for department_id, own in sorted(by_reviewer.items()):
        digest = _digest(own)
        previous = current.pop(department_id, None)
        if previous is not None and previous.lines_digest == digest:
            continue
        if previous is not None:
            previous.is_current = False
            previous.save(update_fields=["is_current"])
        review = DepartmentReview.objects.create(
            month=row, department_id=department_id, lines_digest=digest, line_count=len(own)
        )
        opened.append(Opened(review, heads.get(department_id, [])))
    for gone in current.values():  # the department has no line any more: nothing to review
        gone.is_current = False
        gone.save(update_fields=["is_current"])
    return opened


def current_reviews(row: AssessmentMonth) -> QuerySet[DepartmentReview]:
    return (
        DepartmentReview.objects.filter(month=row, is_current=True)
        .select_related("department", "reviewed_by__user")
        .order_by("department__code")
    )


def pending(row: AssessmentMonth) -> list[DepartmentReview]:
    return list(current_reviews(row).filter(state=ReviewState.PENDING))


def headed_by(staff: Staff) -> set[int]:
    """The departments whose reviews ``staff`` may give: their own department and the units
    under it, if they are a department head."""
    if Role.DEPARTMENT_HEAD not in staff.roles:
        return set()
    children: dict[int | None, list[int]] = {}
    for pk, parent in Department.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found: set[int] = set()
    todo = [staff.department_id]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return found
