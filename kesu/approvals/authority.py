"""Who may decide an approval now (核决权限), in which capacity.

An approver entry of the current level is a role (with its scope) or a named person. A person
decides for an entry in a capacity from ``capacities_of``: as themselves, or as the deputy (代理)
of an absent principal who fits the entry. Nobody complained about in the complaint decides
(回避), and nobody decides as the deputy of someone complained about. When every holder of a
role an entry names (scope "any holder") is complained about, the rule book's recusal substitute
for that role decides instead (kesu.complaints.workflow.stand_ins), recorded as ``stands_in_for``.

All-of (会签): every entry of the level must be approved; an entry is satisfied by one approval of
a person who fits it. Any-of (或签): the first approval of any entry completes the level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from kesu.approvals.models import Approval, Mode, Scope
from kesu.complaints import workflow
from kesu.complaints.models import Complaint
from kesu.complaints.workflow import stand_ins
from kesu.organization.models import Staff
from kesu.organization.selectors import Capacity, capacities_of


@dataclass(frozen=True)
class Standing:
    """The capacity in which someone decides, and the entries of the level they decide for."""

    capacity: Capacity
    entries: tuple[int, ...]


def fits(entry: dict[str, Any], principal: Staff, complaint: Complaint) -> bool:
    """Whether ``principal`` is the approver ``entry`` names for ``complaint``."""
    if entry.get("staff"):
        return principal.pk == entry["staff"]
    if entry["role"] not in principal.roles:
        return False
    if entry["scope"] == Scope.RESPONSIBLE_DEPARTMENT:
        return complaint.handling_department_id is not None and (
            principal.department_id == complaint.handling_department_id
        )
    if entry["scope"] == Scope.DEPARTMENT:
        return principal.department.code == entry["department"]
    return True


def open_entries(approval: Approval) -> list[int]:
    """The entries of the current level still waiting for an approval (none once it is decided)."""
    if not approval.is_pending:
        return []
    level = approval.level_spec()
    done = {
        index
        for decision in approval.decisions.all()
        if decision.level == approval.current_level and decision.approve
        for index in decision.entries
    }
    return [i for i in range(len(level["entries"])) if i not in done]


def standing_of(
    *,
    approval: Approval,
    staff: Staff,
    accused: set[int] | None = None,
    capacities: list[Capacity] | None = None,
) -> Standing | None:
    """The capacity in which ``staff`` may decide ``approval`` now, or None (``capacities``:
    ``capacities_of(staff=staff)`` when the caller already has them)."""
    waiting = open_entries(approval)
    if not waiting:
        return None
    accused = workflow.accused_ids(approval.complaint) if accused is None else accused
    if staff.pk in accused:
        return None
    entries = approval.level_spec()["entries"]
    capacities = capacities_of(staff=staff) if capacities is None else capacities
    for capacity in capacities:
        if capacity.principal.pk in accused:
            continue  # never for a recused person (回避)
        fitting = tuple(i for i in waiting if fits(entries[i], capacity.principal, approval.complaint))
        if fitting:
            return Standing(capacity=capacity, entries=fitting)
    # Every holder of a role the level names is complained about: the rule book's recusal
    # substitute for that role decides instead (as for the complaint's own actions).
    for role, substitutes in _stand_ins(approval.complaint, accused).items():
        fitting = tuple(i for i in waiting if _names_role_anywhere(entries[i], role))
        for capacity in capacities:
            if fitting and any(p.pk == capacity.principal.pk for p in substitutes):
                return Standing(
                    capacity=Capacity(actor=capacity.actor, principal=capacity.principal, stands_in_for=role),
                    entries=fitting,
                )
    return None


def _names_role_anywhere(entry: dict[str, Any], role: str) -> bool:
    return entry.get("role") == role and entry.get("scope") == Scope.ANY


def _stand_ins(complaint: Complaint, accused: set[int]) -> dict[str, tuple[Staff, ...]]:
    """Role → who decides instead, for the roles every holder of which is complained about."""
    if not accused:
        return {}  # no recusal: no query
    return {s.role: s.substitutes for s in stand_ins(complaint, accused) if s.substitutes}


def level_complete(approval: Approval, approved_entries: set[int]) -> bool:
    level = approval.level_spec()
    if level["mode"] == Mode.ANY:
        return bool(approved_entries)
    return approved_entries >= set(range(len(level["entries"])))


def approvers_now(approval: Approval) -> list[Staff]:
    """The people who may decide ``approval`` now: every unaccused person who fits an open entry
    (or stands in for a recused role it names), and the unaccused deputy of each such person who
    is absent."""
    waiting = open_entries(approval)
    if not waiting:
        return []
    complaint = approval.complaint
    entries = [approval.level_spec()["entries"][i] for i in waiting]
    query = Q(pk__in=[e["staff"] for e in entries if e.get("staff")])
    roles = {e["role"] for e in entries if e.get("role")}
    if roles:
        query |= Q(role_assignments__role__in=roles)
    accused = workflow.accused_ids(complaint)
    candidates = (
        Staff.objects.filter(query)
        .exclude(pk__in=accused)
        .select_related("user", "department", "deputy__user")
        .prefetch_related("role_assignments")
        .distinct()
    )
    chosen = [person for person in candidates if any(fits(entry, person, complaint) for entry in entries)]
    for role, substitutes in _stand_ins(complaint, accused).items():
        if any(_names_role_anywhere(entry, role) for entry in entries):
            chosen += substitutes
    people: dict[int, Staff] = {}
    for person in chosen:
        people.setdefault(person.pk, person)
        deputy = person.deputy
        if deputy is not None and person.is_absent() and deputy.pk not in accused:
            people.setdefault(deputy.pk, deputy)
    return sorted(people.values(), key=lambda s: (s.display_name, s.pk))
