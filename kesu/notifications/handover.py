"""Hand-over notifications (待办通知): when work lands on someone, they are told.

Where the work runs: not in the request. An action's transaction only registers, through the
complaints registry's after-event hook, one ``transaction.on_commit`` callback that enqueues the
huey task ``notifications.handover`` with the timeline entry's id (no query; a rolled-back action
enqueues nothing). The worker (`kesu worker`) then computes who is next from the committed entry
and writes the notifications (:func:`deliver`), idempotent by the dedup key
``handover:<event id>``: a retried or duplicated task tells nobody twice. If the queue cannot take
the task (its storage is down), the request computes the hand-over itself after commit — the one
synchronous fallback, so that nobody waits unseen because the queue was unavailable.

Two kinds of hand-over:

- a workflow action (its status changes, or it opens or decides a pending request such as an
  extension): Kesu asks the workflow which *forward* actions are now possible and who may take
  them. Nothing here knows an action by name except the housekeeping ones it ignores: who is next
  is what ``workflow.allowed_actions`` answers for each candidate. The candidates are the holders
  of the roles the forward actions name (a department-scoped role only in the responsible
  department), a present holder in person and an absent one through their deputy (代理人), plus
  the rule book's recusal substitutes (回避).
- a timeline entry another app writes (an approval requested or decided, a department task opened,
  assigned or done, a result distributed): the app registers who its entry puts work on with
  :func:`register` (notifications sits below approvals and assignments in the import layers, so it
  cannot read their rows; they tell it). Absent people are told through their deputy.

Either way the people complained about and the person who just acted are never told.

Cost, in the worker: a constant number of queries per event whatever the number of staff. The
candidates come in one query (with their roles and deputies); ``allowed_actions`` is asked once per
distinct *signature* — the principal's roles, whether they are in the responsible department, their
post, and the recused roles they substitute for — because that is all a capacity's answer depends
on; and the notifications are written in one insert (plus one read of the ids to e-mail).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from kesu.complaints import registry, workflow
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.notifications.models import Notification
from kesu.notifications.services import Message, notify_each
from kesu.organization.models import Role, Staff
from kesu.organization.selectors import Capacity

log = logging.getLogger(__name__)

# Actions that keep a complaint where it is: the timeline (comment, correct), a secondary
# complaint, and clock housekeeping (kesu.deadlines). Their timeline entries hand nothing over.
QUIET = frozenset(
    {"comment", "correct", "file_secondary", "await_customer", "resume_clocks", "record_delivery"}
)
# Never announced as the work waiting for someone: the quiet actions, ending or restarting the
# complaint (withdraw, reopen), and asking for more time (a request opens work for the approver,
# it is not work itself).
HOUSEKEEPING = QUIET | {"withdraw", "reopen", "request_extension"}


def is_forward(action: workflow.Action) -> bool:
    """The step that moves the complaint on: the workflow's primary action at its status (the
    button shown first), and never housekeeping."""
    return action.style == "primary" and action.name not in HOUSEKEEPING


def hands_over(event: ComplaintEvent) -> bool:
    """Whether this timeline entry may put work on someone else: a person's action (not a
    reminder the system wrote) that moved the complaint, or a forward-flow action that leaves the
    status as it is (opening or deciding a pending request). Registration is not a hand-over:
    the desk that registers carries on (a major complaint is reported by kesu.notifications.major)."""
    if event.actor_id is None:
        return False
    if event.action in _who_to_tell:
        return True
    if not event.from_status:
        return False
    if event.from_status != event.to_status:
        return True
    spec = workflow.ACTIONS.get(event.action)
    return spec is not None and spec.target is None and event.action not in QUIET


@dataclass
class _Told:
    capacities: list[Capacity] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


# Of a person to tell (and their deputy): who they are and where, whether they are away, and
# their user's name, address and whether it may sign in — not the user's whole row (password
# hash, dates, other flags).
_PERSON = [f.name for f in Staff._meta.concrete_fields] + ["user__username", "user__email", "user__is_active"]
_HOLDER_FIELDS = [*_PERSON, *(f"deputy__{name}" for name in _PERSON)]


def next_takers(complaint: Complaint, *, exclude: frozenset[int] = frozenset()) -> dict[int, _Told]:
    """Who may take a forward action on ``complaint`` now, by the pk of the person to tell: the
    capacities in which they may act and the forward actions (in lifecycle order)."""
    # The complaint's procedure says which steps it goes through and who takes them (a step it
    # lists as optional waits on nobody: nobody is told).
    forward = [
        a
        for a in workflow.ACTIONS.values()
        if is_forward(a)
        and complaint.status in workflow.sources_for(complaint, a)
        and workflow.awaited(complaint, a)
    ]
    if not forward:
        return {}
    accused = workflow.accused_ids(complaint)
    takers = [t for a in forward for t in workflow.takers_for(complaint, a)]
    anywhere = {t.role for t in takers if t.scope == workflow.Scope.ANY}
    in_department = {t.role for t in takers if t.scope == workflow.Scope.DEPARTMENT}
    # a named post (指定岗位) is held wherever its holder works, not only in the responsible department
    by_position = {
        (t.role, t.position_id)
        for t in takers
        if t.scope == workflow.Scope.POSITION and t.position_id is not None and t.role not in anywhere
    }
    where = Q(role_assignments__role__in=anywhere)
    if in_department - anywhere and complaint.handling_department_id is not None:
        where |= Q(
            role_assignments__role__in=in_department - anywhere,
            department_id=complaint.handling_department_id,
        )
    for role, position_id in sorted(by_position):
        where |= Q(role_assignments__role=role, position_id=position_id)
    holders = list(
        Staff.objects.filter(where)
        .distinct()
        .select_related("user", "deputy__user")
        .only(*_HOLDER_FIELDS)
        .prefetch_related("role_assignments")
        .order_by("pk")
    )
    now = timezone.now()
    capacities = []
    for holder in holders:
        if holder.pk in accused:
            continue  # recused, and so is anyone acting for them (回避)
        deputy = holder.deputy
        if holder.is_absent(now) and deputy is not None and deputy.pk not in accused:
            capacities.append(Capacity(actor=deputy, principal=holder))
        else:
            capacities.append(Capacity(actor=holder, principal=holder))
    desk = _desk_owner(complaint, forward, holders, accused)
    substitute_for: dict[int, set[str]] = {}
    if accused:
        for stand in workflow.stand_ins(complaint, accused):
            for person in stand.substitutes:
                substitute_for.setdefault(person.pk, set()).add(stand.role)
                capacities.append(Capacity(actor=person, principal=person))

    answers: dict[tuple, list[str]] = {}
    told: dict[int, _Told] = {}
    forward_names = [a.name for a in forward]
    for capacity in capacities:
        if capacity.actor.pk in exclude or capacity.principal.pk in exclude:
            continue
        principal = capacity.principal
        signature = (
            principal.roles,
            principal.department_id == complaint.handling_department_id,
            principal.position_id,  # a step a rule book gives to a named post (指定岗位)
            frozenset(substitute_for.get(principal.pk, ())),
        )
        if signature not in answers:
            allowed = set(
                workflow.allowed_actions(complaint=complaint, capacities=[capacity], among=forward_names)
            )
            answers[signature] = [name for name in forward_names if name in allowed]
        actions = answers[signature]
        if desk is not None and principal.pk != desk.owner:
            # a desk step is the owner's (or their deputy's) to take: the other clerks are not told
            actions = [name for name in actions if name not in desk.actions]
        if not actions:
            continue
        entry = told.setdefault(capacity.actor.pk, _Told())
        entry.capacities.append(capacity)
        entry.actions += [a for a in actions if a not in entry.actions]
    return told


@dataclass(frozen=True)
class _Desk:
    """The desk steps among the forward actions and the person whose complaint they are."""

    owner: int
    actions: frozenset[str]


def _desk_owner(
    complaint: Complaint, forward: list[workflow.Action], holders: list[Staff], accused: set[int]
) -> _Desk | None:
    """A desk step (one only desk roles take: reply, follow-up visit, close, route again) goes to
    the clerk who registered the complaint — the desk person who knows the customer — and, while
    they are absent, to their deputy; not to every desk clerk. Only when that person cannot take
    it (no longer at the desk, gone, or complained about: 回避) is every desk holder told, as
    before. None: no desk step is waiting, or nobody owns it (tell every holder)."""
    desk_roles = frozenset(workflow.DESK)
    steps = {a.name: {t.role for t in workflow.takers_for(complaint, a)} for a in forward}
    actions = frozenset(name for name, roles in steps.items() if roles and roles <= desk_roles)
    if not actions:
        return None
    owner = next((h for h in holders if h.pk == complaint.registered_by_id), None)
    if owner is None or owner.pk in accused or not owner.user.is_active:
        return None
    if not owner.roles & set().union(*(steps[name] for name in actions)):
        return None
    return _Desk(owner=owner.pk, actions=actions)


def _message(complaint: Complaint, event: ComplaintEvent, told: _Told) -> Message:
    actor = told.capacities[0].actor
    labels = "、".join(str(workflow.ACTIONS[a].label) for a in told.actions)
    values = {
        "number": complaint.number,
        "actions": labels,
        "status": complaint.get_status_display(),
        "by": event.actor.display_name if event.actor else "",
        "done": str(workflow.ACTIONS[event.action].label)
        if event.action in workflow.ACTIONS
        else event.action,
    }
    body = (
        _("Complaint %(number)s is now “%(status)s” (%(by)s: %(done)s). Waiting for you: %(actions)s.")
        % values
    )
    for_whom = [c.principal.display_name for c in told.capacities if c.acting_for is not None]
    if for_whom:
        body += " " + _("You are told as deputy (代理) for %(names)s.") % {"names": "、".join(for_whom)}
    if event.comment:
        body += "\n\n" + event.comment
    return Message(recipient=actor, title=_("%(number)s waits for you: %(actions)s") % values, body=body)


_in_process = threading.local()


@contextmanager
def delivered_in_process() -> Iterator[None]:
    """Within this block, hand-overs are delivered in the caller's transaction as each entry is
    written, not queued: for playing history in bulk (the demo's months of complaints), where
    thousands of queued tasks would only arrive after the fact."""
    before = getattr(_in_process, "on", False)
    _in_process.on = True
    try:
        yield
    finally:
        _in_process.on = before


def on_complaint_event(event: ComplaintEvent) -> None:
    """after_event hook, in the action's transaction: enqueue the hand-over once it commits. No
    query here; a rolled-back action enqueues nothing."""
    if not hands_over(event):
        return
    if getattr(_in_process, "on", False):
        deliver(event_id=event.pk)
    else:
        transaction.on_commit(partial(enqueue, event.pk))


def enqueue(event_id: int) -> None:
    """Hand the entry to the worker; if the queue cannot take it, deliver it here and now."""
    from kesu.notifications.tasks import tell_next

    try:
        tell_next(event_id)
    except (RedisError, sqlite3.Error, OSError):  # the queue's storage (Redis, huey's SQLite file) is down
        log.warning("could not enqueue hand-over %s; delivering it in process", event_id, exc_info=True)
        deliver(event_id=event_id)


def deliver(*, event_id: int) -> int:
    """The worker's part: tell whoever ``event_id``'s timeline entry put work on, once each.
    Returns how many people the entry concerns (each told once: a repeated call writes nothing
    new, by the dedup key). Written in the site's language (``LANGUAGE_CODE``), whoever acted and
    in whichever language their page was: the text is stored and read by others."""
    with translation.override(settings.LANGUAGE_CODE):
        return _deliver(event_id)


def _deliver(event_id: int) -> int:
    event = (
        ComplaintEvent.objects.select_related(
            "actor", "complaint__category", "complaint__handling_department", "complaint__severity"
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None or not hands_over(event):
        return 0
    exclude = frozenset(pk for pk in (event.actor_id, event.acting_for_id) if pk is not None)
    complaint = event.complaint
    if event.action in _who_to_tell:
        messages = _app_messages(complaint, event, _who_to_tell[event.action](event), exclude)
    else:
        if complaint.status != event.to_status:
            return 0  # the complaint moved on before the worker got here: its next entry tells
        told = next_takers(complaint, exclude=exclude)
        messages = [_message(complaint, event, entry) for entry in told.values()]
    notify_each(
        messages=messages,
        kind=Notification.Kind.HANDOVER,
        complaint=complaint,
        dedup_key=f"handover:{event.pk}",
        at=event.at,
    )
    return len(messages)


# ---------------------------------------------------------------------------------------------
# Hand-overs of the apps built on complaints (approvals, department tasks, distributions)


@dataclass(frozen=True)
class Waiting:
    """What a timeline entry put on some people: ``people`` whose work it now is (an absent one is
    told through their deputy; one complained about is not told) and ``what`` waits for them, in
    the recipient's words (e.g. "审批：退款（第 1 级）")."""

    people: Sequence[Staff]
    what: str


WhoToTell = Callable[[ComplaintEvent], Iterable[Waiting]]
_who_to_tell: dict[str, WhoToTell] = {}


def register(kind: str, who: WhoToTell) -> None:
    """An app says whom its timeline entries of ``kind`` put work on (in its AppConfig.ready).
    ``who`` runs in the worker, after commit, with the entry; it reads the app's own rows."""
    _who_to_tell[kind] = who


def heads_of(department_ids: Iterable[int]) -> list[Staff]:
    """The department heads (部门主管) of the given departments, with their users and deputies."""
    return list(
        Staff.objects.filter(
            department_id__in=list(department_ids), role_assignments__role=Role.DEPARTMENT_HEAD
        )
        .distinct()
        .select_related("user", "deputy__user")
        .order_by("pk")
    )


def _in_person_or_deputy(
    person: Staff, accused: set[int], now: datetime
) -> tuple[Staff, Staff | None] | None:
    """Who to tell for ``person``: themselves, or their deputy while they are absent (with the
    person they stand in for); nobody for someone complained about (回避)."""
    if person.pk in accused:
        return None
    deputy = person.deputy if person.deputy_id else None
    if deputy is not None and deputy.pk not in accused and person.is_absent(now):
        return deputy, person
    return person, None


def _app_messages(
    complaint: Complaint, event: ComplaintEvent, waiting: Iterable[Waiting], exclude: frozenset[int]
) -> list[Message]:
    accused = set(complaint.accused_staff.values_list("pk", flat=True))
    now = timezone.now()
    whats: dict[int, list[str]] = {}
    for_whom: dict[int, list[str]] = {}
    people: dict[int, Staff] = {}
    for entry in waiting:
        for person in entry.people:
            if person.pk in exclude:
                continue
            found = _in_person_or_deputy(person, accused, now)
            if found is None or found[0].pk in exclude:
                continue
            told, principal = found
            people[told.pk] = told
            if entry.what not in whats.setdefault(told.pk, []):
                whats[told.pk].append(entry.what)
            if principal is not None and principal.display_name not in for_whom.setdefault(told.pk, []):
                for_whom[told.pk].append(principal.display_name)
    done = registry.EVENT_LABELS.get(event.action, event.action)
    messages = []
    for pk, person in people.items():
        values = {
            "number": complaint.number,
            "what": "；".join(whats[pk]),
            "by": event.actor.display_name if event.actor else "",
            "done": str(done),
        }
        body = _("Complaint %(number)s (%(by)s: %(done)s). Waiting for you: %(what)s.") % values
        if for_whom.get(pk):
            body += " " + _("You are told as deputy (代理) for %(names)s.") % {
                "names": "、".join(for_whom[pk])
            }
        if event.comment:
            body += "\n\n" + event.comment
        messages.append(
            Message(recipient=person, title=_("%(number)s waits for you: %(what)s") % values, body=body)
        )
    return messages
