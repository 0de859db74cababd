"""The deadline sweep (时限巡检): a reminder (催办) before a clock runs out, escalation (升级) after.

``sweep()`` runs every minute in the worker (``kesu.deadlines.tasks``) or from ``kesu sweep``.
It is idempotent and safe to run in several processes at once: each clock is *claimed* with a
conditional UPDATE (``… WHERE reminded_at IS NULL`` / ``… WHERE escalation_level = old``) before
anything is sent, and only the process whose UPDATE changed the row notifies. The claim, the
notifications and the timeline entry share one transaction per clock, so a failure sends nothing
and leaves the clock for the next sweep; e-mails go out after that commit. The notifications'
dedup keys are a second guard.

Finding the clocks uses the (state, due_at) index and nothing else:

- reminders: running clocks due within the longest reminder lead of any rule (``due_at`` in
  ``(now, now + lead]``), filtered by their own lead. A clock keeps the lead it copied from its
  rule; if an administrator later shortens every rule's lead, such a clock is reminded when the
  longest current lead is reached — later than it asked, never not at all (unless no rule asks
  for a reminder any more).
- escalation: running clocks with ``due_at <= now - after_hours`` of the step after the one they
  have reached — one index range per step of the chain.

Both are read in batches of ``BATCH`` in (due_at, id) order (keyset pagination), with the
complaint's few fields needed to pick the recipients; the people are loaded once per sweep.
Timeline entries written here have no actor and do not bump ``Complaint.version``, so nobody's
open form goes stale because a reminder was sent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import DurationField, ExpressionWrapper, F, Max, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.complaints import registry, workflow
from kesu.complaints.models import ComplaintEvent
from kesu.deadlines.models import ClockKind, ClockRule, ClockState, ComplaintClock, EscalationStep
from kesu.deadlines.signals import clock_went_late
from kesu.notifications.models import Notification
from kesu.notifications.services import notify
from kesu.organization.models import Role, RoleAssignment, Staff

BATCH = 500

# Who must act for a clock (the holder, 经办人).
DEPARTMENT_KINDS = frozenset({ClockKind.ACKNOWLEDGE})  # the receiving department signs
HANDLER_KINDS = frozenset({ClockKind.FIRST_RESPONSE, ClockKind.ON_SITE, ClockKind.RESOLUTION})
DESK_KINDS = frozenset(
    {ClockKind.CUSTOMER_ACK, ClockKind.REPLY, ClockKind.FOLLOW_UP, ClockKind.CLOSE}
)  # 客服部
DESK_ROLES = (Role.DESK_CLERK, Role.CS_DIRECTOR)

# Only these columns are read for a candidate clock (a sweep may read many).
_CANDIDATE_FIELDS = (
    "id",
    "kind",
    "due_at",
    "remind_before_hours",
    "escalation_level",
    "complaint",
    "complaint__id",
    "complaint__number",
    "complaint__status",
    "complaint__handling_department_id",
    "complaint__handler_id",
    "complaint__registered_by_id",
)


@dataclass(frozen=True)
class Step:
    level: int  # 1-based: the level a clock reaches with this step
    role: str
    after: timedelta


@dataclass(frozen=True)
class Sent:
    """One reminder or escalation step sent by a sweep (for the command's output and the tests)."""

    action: str  # "reminder" | "escalated"
    clock_id: int
    complaint_number: str
    kind: str
    due_at: datetime
    recipients: tuple[str, ...]
    level: int = 0
    role: str = ""


@dataclass
class SweepResult:
    now: datetime
    reminders: list[Sent] = field(default_factory=list)
    escalations: list[Sent] = field(default_factory=list)
    noted_late: list[int] = field(default_factory=list)  # clock ids newly noted late

    @property
    def notifications(self) -> int:
        return sum(len(s.recipients) for s in (*self.reminders, *self.escalations))


def hours(value: Decimal | float | int) -> timedelta:
    return timedelta(hours=float(value))


# ---------------------------------------------------------------------------------------------
# Finding the clocks (reads only)


def escalation_chain() -> list[Step]:
    return [
        Step(level=n, role=role, after=hours(after))
        for n, (role, after) in enumerate(
            EscalationStep.objects.order_by("order").values_list("role", "after_hours"), start=1
        )
    ]


def reminder_lead() -> timedelta:
    """The longest reminder lead of any rule: how far ahead of now the sweep looks."""
    longest = ClockRule.objects.aggregate(longest=Max("remind_before_hours"))["longest"]
    return hours(longest or 0)


def _batched(queryset: QuerySet[ComplaintClock]) -> Iterator[list[ComplaintClock]]:
    """Keyset pagination in (due_at, id) order: each batch is one indexed range query, and rows
    claimed meanwhile (by us or another worker) cannot make it skip or repeat a clock."""
    queryset = queryset.select_related("complaint").only(*_CANDIDATE_FIELDS).order_by("due_at", "id")
    after: tuple[datetime, int] | None = None
    while True:
        page = queryset
        if after is not None:
            # The plain ``due_at >= last`` keeps the next page an index range; the OR alone would
            # make every page rescan the whole range from its start.
            page = page.filter(due_at__gte=after[0]).filter(
                Q(due_at__gt=after[0]) | Q(due_at=after[0], id__gt=after[1])
            )
        batch = list(page[:BATCH])
        if batch:
            yield batch
        if len(batch) < BATCH:
            return
        after = (batch[-1].due_at, batch[-1].pk)


def due_for_reminder(*, now: datetime, lead: timedelta | None = None) -> Iterator[ComplaintClock]:
    """Running clocks inside their reminder window (due_at − lead ≤ now < due_at), not reminded."""
    lead = reminder_lead() if lead is None else lead
    if lead <= timedelta(0):
        return
    queryset = (
        ComplaintClock.objects.filter(
            state=ClockState.RUNNING,
            due_at__gt=now,
            due_at__lte=now + lead,  # the index range
            reminded_at__isnull=True,
        )
        # … and the clock's own window, checked by the database on the rows of that range.
        .alias(
            left=ExpressionWrapper(F("due_at") - Value(now), output_field=DurationField()),
            own_lead=ExpressionWrapper(
                F("remind_before_hours") * Value(timedelta(hours=1)), output_field=DurationField()
            ),
        )
        .filter(left__lte=F("own_lead"))
    )
    for batch in _batched(queryset):
        yield from batch


def due_for_escalation(*, now: datetime, chain: list[Step] | None = None) -> Iterator[ComplaintClock]:
    """Running clocks overdue long enough to reach their next escalation step."""
    chain = escalation_chain() if chain is None else chain
    if not chain:
        return
    reached_next = Q()
    for step in chain:  # at level n-1, the clock reaches level n when due_at + after ≤ now
        reached_next |= Q(escalation_level=step.level - 1, due_at__lte=now - step.after)
    queryset = ComplaintClock.objects.filter(
        state=ClockState.RUNNING, due_at__lte=now - min(s.after for s in chain)
    ).filter(reached_next)
    for batch in _batched(queryset):
        yield from batch


def due_for_late_note(*, now: datetime) -> Iterator[ComplaintClock]:
    """Running clocks past their due time that have not been noted late yet (a partial index)."""
    queryset = ComplaintClock.objects.filter(
        state=ClockState.RUNNING, late_noted_at__isnull=True, due_at__lt=now
    )
    for batch in _batched(queryset):
        yield from batch


def target_level(clock: ComplaintClock, chain: list[Step], now: datetime) -> int:
    assert clock.due_at is not None
    return sum(1 for step in chain if clock.due_at + step.after <= now)


# ---------------------------------------------------------------------------------------------
# Who is told


class People:
    """The staff who can receive reminders and escalations, loaded once per sweep (three queries)."""

    def __init__(self, *, at: datetime) -> None:
        self.at = at
        self.heads: dict[int, list[Staff]] = defaultdict(list)
        self.handlers: dict[int, list[Staff]] = defaultdict(list)
        self.by_role: dict[str, list[Staff]] = defaultdict(list)
        self.desk: list[Staff] = []
        self.staff: dict[int, Staff] = {}
        self.accused: dict[int, set[int]] = {}
        assignments = RoleAssignment.objects.filter(staff__user__is_active=True).select_related(
            "staff__user", "staff__department", "staff__deputy__user"
        )
        for assignment in assignments.order_by("staff__display_name", "staff_id"):
            staff = self.staff.setdefault(assignment.staff_id, assignment.staff)
            self.by_role[assignment.role].append(staff)
            if assignment.role == Role.DEPARTMENT_HEAD:
                self.heads[staff.department_id].append(staff)
            elif assignment.role == Role.HANDLER:
                self.handlers[staff.department_id].append(staff)
            if (
                assignment.role in DESK_ROLES
                and staff.department.is_customer_service
                and staff not in self.desk
            ):
                self.desk.append(staff)

    def _person(self, staff_id: int) -> list[Staff]:
        if staff_id not in self.staff:  # a handler without any role: rare, so fetched when met
            person = Staff.objects.select_related("user", "deputy__user").filter(pk=staff_id).first()
            if person is None or not person.user.is_active:
                return []
            self.staff[staff_id] = person
        return [self.staff[staff_id]]

    def holders(self, clock: ComplaintClock) -> list[Staff]:
        """Who must act for the clock (the reminder's recipients)."""
        complaint = clock.complaint
        named = registry.CLOCK_HOLDERS.get(clock.kind)
        if named is not None and (people := named(complaint)):
            # The app whose work the clock times names them (e.g. an approval's approvers now,
            # deputies of the absent and substitutes for the recused included).
            return self.free(clock, people)
        department = complaint.handling_department_id
        if clock.kind in DEPARTMENT_KINDS and department is not None:
            people = self.heads[department] + self.handlers[department]
        elif clock.kind in HANDLER_KINDS and complaint.handler_id is not None:
            people = self._person(complaint.handler_id)
        elif clock.kind in HANDLER_KINDS and department is not None:
            people = self.heads[department]
        else:
            people = []
        # Not yet with a department (or nobody there): the desk still holds the complaint.
        return self.free(clock, self.with_deputies(self.free(clock, people) or self.free(clock, self.desk)))

    def of_role(self, clock: ComplaintClock, role: str) -> list[Staff]:
        """The recipients of an escalation step."""
        if role == Role.DEPARTMENT_HEAD:
            department = clock.complaint.handling_department_id
            people = self.heads[department] if department is not None else []
            # Still at the desk: its head is the customer-service director.
            people = people or self.by_role[Role.CS_DIRECTOR]
        else:
            people = self.by_role[role]
        free = self.free(clock, people)
        if people and not free:  # every holder recused (回避): the rule book's substitutes instead
            free = next(
                (list(s.substitutes) for s in workflow.stand_ins(clock.complaint) if s.role == role), []
            )
        return self.free(clock, self.with_deputies(free))

    def free(self, clock: ComplaintClock, people: list[Staff]) -> list[Staff]:
        """The people, less anyone complained about in the clock's complaint (回避)."""
        complaint = clock.complaint
        if complaint.pk not in self.accused:
            self.accused[complaint.pk] = set(complaint.accused_staff.values_list("pk", flat=True))
        return [p for p in people if p.pk not in self.accused[complaint.pk]]

    def with_deputies(self, people: list[Staff]) -> list[Staff]:
        """The people, and the deputy (代理人) of each one who is absent."""
        result: dict[int, Staff] = {}
        for person in people:
            result.setdefault(person.pk, person)
            deputy = person.deputy
            if deputy is not None and person.is_absent(self.at) and deputy.user.is_active:
                result.setdefault(deputy.pk, deputy)
        return list(result.values())


# ---------------------------------------------------------------------------------------------
# Sending (one transaction per clock)


def _local(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _system_event(clock: ComplaintClock, action: str, at: datetime, data: dict, comment: str) -> None:
    """A timeline entry written by Kesu itself: no actor, and the complaint (and its version) is
    left alone. Clocks ignore entries without an actor."""
    status = clock.complaint.status
    ComplaintEvent.objects.create(
        complaint_id=clock.complaint_id,
        action=action,
        at=at,
        actor=None,
        from_status=status,
        to_status=status,
        comment=comment,
        data=data,
    )


def remind(clock: ComplaintClock, *, now: datetime, people: People) -> Sent | None:
    """The reminder slip (催办单) for one clock, unless another sweep got there first."""
    assert clock.due_at is not None
    with transaction.atomic():
        claimed = ComplaintClock.objects.filter(
            pk=clock.pk, state=ClockState.RUNNING, reminded_at__isnull=True
        ).update(reminded_at=now)
        if not claimed:
            return None
        recipients = people.holders(clock)
        number, label, due = clock.complaint.number, ClockKind(clock.kind).label, _local(clock.due_at)
        text = _("Complaint %(number)s: the time limit “%(clock)s” runs out at %(due)s.") % {
            "number": number,
            "clock": label,
            "due": due,
        }
        notify(
            recipients=recipients,
            kind=Notification.Kind.REMINDER,
            title=_("Reminder: %(number)s — %(clock)s due %(due)s")
            % {"number": number, "clock": label, "due": due},
            body=text,
            complaint=clock.complaint,
            dedup_key=f"clock:{clock.pk}:reminder",
            at=now,
        )
        names = tuple(p.display_name for p in recipients)
        _system_event(
            clock,
            "reminder",
            now,
            {
                "clock": clock.kind,
                "clock_id": clock.pk,
                "due_at": clock.due_at.isoformat(),
                "to": list(names),
            },
            text,
        )
    return Sent("reminder", clock.pk, number, clock.kind, clock.due_at, names)


def escalate(clock: ComplaintClock, *, now: datetime, chain: list[Step], people: People) -> list[Sent]:
    """Notify every escalation step the overdue clock has newly reached, unless another sweep
    got there first. Steps reached together (the worker was down) are all sent, in order."""
    assert clock.due_at is not None
    old, target = clock.escalation_level, target_level(clock, chain, now)
    if target <= old:
        return []
    sent = []
    with transaction.atomic():
        claimed = ComplaintClock.objects.filter(
            pk=clock.pk, state=ClockState.RUNNING, escalation_level=old
        ).update(escalation_level=target)
        if not claimed:
            return []
        number, label, due = clock.complaint.number, ClockKind(clock.kind).label, _local(clock.due_at)
        for step in chain[old:target]:
            recipients = people.of_role(clock, step.role)
            role = Role(step.role).label
            text = _(
                "Complaint %(number)s is overdue: the time limit “%(clock)s” ran out at %(due)s. "
                "Escalated to %(role)s (step %(level)s)."
            ) % {"number": number, "clock": label, "due": due, "role": role, "level": step.level}
            notify(
                recipients=recipients,
                kind=Notification.Kind.ESCALATION,
                title=_("Overdue: %(number)s — %(clock)s (escalation %(level)s, %(role)s)")
                % {"number": number, "clock": label, "level": step.level, "role": role},
                body=text,
                complaint=clock.complaint,
                dedup_key=f"clock:{clock.pk}:escalation:{step.level}",
                at=now,
            )
            names = tuple(p.display_name for p in recipients)
            _system_event(
                clock,
                "escalated",
                now,
                {
                    "clock": clock.kind,
                    "clock_id": clock.pk,
                    "due_at": clock.due_at.isoformat(),
                    "level": step.level,
                    "role": step.role,
                    "to": list(names),
                },
                text,
            )
            sent.append(
                Sent("escalated", clock.pk, number, clock.kind, clock.due_at, names, step.level, step.role)
            )
    return sent


def note_late(clock: ComplaintClock, *, now: datetime) -> bool:
    """Note a clock late once (claimed like a reminder) and tell the apps built on deadlines
    (``signals.clock_went_late``) in the same transaction: they record who held it then."""
    with transaction.atomic():
        claimed = ComplaintClock.objects.filter(
            pk=clock.pk, state=ClockState.RUNNING, late_noted_at__isnull=True
        ).update(late_noted_at=now)
        if not claimed:
            return False
        clock.late_noted_at = now
        clock_went_late.send(sender=ComplaintClock, clock=clock, at=now)
    return True


def sweep(*, now: datetime | None = None) -> SweepResult:
    """One pass: remind the clocks entering their reminder window, escalate the overdue ones."""
    now = now or timezone.now()
    result = SweepResult(now=now)
    people: People | None = None
    for clock in due_for_reminder(now=now):
        people = people or People(at=now)
        if sent := remind(clock, now=now, people=people):
            result.reminders.append(sent)
    for clock in due_for_late_note(now=now):
        if note_late(clock, now=now):
            result.noted_late.append(clock.pk)
    chain = escalation_chain()
    for clock in due_for_escalation(now=now, chain=chain):
        people = people or People(at=now)
        result.escalations.extend(escalate(clock, now=now, chain=chain, people=people))
    return result
