"""Hand-over notifications (待办通知): when work lands on someone, they are told.

After a timeline entry that moves a complaint (its status changes) or opens or decides a pending
request (an extension: the action leaves the status as it is but is part of the forward flow),
Kesu asks the workflow which *forward* actions are now possible and who may take them, and tells
each of those people once per timeline entry (dedup key ``handover:<event id>``), in Kesu and by
e-mail after commit.

Nothing here knows an action by name except the housekeeping ones it ignores: who is next is
what ``workflow.allowed_actions`` answers for each candidate, so when the lifecycle becomes data
the notifications follow it. The candidates are the holders of the roles the forward actions name
(a department-scoped role only in the responsible department), a present holder in person and an
absent one through their deputy (代理人), plus the rule book's recusal substitutes (回避); the
people complained about and the person who just acted are never told.

Cost: a constant number of queries per event whatever the number of staff. The candidates come
in one query (with their roles and deputies); ``allowed_actions`` is asked once per distinct
*signature* — the principal's roles, whether they are in the responsible department, their post,
and the recused roles they substitute for — because that is all a capacity's answer depends on;
and the notifications are written in one insert (plus one read of the ids to e-mail).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.complaints import workflow
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.notifications.models import Notification
from kesu.notifications.services import Message, notify_each
from kesu.organization.models import Staff
from kesu.organization.selectors import Capacity

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
    if event.actor_id is None or not event.from_status:
        return False
    if event.from_status != event.to_status:
        return True
    spec = workflow.ACTIONS.get(event.action)
    return spec is not None and spec.target is None and event.action not in QUIET


@dataclass
class _Told:
    capacities: list[Capacity] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


def next_takers(complaint: Complaint, *, exclude: frozenset[int] = frozenset()) -> dict[int, _Told]:
    """Who may take a forward action on ``complaint`` now, by the pk of the person to tell: the
    capacities in which they may act and the forward actions (in lifecycle order). ``complaint``
    must come with ``accused_staff`` prefetched."""
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
    accused = {s.pk for s in complaint.accused_staff.all()}
    takers = [t for a in forward for t in workflow.takers_for(complaint, a)]
    anywhere = {t.role for t in takers if t.scope == workflow.Scope.ANY}
    in_department = {t.role for t in takers if t.scope != workflow.Scope.ANY}
    where = Q(role_assignments__role__in=anywhere)
    if in_department - anywhere and complaint.handling_department_id is not None:
        where |= Q(
            role_assignments__role__in=in_department - anywhere,
            department_id=complaint.handling_department_id,
        )
    holders = list(
        Staff.objects.filter(where)
        .distinct()
        .select_related("user", "deputy__user")
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
            allowed = set(workflow.allowed_actions(complaint=complaint, capacities=[capacity]))
            answers[signature] = [name for name in forward_names if name in allowed]
        if not answers[signature]:
            continue
        entry = told.setdefault(capacity.actor.pk, _Told())
        entry.capacities.append(capacity)
        entry.actions += [a for a in answers[signature] if a not in entry.actions]
    return told


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


def on_complaint_event(event: ComplaintEvent) -> None:
    """after_event hook: tell whoever the complaint now waits for (in the action's transaction;
    the rows roll back with it, and the e-mails go only after commit)."""
    if not hands_over(event):
        return
    complaint = (
        Complaint.objects.select_related("category", "handling_department", "severity")
        .prefetch_related("accused_staff")
        .get(pk=event.complaint_id)
    )
    exclude = frozenset(pk for pk in (event.actor_id, event.acting_for_id) if pk is not None)
    told = next_takers(complaint, exclude=exclude)
    notify_each(
        messages=[_message(complaint, event, entry) for entry in told.values()],
        kind=Notification.Kind.HANDOVER,
        complaint=complaint,
        dedup_key=f"handover:{event.pk}",
        at=event.at,
    )
