"""The complaint lifecycle in one place: which action moves which status, and who may take it.

Every action has one entry in ``ACTIONS``: the skeleton. Who may take a skeleton step (register,
classify, route, accept, handle, decide, approve, answer, follow up, close) is the rule book's data:
the procedure for the complaint's class (kesu.complaints.procedures, read once per complaint) names
a role plus a scope for each step it lists — ``ANY`` (the role is enough), ``DEPARTMENT`` (the
person's department must be the complaint's responsible department) or ``POSITION`` (a named post).
A step the procedure leaves out is skipped (no GM approval of the transfer, no follow-up visit
before closing) or not offered (answer on the spot). The other actions (comment, correct, withdraw,
not upheld, reopen, the clocks') keep the roles written here. On top of that: the person complained about is recused from every action (回避), and
a deputy acts with the roles of an absent principal — but never for a recused one. When every
holder of a role is recused, the rule book's substitute for that role (RecusalSubstitute) holds
it for the complaint (:func:`stand_ins`). Services call :func:`authorize`; views and the API call
:func:`allowed_actions` to show exactly the buttons a viewer may press.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kesu.complaints import registry
from kesu.complaints.models import TERMINAL_STATUSES, Complaint, Status, StepScope
from kesu.complaints.procedures import FOLLOWS, STEP_ACTIONS, Rules, Taker, default_rules, rules_for
from kesu.core.errors import ActionNotAllowed
from kesu.organization.models import Role, RoleAssignment, Staff
from kesu.organization.selectors import Capacity, capacities_of
from kesu.rulebook.models import RecusalSubstitute


class Scope(StrEnum):
    ANY = "any"
    DEPARTMENT = "department"  # only for the complaint's responsible department (责任部门)
    POSITION = "position"  # only the holder of a named position (指定岗位); procedure steps only


DESK = {Role.DESK_CLERK: Scope.ANY, Role.CS_DIRECTOR: Scope.ANY}
DEPARTMENT = {Role.DEPARTMENT_HEAD: Scope.DEPARTMENT, Role.HANDLER: Scope.DEPARTMENT}
OPEN = frozenset(Status) - TERMINAL_STATUSES


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset[Status]
    target: Status | None  # None: the status does not change (or the service computes it)
    roles: dict[Role, Scope]
    needs_comment: bool = False
    style: str = "secondary"
    extra: tuple[str, ...] = field(default=())


def _action(name, label, sources, target, roles, **kwargs) -> Action:
    return Action(
        name=name, label=label, sources=frozenset(sources), target=target, roles=dict(roles), **kwargs
    )


_ACTIONS = [
    _action("classify", _("Classify"), {Status.REGISTERED, Status.CLASSIFIED}, Status.CLASSIFIED, DESK),
    _action(
        "answer_on_spot",
        _("Answer on the spot and close"),
        {Status.REGISTERED, Status.CLASSIFIED},
        Status.CLOSED,
        DESK,
        needs_comment=True,
    ),
    _action(
        "answer_and_forward",
        _("Answer and forward"),
        {Status.REGISTERED, Status.CLASSIFIED},
        Status.TRANSFER_PROPOSED,  # or transfer approved, when the procedure has no approval step
        DESK,
        needs_comment=True,
    ),
    _action(
        "propose_transfer",
        _("Propose transfer"),
        {Status.CLASSIFIED},
        Status.TRANSFER_PROPOSED,
        DESK,
        style="primary",
    ),
    _action(
        "approve_transfer",
        _("Approve transfer"),
        {Status.TRANSFER_PROPOSED},
        Status.TRANSFER_APPROVED,
        {Role.GENERAL_MANAGER: Scope.ANY},
        style="primary",
    ),
    _action(
        "reject_transfer",
        _("Reject transfer"),
        {Status.TRANSFER_PROPOSED},
        Status.CLASSIFIED,
        {Role.GENERAL_MANAGER: Scope.ANY},
        needs_comment=True,
    ),
    _action(
        "accept_transfer",
        _("Accept (sign the transfer slip)"),
        {Status.TRANSFER_APPROVED},
        Status.ACCEPTED,
        DEPARTMENT,
        style="primary",
    ),
    _action(
        "decline_transfer",
        _("Decline transfer"),
        {Status.TRANSFER_APPROVED},
        Status.CLASSIFIED,
        {Role.DEPARTMENT_HEAD: Scope.DEPARTMENT},
        needs_comment=True,
    ),
    _action(
        "start_investigation",
        _("Start investigation"),
        {Status.ACCEPTED},
        Status.INVESTIGATING,
        DEPARTMENT,
        style="primary",
    ),
    _action(
        "propose_resolution",
        _("Propose resolution"),
        {Status.INVESTIGATING},
        Status.RESOLUTION_PROPOSED,
        DEPARTMENT,
        style="primary",
    ),
    _action(
        "approve_resolution",
        _("Approve resolution"),
        {Status.RESOLUTION_PROPOSED},
        Status.RESOLUTION_APPROVED,
        {Role.GENERAL_MANAGER: Scope.ANY},
        style="primary",
    ),
    _action(
        "return_resolution",
        _("Return resolution (not approved)"),
        {Status.RESOLUTION_PROPOSED},
        Status.INVESTIGATING,
        {Role.GENERAL_MANAGER: Scope.ANY},
        needs_comment=True,
    ),
    _action(
        "return_for_rework",
        _("Return for rework"),
        {Status.RESOLUTION_PROPOSED, Status.RESOLUTION_APPROVED, Status.REPLIED},
        Status.INVESTIGATING,
        {Role.CS_DIRECTOR: Scope.ANY, Role.VICE_PRESIDENT: Scope.ANY, Role.GENERAL_MANAGER: Scope.ANY},
        needs_comment=True,
    ),
    _action(
        "reply_to_customer",
        _("Reply to customer"),
        {Status.RESOLUTION_PROPOSED, Status.RESOLUTION_APPROVED},  # which one: _sources
        Status.REPLIED,
        DESK,
        style="primary",
    ),
    _action(
        "record_follow_up",
        _("Record follow-up visit"),
        {Status.REPLIED},
        Status.FOLLOWED_UP,
        DESK,
        style="primary",
    ),
    # Closing from "replied" only when the procedure needs no follow-up visit (_sources).
    _action("close", _("Close"), {Status.REPLIED, Status.FOLLOWED_UP}, Status.CLOSED, DESK, style="primary"),
    _action(
        "mark_not_upheld",
        _("Not upheld"),
        {
            Status.CLASSIFIED,
            Status.ACCEPTED,
            Status.INVESTIGATING,
            Status.RESOLUTION_PROPOSED,
            Status.RESOLUTION_APPROVED,
        },
        Status.NOT_UPHELD,
        {
            Role.CS_DIRECTOR: Scope.ANY,
            Role.GENERAL_MANAGER: Scope.ANY,
            Role.DEPARTMENT_HEAD: Scope.DEPARTMENT,
        },
        needs_comment=True,
    ),
    _action("withdraw", _("Withdraw"), OPEN, Status.WITHDRAWN, DESK, needs_comment=True),
    _action(
        "reopen",
        _("Reopen"),
        TERMINAL_STATUSES,
        None,
        {Role.CS_DIRECTOR: Scope.ANY, Role.GENERAL_MANAGER: Scope.ANY},
        needs_comment=True,
    ),
    # Actions that do not move the status but are still permission-checked and recorded.
    _action("correct", _("Correct registered facts"), OPEN, None, DESK, needs_comment=True),
    _action(
        "file_secondary",
        _("Register a secondary complaint"),
        {Status.REPLIED, Status.FOLLOWED_UP, Status.CLOSED},
        None,
        DESK,
    ),
    _action(
        "comment",
        _("Comment"),
        frozenset(Status),
        None,
        {**DESK, **DEPARTMENT, Role.VICE_PRESIDENT: Scope.ANY, Role.GENERAL_MANAGER: Scope.ANY},
        needs_comment=True,
    ),
]
# Every action in lifecycle order: these core ones, and those apps add in their AppConfig.ready()
# (kesu.complaints.registry.register_action; e.g. kesu.deadlines' clock actions after "reopen").
ACTIONS: dict[str, Action] = registry.ACTIONS
ACTIONS.update((a.name, a) for a in _ACTIONS)
# The actions whose takers the procedure names (the approval's refusals follow its approval).
PROCEDURE_ACTIONS = frozenset(STEP_ACTIONS) | frozenset(FOLLOWS)

# Roles that see every complaint; the rest see their own department's.
SEES_ALL = {
    Role.DESK_CLERK,
    Role.CS_DIRECTOR,
    Role.VICE_PRESIDENT,
    Role.GENERAL_MANAGER,
    Role.AUDITOR,
    Role.ADMINISTRATOR,
}


def takers(action: Action, rules: Rules) -> tuple[Taker, ...]:
    """Who may take ``action`` under the procedure ``rules``: the procedure's takers for its
    steps (none: the step is not offered), the roles written above for the other actions."""
    if action.name in PROCEDURE_ACTIONS:
        return rules.takers_of(action.name)
    return tuple(Taker(role, scope) for role, scope in action.roles.items())


def _sources(action: Action, rules: Rules) -> frozenset[Status]:
    """The statuses ``action`` starts from under this procedure: the reply waits for an approved
    resolution only where the procedure requires the approval, closing waits for the follow-up
    visit only where it requires the visit."""
    if action.name == "reply_to_customer":
        if rules.requires("approve_resolution"):
            return frozenset({Status.RESOLUTION_APPROVED})
        if not rules.lists("approve_resolution"):
            return frozenset({Status.RESOLUTION_PROPOSED})
    if action.name == "close" and rules.requires("record_follow_up"):
        return frozenset({Status.FOLLOWED_UP})
    return action.sources


def takers_for(complaint: Complaint, action: Action) -> tuple[Taker, ...]:
    """Who may take ``action`` on ``complaint`` under its procedure (roles and scopes, before the
    person's own department, absence and recusal are checked)."""
    return takers(action, rules_for(complaint))


def sources_for(complaint: Complaint, action: Action) -> frozenset[Status]:
    """The statuses ``action`` starts from under the complaint's procedure."""
    return _sources(action, rules_for(complaint))


def awaited(complaint: Complaint, action: Action) -> bool:
    """Whether the complaint waits for ``action`` to move on: not a step its procedure lists as
    optional (an approval the desk may go past waits on nobody)."""
    return FOLLOWS.get(action.name, action.name) not in rules_for(complaint).optional


def transfer_target(complaint: Complaint) -> Status:
    """Where a proposed transfer goes: to the approver, or straight to the department when the
    procedure has no approval step (or an optional one)."""
    rules = rules_for(complaint)
    return Status.TRANSFER_PROPOSED if rules.requires("approve_transfer") else Status.TRANSFER_APPROVED


def step_label(complaint: Complaint, action: str) -> str:
    """The action's name in the company's words, where the procedure gives them."""
    return rules_for(complaint).labels.get(action) or str(ACTIONS[action].label)


def _taker_fits(taker: Taker, complaint: Complaint, capacity: Capacity) -> bool:
    if taker.role not in capacity.roles:
        return False
    if taker.scope == StepScope.ANY:
        return True
    if taker.scope == StepScope.DEPARTMENT:
        return complaint.handling_department_id == capacity.principal.department_id
    return taker.position_id is not None and capacity.principal.position_id == taker.position_id


def _capacity_for(action: Action, complaint: Complaint, capacity: Capacity) -> bool:
    return any(_taker_fits(t, complaint, capacity) for t in takers(action, rules_for(complaint)))


def _blocked_by_rule(action: Action, complaint: Complaint) -> str | None:
    """Rules about the complaint itself, beyond status and role."""
    reason = registry.blocked_reason(action.name, complaint)
    return str(reason) if reason else None


def _recused(complaint: Complaint, capacity: Capacity, accused_ids: set[int]) -> bool:
    return capacity.actor.pk in accused_ids or capacity.principal.pk in accused_ids


def accused_ids(complaint: Complaint) -> set[int]:
    if complaint.pk is None:
        return set()
    prefetched = getattr(complaint, "_prefetched_objects_cache", {}).get("accused_staff")
    if prefetched is not None:
        return {s.pk for s in prefetched}
    # Asked once per action considered: kept on the object for its version (the accused change
    # only by a correction, which changes the version; a direct .add() forgets it, see apps.py).
    memo = complaint.__dict__.get(ACCUSED_MEMO)
    if memo is not None and memo[0] == complaint.version:
        return set(memo[1])
    # Only the ids: the link table alone, without the staff rows, their departments and ordering.
    links = Complaint.accused_staff.through.objects.filter(complaint_id=complaint.pk)
    ids = frozenset(links.values_list("staff_id", flat=True))
    complaint.__dict__[ACCUSED_MEMO] = (complaint.version, ids)
    return set(ids)


ACCUSED_MEMO = "_kesu_accused_ids"


def carry_accused(*, from_complaint: Complaint, to_complaint: Complaint) -> None:
    """Let a fresh copy of a complaint (an API answer re-read after the action that wrote it) use
    the accused ids its locked copy read in the same request. The action bumped the version; the
    ids still hold unless the action changed the accused, and a change through the locked copy
    forgets them (apps.py), so a memo still there is the copy's present accused."""
    memo = from_complaint.__dict__.get(ACCUSED_MEMO)
    if (
        memo is not None
        and to_complaint.pk == from_complaint.pk
        and from_complaint.version == to_complaint.version
    ):
        to_complaint.__dict__.setdefault(ACCUSED_MEMO, (to_complaint.version, memo[1]))


# ---------------------------------------------------------------------------------------------
# Recusal (回避): who decides when every holder of a role is the person complained about


def _action_roles(rules: Rules) -> tuple[frozenset[str], frozenset[str]]:
    """The roles that take some action under the procedure ``rules``, and those that take one for
    the responsible department only (registered actions included)."""
    found = [t for a in ACTIONS.values() for t in takers(a, rules)]
    return (
        frozenset(t.role for t in found),
        frozenset(t.role for t in found if t.scope == StepScope.DEPARTMENT),
    )


def action_roles() -> frozenset[Role]:
    """The roles some action names under the skeleton's own roles (registered actions included)."""
    return frozenset(role for a in ACTIONS.values() for role in a.roles)


def department_roles() -> frozenset[Role]:
    """The roles some action scopes to the responsible department (the skeleton's own roles)."""
    return frozenset(
        role for a in ACTIONS.values() for role, scope in a.roles.items() if scope is Scope.DEPARTMENT
    )


@dataclass(frozen=True)
class StandIn:
    """A role every holder of which is recused from one complaint, and who decides instead.

    ``substitutes`` are the people the rule book names (none of them accused); when it is empty,
    ``blocked`` lists the actions nobody may take — the desk must ask the administrator to name
    a substitute for ``role`` in the rule book."""

    role: Role
    recused: tuple[Staff, ...]
    substitutes: tuple[Staff, ...]
    configured: bool
    blocked: tuple[str, ...] = ()

    @property
    def notice(self) -> str:
        values = {
            "role": Role(self.role).label,
            "names": "、".join(s.display_name for s in self.substitutes),
            "actions": "、".join(str(ACTIONS[a].label) for a in self.blocked),
        }
        if self.substitutes:
            return str(_("%(role)s recused (回避): %(names)s decides instead.") % values)
        if self.configured:
            return str(
                _(
                    "%(role)s recused (回避), and nobody the rule book names as substitute is free to"
                    " decide: nobody may %(actions)s. An administrator must change the recusal"
                    " substitute for this role in the rule book."
                )
                % values
            )
        return str(
            _(
                "%(role)s recused (回避), and the rule book names no substitute: nobody may"
                " %(actions)s. An administrator must add a recusal substitute for this role in the"
                " rule book (admin → Rule book → Recusal substitutes)."
            )
            % values
        )


def _substitutes(rule: RecusalSubstitute, holders: list[Staff], accused: set[int]) -> tuple[Staff, ...]:
    candidates: list[Staff] = []
    if rule.substitute is not None:
        candidates.append(rule.substitute)
    if rule.substitute_role:
        candidates += (
            Staff.objects.filter(role_assignments__role=rule.substitute_role)
            .select_related("user")
            .order_by("display_name", "pk")
        )
    if rule.deputy_stands_in:
        candidates += [h.deputy for h in holders if h.deputy is not None]
    chosen: dict[int, Staff] = {}
    for person in candidates:
        if person.pk not in accused:
            chosen.setdefault(person.pk, person)
    return tuple(chosen.values())


def stand_ins(complaint: Complaint, accused: set[int] | None = None) -> list[StandIn]:
    """The roles every holder of which is recused from ``complaint``, with who decides instead.

    A department-scoped role counts only its holders in the responsible department. A role with
    no holder at all is a gap in the organisation, not a recusal, and is not reported here."""
    accused = accused_ids(complaint) if accused is None else accused
    if not accused:
        return []
    procedure = rules_for(complaint)
    procedure_roles, procedure_department_roles = _action_roles(procedure)
    roles = (
        set(RoleAssignment.objects.filter(staff_id__in=accused).values_list("role", flat=True))
        & procedure_roles
    )
    if not roles:
        return []
    rules = {
        r.role: r for r in RecusalSubstitute.objects.filter(role__in=roles).select_related("substitute__user")
    }
    found = []
    for role in [r for r in Role if r in roles]:
        holders_query = Staff.objects.filter(role_assignments__role=role).select_related(
            "user", "deputy__user"
        )
        if role in procedure_department_roles:
            if complaint.handling_department_id is None:
                continue
            holders_query = holders_query.filter(department_id=complaint.handling_department_id)
        holders = list(holders_query.order_by("display_name", "pk"))
        if not holders or any(h.pk not in accused for h in holders):
            continue
        rule = rules.get(role)
        found.append(
            StandIn(
                role=role,
                recused=tuple(holders),
                substitutes=_substitutes(rule, holders, accused) if rule else (),
                configured=rule is not None,
            )
        )
    # A role recused without substitute blocks the actions only recused roles may take; one that
    # blocks nothing (someone else may act in its place) is not worth a notice.
    stuck = {s.role for s in found if not s.substitutes}
    # A step the procedure lets the complaint pass by (an optional approval) blocks nothing.
    roles_of = {
        a.name: {t.role for t in takers(a, procedure)}
        for a in ACTIONS.values()
        if FOLLOWS.get(a.name, a.name) not in procedure.optional
    }
    # Nor does an action a registry guard refuses on this complaint anyway (e.g. an app's step for
    # which the rule book has no rule here): nobody could take it, recused or not.
    possible = {
        name: not _blocked_by_rule(ACTIONS[name], complaint)
        for name, roles in roles_of.items()
        if roles and roles <= stuck
    }
    blocked = {
        s.role: tuple(name for name, roles in roles_of.items() if s.role in roles and possible.get(name))
        for s in found
    }
    return [
        StandIn(s.role, s.recused, s.substitutes, s.configured, blocked[s.role])
        for s in found
        if s.substitutes or blocked[s.role]
    ]


def _stand_in_capacities(
    capacities: list[Capacity], stands: list[StandIn], accused: set[int]
) -> list[Capacity]:
    """The capacities in which the viewer decides for a recused role: as a substitute, or as the
    deputy of an absent substitute (never as the deputy of a recused person)."""
    return [
        Capacity(actor=c.actor, principal=c.principal, stands_in_for=s.role)
        for s in stands
        for c in capacities
        if c.actor.pk not in accused and any(p.pk == c.principal.pk for p in s.substitutes)
    ]


def refuse_accused(complaint: Complaint, **people: Staff | None) -> None:
    """Field errors for every person named for a task on ``complaint`` who is complained about in
    it: the accused may be neither handler nor approver nor anything else (回避)."""
    if all(person is None for person in people.values()):
        return  # nobody named: nothing to read
    accused = accused_ids(complaint)
    errors = {
        name: [
            _("%(name)s is complained about in this complaint and must recuse (回避); name someone else.")
            % {"name": person.display_name}
        ]
        for name, person in people.items()
        if person is not None and person.pk in accused
    }
    if errors:
        raise ValidationError(errors)


def _permitted(
    action: Action,
    complaint: Complaint,
    capacities: list[Capacity],
    accused: set[int],
    standing_in: Sequence[Capacity] = (),
) -> Capacity | None:
    """The first capacity that may take ``action`` now. Status and role are checked before the
    rules about the complaint itself, which may query (registry guards). A stand-in for a recused
    role comes last: someone who may act in their own right does so."""
    if complaint.status not in _sources(action, rules_for(complaint)):
        return None
    capacity = next(
        (
            c
            for c in capacities
            if _capacity_for(action, complaint, c) and not _recused(complaint, c, accused)
        ),
        None,
    ) or next(
        (
            c
            for c in standing_in
            if any(t.role == c.stands_in_for for t in takers(action, rules_for(complaint)))
        ),
        None,
    )
    if capacity is None or _blocked_by_rule(action, complaint):
        return None
    return capacity


def _standing_in(complaint: Complaint, capacities: list[Capacity], accused: set[int]) -> list[Capacity]:
    if not accused or not capacities:
        return []  # no recusal: no query
    return _stand_in_capacities(capacities, stand_ins(complaint, accused), accused)


def allowed_actions(
    *, complaint: Complaint, capacities: Iterable[Capacity], among: Collection[str] | None = None
) -> list[str]:
    """The actions, in lifecycle order, that these capacities may take on the complaint now;
    with ``among``, only those actions are checked (their guards may query: a caller that needs
    a few, such as the hand-over notifications, does not pay for every app's guards)."""
    capacities = list(capacities)
    accused = accused_ids(complaint)
    standing_in = _standing_in(complaint, capacities, accused)
    return [
        a.name
        for a in ACTIONS.values()
        if (among is None or a.name in among)
        and _permitted(a, complaint, capacities, accused, standing_in) is not None
    ]


def authorize(*, complaint: Complaint, action: str, staff: Staff) -> Capacity:
    """The capacity in which ``staff`` takes ``action`` now, or ActionNotAllowed naming the allowed ones."""
    spec = ACTIONS.get(action)
    capacities = capacities_of(staff=staff)
    accused = accused_ids(complaint)
    standing_in = _standing_in(complaint, capacities, accused)
    if spec is not None and (capacity := _permitted(spec, complaint, capacities, accused, standing_in)):
        return capacity
    allowed = [a.name for a in ACTIONS.values() if _permitted(a, complaint, capacities, accused, standing_in)]
    if spec is None:
        reason = _("There is no such action.")
    elif spec.name in PROCEDURE_ACTIONS and not takers(spec, rules_for(complaint)):
        reason = _("The rule book's procedure for this class has no step “%(step)s”.") % {"step": spec.label}
    elif complaint.status not in _sources(spec, rules_for(complaint)):
        reason = _("Not possible while the complaint is “%(status)s”.") % {
            "status": complaint.get_status_display()
        }
    elif rule := _blocked_by_rule(spec, complaint):
        reason = rule
    elif any(c.actor.pk in accused for c in capacities):
        reason = _("You are the person complained about and must recuse yourself (回避).")
    elif any(_recused(complaint, c, accused) and _capacity_for(spec, complaint, c) for c in capacities):
        reason = _(
            "You would act for someone complained about in this complaint: a deputy does not stand in"
            " for a recused person (回避) unless the rule book says so."
        )
    else:
        reason = _("Your role or department may not take this action.")
    raise ActionNotAllowed(action=action, allowed=allowed, reason=str(reason))


def register_capacity(staff: Staff | None) -> Capacity | None:
    """The capacity in which ``staff`` may register complaints, if any: the one window the default
    procedure's ``register`` step names (the CS desk; PCB: the GM office)."""
    capacities = capacities_of(staff=staff)
    if not capacities:
        return None
    registers = default_rules().takers.get("register", ())
    return next(
        (
            c
            for c in capacities
            for t in registers
            if t.role in c.roles
            and (t.scope != StepScope.POSITION or c.principal.position_id == t.position_id)
        ),
        None,
    )


def may_register(staff: Staff | None) -> bool:
    return register_capacity(staff) is not None
