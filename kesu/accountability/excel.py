"""The approved (or published) monthly assessment sheet as an Excel workbook for HR/payroll.

Three sheets, headers in the reader's language (Chinese by default):

- people (人员汇总): one row per person — yuan, points, score, the monthly bonus, the balance
  carried in, the capped deductions due, the cap, what is deducted this month, what is carried to
  the next month, and how many lines make it up — then a bold total row;
- departments (部门汇总): the departments' own totals (lines that hit a department, not a person);
- lines (明细): every line with its position and id, person, department, rule (code and name),
  fact, complaint number, yuan, points, whether it counts within the monthly cap, and the
  arithmetic — so each figure of the first two sheets can be traced to its complaint and rule.

Money and points are numbers (two decimals), not text; only a locked month (approved or
published) is exported: a draft can still change, payroll must not pay from it. The rows are the
caller's scope (kesu.accountability.selectors): leadership sees the whole company.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kesu.accountability import selectors
from kesu.accountability.models import ZERO, AssessmentMonth, FactKind, SheetLine, SheetTotal
from kesu.core.xlsx import INTEGER_FORMAT, MONEY_FORMAT, POINTS_FORMAT, Column, Sheet, new_workbook, save
from kesu.organization.models import Staff

CHUNK = 5000

PEOPLE_COLUMNS = [
    Column(lambda: _("month"), 9),
    Column(lambda: _("username"), 14),
    Column(lambda: _("full name"), 12),
    Column(lambda: _("department"), 16),
    Column(lambda: _("amount (CNY)"), 13, MONEY_FORMAT),
    Column(lambda: _("points"), 9, POINTS_FORMAT),
    Column(lambda: _("score"), 9, POINTS_FORMAT),
    Column(lambda: _("monthly bonus (CNY)"), 13, MONEY_FORMAT),
    Column(lambda: _("carried in"), 13, MONEY_FORMAT),
    Column(lambda: _("capped deductions this month"), 15, MONEY_FORMAT),
    Column(lambda: _("cap"), 12, MONEY_FORMAT),
    Column(lambda: _("deducted this month"), 13, MONEY_FORMAT),
    Column(lambda: _("carried to next month"), 13, MONEY_FORMAT),
    Column(lambda: _("line count"), 8, INTEGER_FORMAT),
]

DEPARTMENT_COLUMNS = [
    Column(lambda: _("month"), 9),
    Column(lambda: _("department code"), 14),
    Column(lambda: _("department"), 18),
    Column(lambda: _("amount (CNY)"), 13, MONEY_FORMAT),
    Column(lambda: _("points"), 9, POINTS_FORMAT),
    Column(lambda: _("score"), 9, POINTS_FORMAT),
    Column(lambda: _("line count"), 8, INTEGER_FORMAT),
]

LINE_COLUMNS = [
    Column(lambda: _("line number"), 7, INTEGER_FORMAT),
    Column(lambda: _("line id"), 10, INTEGER_FORMAT),
    Column(lambda: _("username"), 14),
    Column(lambda: _("full name"), 12),
    Column(lambda: _("department"), 16),
    Column(lambda: _("rule code"), 18),
    Column(lambda: _("rule"), 30),
    Column(lambda: _("fact"), 22),
    Column(lambda: _("complaint"), 16),
    Column(lambda: _("amount (CNY)"), 12, MONEY_FORMAT),
    Column(lambda: _("points"), 9, POINTS_FORMAT),
    Column(lambda: _("within the monthly deduction cap"), 10),
    Column(lambda: _("arithmetic"), 60),
]


def filename(row: AssessmentMonth) -> str:
    return f"assessment-{row.month:%Y-%m}.xlsx"


def _people_rows(month: str, totals: list[SheetTotal], counts: Counter[int | None]) -> list[list[object]]:
    return [
        [
            month,
            t.staff.user.get_username() if t.staff else "",
            t.staff.display_name if t.staff else "",
            t.staff.department.name if t.staff else "",
            t.yuan,
            t.points,
            t.score,
            t.monthly_bonus,
            t.carried_in,
            t.capped_due,
            t.cap,
            t.deducted,
            t.carried_out,
            counts[t.staff_id],
        ]
        for t in totals
    ]


def _sum(values: list[Decimal | None]) -> Decimal:
    return sum((v for v in values if v is not None), ZERO)


def month_workbook(*, row: AssessmentMonth, staff: Staff | None) -> IO[bytes]:
    """The workbook of a locked month in ``staff``'s scope (None: the whole company — the CLI).
    A draft month is refused with a field error on ``month``."""
    if not row.is_locked:
        raise ValidationError(
            {"month": [_("Only an approved or published month can be exported for payroll.")]}
        )
    if staff is None:
        lines = SheetLine.objects.filter(month=row).select_related(
            "staff__user", "department", "rule", "complaint"
        )
        totals = SheetTotal.objects.filter(month=row).select_related("staff", "department", "scorecard")
    else:
        lines = selectors.lines_visible_to(staff=staff, month=row).select_related("staff__user")
        totals = selectors.totals_visible_to(staff=staff, month=row)
    label = row.month.strftime("%Y-%m")
    person_lines: Counter[int | None] = Counter()
    department_lines: Counter[int | None] = Counter()
    for person, department in lines.values_list("staff_id", "department_id").iterator(chunk_size=CHUNK):
        if person is None:
            department_lines[department] += 1
        else:
            person_lines[person] += 1

    workbook = new_workbook()
    people = Sheet(workbook, _("People"), PEOPLE_COLUMNS)
    person_totals = list(
        totals.exclude(staff=None)
        .select_related("staff__user", "staff__department")
        .order_by("staff__department__code", "staff__user__username")
    )
    for values in _people_rows(label, person_totals, person_lines):
        people.append(values)
    people.append(
        [
            _("Total"), "", "", "",
            _sum([t.yuan for t in person_totals]),
            _sum([t.points for t in person_totals]),
            None,
            _sum([t.monthly_bonus for t in person_totals]),
            _sum([t.carried_in for t in person_totals]),
            _sum([t.capped_due for t in person_totals]),
            None,
            _sum([t.deducted for t in person_totals]),
            _sum([t.carried_out for t in person_totals]),
            sum(person_lines[t.staff_id] for t in person_totals),
        ],
        bold=True,
    )  # fmt: skip

    departments = Sheet(workbook, _("Departments"), DEPARTMENT_COLUMNS)
    for t in totals.filter(staff=None).select_related("department").order_by("department__code"):
        departments.append(
            [
                label,
                t.department.code if t.department else "",
                t.department.name if t.department else "",
                t.yuan,
                t.points,
                t.score,
                department_lines[t.department_id],
            ]
        )

    details = Sheet(workbook, _("Lines"), LINE_COLUMNS)
    facts = dict(FactKind.choices)
    yes, no = _("yes"), _("no")
    for line in lines.order_by("position").iterator(chunk_size=CHUNK):
        details.append(
            [
                line.position,
                line.pk,
                line.staff.user.get_username() if line.staff else "",
                line.staff.display_name if line.staff else "",
                line.department.name if line.department else "",
                line.rule.code if line.rule else "",
                line.rule.name if line.rule else _("adjustment"),
                str(facts.get(line.fact, line.fact)),
                line.complaint.number if line.complaint else "",
                line.yuan,
                line.points,
                yes if line.capped else no,
                line.arithmetic,
            ]
        )
    return save(workbook)
