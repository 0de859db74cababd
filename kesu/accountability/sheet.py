"""Building a month's sheet from its facts: a pure computation over the database's rows (no
writes), so the stored draft, a preview of the running month and a re-run all give the same lines
in the same order.

For each active rule, in the rule book's order, each fact of the rule's kind becomes one line for
the rule's target, with its arithmetic in words; then the caps: "more than N in a month loses the
whole item" adds one line bringing the item to minus the whole item; then the upheld appeals'
adjustments assigned to the month. Totals per person and department follow: yuan and points; the
score on a scorecard (each section's points less its deductions, never below zero, plus the bonus
sections, never above the scorecard's maximum); and for the yuan deductions the rule book caps by
the monthly bonus (PCB: 50 %), what is deducted now and what is carried to the next month.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from functools import lru_cache

from kesu.accountability.facts import GATHERERS, Fact
from kesu.accountability.models import (
    Appeal,
    AppealState,
    AssessmentSettings,
    CostKind,
    Rule,
    SheetTotal,
    StaffTerms,
    TargetKind,
)
from kesu.accountability.split import split_by_weights
from kesu.organization.models import Department, Staff

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def yuan(value: Decimal) -> str:
    return f"{value:,.2f}".replace(",", " ")


def pts(value: Decimal) -> str:
    return f"{value.normalize():f}"


@dataclass(slots=True)
class Line:
    staff_id: int | None
    department_id: int | None
    rule: Rule | None
    fact: str
    arithmetic: str
    yuan: Decimal = ZERO
    points: Decimal = ZERO
    capped: bool = False
    count: int = 1
    complaint_id: int | None = None
    complaint_number: str = ""
    lateness_id: int | None = None
    finding_id: int | None = None
    appeal_id: int | None = None
    sort_key: tuple = ()

    def key(self) -> tuple:
        return (
            self.department_id or 0,
            self.staff_id or 0,
            self.rule.order if self.rule else 10_000,
            self.rule.code if self.rule else "~",
            self.sort_key,
        )


@dataclass(slots=True)
class Total:
    staff_id: int | None
    department_id: int | None
    yuan: Decimal = ZERO
    points: Decimal = ZERO
    score: Decimal | None = None
    scorecard_id: int | None = None
    monthly_bonus: Decimal = ZERO
    carried_in: Decimal = ZERO
    capped_due: Decimal = ZERO
    cap: Decimal | None = None
    deducted: Decimal = ZERO
    carried_out: Decimal = ZERO


@dataclass
class Draft:
    month: date
    lines: list[Line] = field(default_factory=list)
    totals: list[Total] = field(default_factory=list)


class People:
    """Departments (as a tree), staff and their terms for the month, read once."""

    def __init__(self, month: date) -> None:
        self.month = month
        self.department_of: dict[int, int] = dict(Staff.objects.values_list("pk", "department_id"))
        self.children: dict[int | None, list[int]] = defaultdict(list)
        for pk, parent in Department.objects.values_list("pk", "parent_id").order_by("pk"):
            self.children[parent].append(pk)
        self._members: dict[int, list[tuple[int, Decimal]]] = {}
        self.terms: dict[int, tuple[Decimal, Decimal]] = {}
        rows = StaffTerms.objects.filter(effective_month__lte=month).order_by("staff_id", "-effective_month")
        for staff, base, bonus in rows.values_list("staff_id", "base_points", "monthly_bonus"):
            self.terms.setdefault(staff, (base, bonus))

    def base(self, staff: int) -> Decimal:
        return self.terms.get(staff, (ZERO, ZERO))[0]

    def bonus(self, staff: int) -> Decimal:
        return self.terms.get(staff, (ZERO, ZERO))[1]

    def within(self, department: int) -> list[int]:
        """The department and every unit under it (全科: the whole section)."""
        found, todo = [], [department]
        while todo:
            current = todo.pop()
            found.append(current)
            todo.extend(self.children.get(current, []))
        return found

    def members_with_base(self, department: int) -> list[tuple[int, Decimal]]:
        if department not in self._members:
            self._members[department] = self._find_members(department)
        return self._members[department]

    def _find_members(self, department: int) -> list[tuple[int, Decimal]]:
        units = set(self.within(department))
        return sorted(
            (staff, self.base(staff))
            for staff, dept in self.department_of.items()
            if dept in units and self.base(staff) > 0
        )


def _targets(rule: Rule, fact: Fact) -> tuple[int | None, int | None]:
    """(staff, department) the rule hits for the fact: the person the fact names (else their
    department), or for a department rule the department handling the complaint."""
    if rule.target == TargetKind.DEPARTMENT:
        return None, fact.handling_department_id or fact.department_id
    return fact.staff_id, fact.department_id


@lru_cache(maxsize=4096)
def _per_fact(cost: str, amount: Decimal, is_bonus: bool, count: int) -> tuple[Decimal, Decimal, str]:
    """(yuan, points, arithmetic) of a yuan or points rule for ``count`` facts: the same for every
    fact of a rule, so computed once (a large month has a line per complaint)."""
    sign = 1 if is_bonus else -1
    if cost == CostKind.POINTS:
        value = amount * count
        return ZERO, sign * value, f"{sign * value:+g} = {'+' if sign > 0 else '−'}{pts(amount)} × {count}"
    value = (amount * count).quantize(FEN)
    return sign * value, ZERO, f"¥{yuan(amount)} × {count} = ¥{yuan(value)}"


def _lines_for(rule: Rule, fact: Fact, people: People) -> list[Line]:
    staff, department = _targets(rule, fact)
    if staff is None and department is None:
        return []
    if staff is not None:
        department = people.department_of.get(staff, department)
    count = Decimal(fact.count)
    common = {
        "rule": rule,
        "fact": fact.kind,
        "complaint_id": fact.complaint_id,
        "complaint_number": fact.complaint_number,
        "lateness_id": fact.lateness_id,
        "finding_id": fact.finding.pk if fact.finding else None,
        "sort_key": fact.sort_key,
        "capped": rule.capped_by_bonus,
        "count": fact.count,
    }
    about = f"{fact.complaint_number} " if fact.complaint_number else ""
    if rule.fact == "average_handling":
        assert fact.hours is not None and rule.threshold_hours is not None
        if fact.hours <= rule.threshold_hours:
            return []
        about = f"{pts(fact.hours)} h > {pts(rule.threshold_hours)} h: "
    if rule.fact == "clock_missed" and rule.kinds and fact.clock_kind not in rule.kinds:
        return []
    match rule.cost:
        case CostKind.POINTS | CostKind.YUAN:
            money, points, text = _per_fact(rule.cost, rule.amount, rule.is_bonus, fact.count)
            return [
                Line(staff, department, yuan=money, points=points, arithmetic=(about + text)[:300], **common)
            ]
        case CostKind.YUAN_PER_BASE if staff is not None:
            base = people.base(staff)
            value = (rule.amount * base * count).quantize(FEN)
            text = f"{about}¥{yuan(rule.amount)} × {pts(base)} base × {fact.count} = ¥{yuan(value)}"
            return [Line(staff, department, yuan=-value, arithmetic=text[:300], **common)]
        case CostKind.WHOLE_BONUS if staff is not None:
            value = people.bonus(staff)
            text = f"{about}the whole monthly bonus ¥{yuan(value)}"
            return [Line(staff, department, yuan=-value, arithmetic=text[:300], **common)]
        case CostKind.BONUS_PERCENT if staff is not None:
            bonus = people.bonus(staff)
            value = (bonus * rule.amount / 100 * count).quantize(FEN)
            text = f"{about}¥{yuan(bonus)} × {pts(rule.amount)} % × {fact.count} = ¥{yuan(value)}"
            return [Line(staff, department, yuan=-value, arithmetic=text[:300], **common)]
        case CostKind.LOSS_SHARE:
            return _loss_lines(rule, fact, staff, department, people, common, about)
    return []


def _loss_lines(
    rule: Rule,
    fact: Fact,
    staff: int | None,
    department: int | None,
    people: People,
    common: dict,
    about: str,
) -> list[Line]:
    """Seed 002 经济处罚准则 (三)3: a person named bears their share of the loss; a department's
    share is split to its people (and its units') by base points: loss ÷ the department's total
    base points × the person's base points, to the fen (largest remainder)."""
    assert fact.portion is not None and fact.loss is not None and fact.share is not None
    portion = (fact.portion * rule.amount).quantize(FEN, rounding=ROUND_DOWN)
    head = f"{about}¥{yuan(fact.loss)} × {pts(fact.share)} %"
    if rule.amount != 1:
        head += f" × {pts(rule.amount)}"
    if staff is not None:
        return [
            Line(staff, department, yuan=-portion, arithmetic=f"{head} = ¥{yuan(portion)}"[:300], **common)
        ]
    assert department is not None
    members = people.members_with_base(department)
    if not members:
        text = f"{head} = ¥{yuan(portion)} (no base points in the department)"
        return [Line(None, department, yuan=-portion, arithmetic=text[:300], **common)]
    whole = sum((base for _s, base in members), Decimal(0))
    parts = split_by_weights(portion, [base for _s, base in members])
    return [
        Line(
            member,
            people.department_of.get(member, department),
            yuan=-part,
            arithmetic=f"{head} = ¥{yuan(portion)} ÷ {pts(whole)} × {pts(base)} = ¥{yuan(part)}"[:300],
            **common,
        )
        for (member, base), part in zip(members, parts, strict=True)
    ]


def _item_caps(lines: list[Line]) -> list[Line]:
    """ "More than N in a month loses the whole item" (seed 000 第二篇): once a target has more
    than N facts of the rule, one more line makes the item's total minus the whole item."""
    extra = []
    groups: dict[tuple, list[Line]] = defaultdict(list)
    for line in lines:
        if line.rule is not None and line.rule.max_per_month is not None:
            groups[(line.rule.pk, line.staff_id, line.department_id)].append(line)
    for group in groups.values():
        rule = group[0].rule
        assert rule is not None and rule.max_per_month is not None
        facts = sum(line.count for line in group)
        if facts <= rule.max_per_month:
            continue
        whole = rule.item_points if rule.item_points is not None else rule.section.points
        so_far = sum((line.points for line in group), Decimal(0))
        rest = -whole - so_far
        text = f"{facts} > {rule.max_per_month}: the whole item −{pts(whole)} ({pts(so_far)} {rest:+g})"
        extra.append(
            Line(
                group[0].staff_id,
                group[0].department_id,
                rule,
                rule.fact,
                text[:300],
                points=rest,
                sort_key=("~cap",),
            )
        )
    return extra


def _adjustments(month: date) -> list[Line]:
    appeals = (
        Appeal.objects.filter(state=AppealState.UPHELD, applied_in__month=month)
        .select_related("line__month", "line__rule")
        .order_by("pk")
    )
    return [
        Line(
            appeal.line.staff_id,
            appeal.line.department_id,
            appeal.line.rule,
            "adjustment",
            f"appeal #{appeal.pk} on {appeal.line.month.month:%Y-%m} line {appeal.line.position}"[:300],
            yuan=appeal.adjust_yuan,
            points=appeal.adjust_points,
            complaint_id=appeal.line.complaint_id,
            appeal_id=appeal.pk,
            sort_key=("~appeal", appeal.pk),
        )
        for appeal in appeals
    ]


def _score(lines: list[Line]) -> dict[int, tuple[Decimal, int]]:
    """Per scorecard of the target's lines: (score, scorecard id)."""
    by_card: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    cards = {}
    for line in lines:
        if line.rule is not None and line.rule.section_id is not None:
            section = line.rule.section
            cards[section.scorecard_id] = section.scorecard
            by_card[section.scorecard_id][section.pk] += line.points
    scores = {}
    for card_id, deductions in by_card.items():
        card = cards[card_id]
        total = Decimal(0)
        for section in card.sections.all():
            total += max(Decimal(0), section.points + deductions.get(section.pk, Decimal(0)))
        scores[card_id] = (min(card.max_points, max(Decimal(0), total)), card_id)
    return scores


def build(month: date) -> Draft:
    """The month's sheet, computed (nothing is written)."""
    people = People(month)
    rules = list(
        Rule.objects.filter(is_active=True)
        .select_related("section__scorecard")
        .prefetch_related("section__scorecard__sections")
        .order_by("order", "code")
    )
    facts: dict[str, list[Fact]] = {}
    lines: list[Line] = []
    for rule in rules:
        if rule.fact not in facts:
            facts[rule.fact] = GATHERERS[rule.fact](month)
        for fact in facts[rule.fact]:
            if fact.finding is not None and fact.finding.rule_id != rule.pk:
                continue  # a finding is for its own rule
            lines.extend(_lines_for(rule, fact, people))
    lines.extend(_item_caps(lines))
    lines.extend(_adjustments(month))
    lines.sort(key=Line.key)
    return Draft(month=month, lines=lines, totals=_totals(month, lines, people))


def _totals(month: date, lines: list[Line], people: People) -> list[Total]:
    grouped: dict[tuple[int | None, int | None], list[Line]] = defaultdict(list)
    for line in lines:
        grouped[(line.staff_id, None if line.staff_id else line.department_id)].append(line)
    previous = {
        staff: out
        for staff, out in SheetTotal.objects.filter(month__month=previous_month(month), staff__isnull=False)
        .exclude(carried_out=0)
        .values_list("staff_id", "carried_out")
    }
    for staff in previous:
        grouped.setdefault((staff, None), [])
    settings = AssessmentSettings.current()
    totals = []
    for (staff, department), group in sorted(grouped.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1] or 0)):
        total = Total(staff, department if staff is None else people.department_of.get(staff))
        total.yuan = sum((line.yuan for line in group), ZERO)
        total.points = sum((line.points for line in group), Decimal(0))
        scores = _score(group)
        if scores:
            (total.score, total.scorecard_id) = scores[min(scores)]
        if staff is not None:
            total.monthly_bonus = people.bonus(staff)
            total.carried_in = previous.get(staff, ZERO)
            total.capped_due = -sum((line.yuan for line in group if line.capped), ZERO)
            if settings.bonus_cap_percent is not None:
                total.cap = (total.monthly_bonus * settings.bonus_cap_percent / 100).quantize(
                    FEN, rounding=ROUND_DOWN
                )
            total.deducted, total.carried_out = carry(
                carried_in=total.carried_in, due=total.capped_due, cap=total.cap
            )
        totals.append(total)
    return totals


def carry(*, carried_in: Decimal, due: Decimal, cap: Decimal | None) -> tuple[Decimal, Decimal]:
    """(deducted, carried out) for one month: the rule used by ``_totals``, for the property tests."""
    owed = carried_in + due
    deducted = owed if cap is None else min(owed, cap)
    return deducted, owed - deducted
