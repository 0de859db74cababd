"""Collective decisions by vote: a meeting (e.g. the law firm's partners' meeting, 合伙人会议) decides
a complaint's proposed resolution — seed 000 第四篇 二 (二) 重大事项应由所务会议或合伙人会议讨论决定,
二 (四) 涉及原则性问题或重大问题的投诉，应召开所务会议或合伙人会议讨论处理方案.

Where the rule book has an active committee rule that decides **by vote** for the complaint (its
class and severity) and the complaint's procedure lists the approve step, that step is the
meeting's: nobody approves or returns the resolution by hand (a registry guard says so), and

1. the convenor (the general manager — the firm's director, 主任 — or, when complained about, the
   rule book's recusal substitute) convenes the meeting on the proposed resolution
   (``convene_meeting``): every active person who fits one of the rule's seats is a member, less
   anyone complained about (被投诉人应当回避); a meeting whose members could never make the quorum
   is refused; the members are told (kesu.notifications) after commit;
2. each member — or their deputy while they are absent — votes once (``vote_in_meeting``): agree,
   disagree (saying why) or abstain, with a comment; each vote is a timeline entry;
3. as soon as the outcome is certain (kesu.committees.voting) the meeting concludes by itself;
   the convenor may also end it with the members present (``conclude_meeting``). Approved: the
   complaint moves to "resolution approved" (``approve_resolution``); rejected: the resolution goes
   back to the handler (``return_resolution``, with the dissenting comments); without a quorum
   nothing is decided and a new meeting may be convened. The outcome and the count are a timeline
   entry (``meeting_concluded``).

The quorum and majority are the rule's at the time of convening (kept on the meeting).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.committees import voting
from kesu.committees.errors import CommitteeConflict, MayNotAct
from kesu.committees.models import (
    CommitteeRule,
    CommitteeSeat,
    DecidesBy,
    Meeting,
    MeetingOutcome,
    MeetingStatus,
    MeetingVote,
    Vote,
)
from kesu.complaints.models import Complaint, Status
from kesu.complaints.services import append_event, lock_for_action, record_action
from kesu.complaints.workflow import accused_ids, rules_for
from kesu.core import limits
from kesu.organization.models import Staff
from kesu.organization.selectors import Capacity, capacities_of
from kesu.rulebook.cache import cached

APPROVE_STEP = "approve_resolution"
RETURN_STEP = "return_resolution"
CONVENE = "convene_meeting"
VOTE = "vote_in_meeting"
CONCLUDE = "conclude_meeting"
_OPEN_MEMO = "_kesu_open_meeting"


def _vote_rules() -> list[CommitteeRule]:
    return cached(
        "committees.vote_rules",
        lambda: list(
            CommitteeRule.objects.filter(is_active=True, decides_by=DecidesBy.VOTE)
            .select_related("category", "severity")
            .order_by("pk")
        ),
    )


def meeting_rule_for(complaint: Complaint) -> CommitteeRule | None:
    """The active vote rule for the complaint: of its class (or the nearest ancestor's, or every
    class), for its severity (or every severity), the most specific first; None: no meeting."""
    rules = _vote_rules()
    if not rules:
        return None
    chain: list[int | None] = []
    category = complaint.category
    while category is not None and category.pk not in chain:
        chain.append(category.pk)
        category = category.parent
    chain.append(None)
    for specific in chain:
        for severity in (complaint.severity_id, None):
            for rule in rules:
                if rule.category_id == specific and rule.severity_id == severity:
                    return rule
    return None


def decided_by_meeting(complaint: Complaint) -> bool:
    """Whether the complaint's approve step is a meeting's: its procedure lists the step and a
    vote rule covers it."""
    return rules_for(complaint).lists(APPROVE_STEP) and meeting_rule_for(complaint) is not None


def open_meeting(complaint: Complaint) -> Meeting | None:
    """The meeting voting on the complaint, if any (read once per version of the complaint)."""
    if complaint.pk is None:
        return None
    memo = complaint.__dict__.get(_OPEN_MEMO)
    if memo is not None and memo[0] == complaint.version:
        return memo[1]
    found = (
        Meeting.objects.filter(complaint_id=complaint.pk, status=MeetingStatus.OPEN)
        .select_related("rule")
        .first()
    )
    complaint.__dict__[_OPEN_MEMO] = (complaint.version, found)
    return found


# ---------------------------------------------------------------------------------------------
# Guards (kesu.complaints.registry.guard): which step is possible now


def not_by_hand(complaint: Complaint) -> str | None:
    """approve_resolution and return_resolution: the meeting decides, not one person."""
    if meeting_rule_for(complaint) is None or not decided_by_meeting(complaint):
        return None
    return _("This resolution is decided by the %(meeting)s (a vote of its members), not by one person.") % {
        "meeting": meeting_rule_for(complaint)
    }


def may_convene(complaint: Complaint) -> str | None:
    if meeting_rule_for(complaint) is None:
        return _("The rule book has no meeting for this complaint.")
    if not decided_by_meeting(complaint):
        return _("The complaint's procedure has no approval step for a meeting to decide.")
    if open_meeting(complaint) is not None:
        return _("The meeting is already voting on this complaint.")
    return None


def is_voting(complaint: Complaint) -> str | None:
    if meeting_rule_for(complaint) is None and open_meeting(complaint) is None:
        return _("The rule book has no meeting for this complaint.")
    if open_meeting(complaint) is None:
        return _("No meeting is voting on this complaint.")
    return None


# ---------------------------------------------------------------------------------------------
# Who sits, who convenes


def _fits(seat: CommitteeSeat, staff: Staff, complaint: Complaint) -> bool:
    from kesu.committees.services import fits_seat

    return fits_seat(seat, staff, complaint)


def members_for(rule: CommitteeRule, complaint: Complaint) -> list[tuple[CommitteeSeat, Staff]]:
    """Every active person who fits one of the rule's seats (in the seats' order, each once),
    less the people complained about (回避)."""
    seats = list(rule.seats.order_by("position", "pk"))
    roles = {seat.role for seat in seats if seat.role}
    people = (
        Staff.objects.filter(user__is_active=True)
        .select_related("user", "department")
        .prefetch_related("role_assignments")
        .order_by("display_name", "pk")
    )
    if roles and all(seat.role for seat in seats):
        people = people.filter(role_assignments__role__in=roles).distinct()
    accused = accused_ids(complaint)
    chosen: dict[int, tuple[CommitteeSeat, Staff]] = {}
    for seat in seats:
        for person in people:
            if person.pk not in accused and person.pk not in chosen and _fits(seat, person, complaint):
                chosen[person.pk] = (seat, person)
    return list(chosen.values())


def _convenes(capacity: Capacity, rule: CommitteeRule) -> bool:
    return rule.convenor_role in capacity.roles or capacity.stands_in_for == rule.convenor_role


# ---------------------------------------------------------------------------------------------
# Services (registered as complaint actions: web, API and `kesu act` call them)


def _comment(errors: dict[str, list[str]], value: object, *, required: bool) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        errors["comment"] = [_("Say why (a comment is required).")]
        return text
    try:
        limits.check_text(text, max_length=limits.HANDLING_TEXT)
    except ValidationError as exc:
        errors["comment"] = list(exc.messages)
    return text


def convene_meeting(
    *, complaint: Complaint, by: Staff, version: int | None = None, comment: str = ""
) -> Complaint:
    """Convene the meeting on the proposed resolution (``comment``: the agenda)."""
    errors: dict[str, list[str]] = {}
    agenda = _comment(errors, comment, required=False)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, CONVENE, by, version)
        rule = meeting_rule_for(locked)
        if rule is None:  # the guard said so already; the rule book may have changed since
            raise CommitteeConflict(_("The rule book has no meeting for this complaint."))
        if not _convenes(capacity, rule):
            raise MayNotAct(
                _("Only the meeting's convenor (%(role)s) may convene it.")
                % {"role": rule.get_convenor_role_display()}
            )
        members = members_for(rule, locked)
        if not voting.quorum_reachable(len(members), rule.quorum_percent):
            raise CommitteeConflict(
                _(
                    "The %(meeting)s cannot decide: %(count)d members remain after recusal (回避), and"
                    " its quorum needs more than %(quorum)d%% of them. Add members in the rule book."
                )
                % {"meeting": rule.name, "count": len(members), "quorum": rule.quorum_percent}
            )
        held = Meeting.objects.filter(complaint=locked).count()
        meeting = Meeting.objects.create(
            complaint=locked,
            rule=rule,
            round=held + 1,
            agenda=agenda,
            quorum_percent=rule.quorum_percent,
            majority_percent=rule.majority_percent,
            convened_by=by,
        )
        MeetingVote.objects.bulk_create(
            [
                MeetingVote(meeting=meeting, position=n, label=seat.label, staff=person)
                for n, (seat, person) in enumerate(members, start=1)
            ]
        )
        return record_action(
            locked,
            capacity,
            CONVENE,
            comment=agenda,
            data={
                "meeting": meeting.round,
                "committee": rule.name,
                "members": [f"{seat.label}：{person.display_name}" for seat, person in members],
                "quorum": voting.minimum_present(len(members), rule.quorum_percent),
            },
        )


def _member_of(votes: list[MeetingVote], by: Staff, accused: set[int]) -> tuple[MeetingVote, Capacity] | None:
    """The member ``by`` votes as: themselves, else an absent member they are deputy for — the
    first one who has not voted; never for someone complained about (回避)."""
    mine = [
        (vote, capacity)
        for capacity in capacities_of(staff=by)
        if capacity.actor.pk not in accused and capacity.principal.pk not in accused
        for vote in votes
        if vote.staff_id == capacity.principal.pk
    ]
    return next(((v, c) for v, c in mine if not v.vote), mine[0] if mine else None)


def vote_in_meeting(
    *, complaint: Complaint, by: Staff, vote: str, version: int | None = None, comment: str = ""
) -> Complaint:
    """A member votes once: agree, disagree (with a reason) or abstain."""
    errors: dict[str, list[str]] = {}
    if vote not in (Vote.AGREE, Vote.DISAGREE, Vote.ABSTAIN):
        errors["vote"] = [_("Choose one of: %(values)s") % {"values": "agree, disagree, abstain"}]
    text = _comment(errors, comment, required=vote == Vote.DISAGREE)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked, _capacity = lock_for_action(complaint, VOTE, by, version)
        meeting = (
            Meeting.objects.select_for_update(of=("self",))
            .select_related("rule")
            .get(complaint=locked, status=MeetingStatus.OPEN)
        )
        votes = list(meeting.votes.select_related("staff").order_by("position"))
        found = _member_of(votes, by, accused_ids(locked))
        if found is None:
            raise MayNotAct(_("Only the meeting's members (or their deputies while absent) vote."))
        member, capacity = found
        if member.vote:
            raise CommitteeConflict(_("Your vote in this meeting is already recorded."))
        member.vote, member.comment, member.cast_by, member.cast_at = vote, text, by, timezone.now()
        member.save(update_fields=["vote", "comment", "cast_by", "cast_at"])
        locked = record_action(
            locked,
            capacity,
            VOTE,
            comment=text,
            data={"meeting": meeting.round, "vote": vote, "member": member.staff.display_name},
        )
        tally = _tally(votes)
        result = voting.outcome(
            tally,
            quorum_percent=meeting.quorum_percent,
            majority_percent=meeting.majority_percent,
            final=False,
        )
        if result is not None:
            locked = _conclude(locked, meeting, votes, capacity, result)
    return locked


def conclude_meeting(
    *, complaint: Complaint, by: Staff, version: int | None = None, comment: str = ""
) -> Complaint:
    """The convenor ends the meeting with the members present: the members who did not vote are
    absent; the rule decides with the votes cast, or records that there was no quorum."""
    errors: dict[str, list[str]] = {}
    text = _comment(errors, comment, required=False)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, CONCLUDE, by, version)
        meeting = (
            Meeting.objects.select_for_update(of=("self",))
            .select_related("rule")
            .get(complaint=locked, status=MeetingStatus.OPEN)
        )
        if not _convenes(capacity, meeting.rule):
            raise MayNotAct(_("Only the meeting's convenor ends it."))
        votes = list(meeting.votes.select_related("staff").order_by("position"))
        locked = record_action(locked, capacity, CONCLUDE, comment=text, data={"meeting": meeting.round})
        result = voting.outcome(
            _tally(votes),
            quorum_percent=meeting.quorum_percent,
            majority_percent=meeting.majority_percent,
            final=True,
        )
        assert result is not None  # a final count always decides
        return _conclude(locked, meeting, votes, capacity, result)


def _tally(votes: list[MeetingVote]) -> voting.Tally:
    return voting.Tally(
        members=len(votes),
        agree=sum(v.vote == Vote.AGREE for v in votes),
        disagree=sum(v.vote == Vote.DISAGREE for v in votes),
        abstain=sum(v.vote == Vote.ABSTAIN for v in votes),
    )


def _conclude(
    complaint: Complaint, meeting: Meeting, votes: list[MeetingVote], capacity: Capacity, result: str
) -> Complaint:
    tally = _tally(votes)
    meeting.status, meeting.outcome, meeting.concluded_at = MeetingStatus.CONCLUDED, result, timezone.now()
    meeting.save(update_fields=["status", "outcome", "concluded_at"])
    data = {
        "meeting": meeting.round,
        "outcome": result,
        "agree": tally.agree,
        "disagree": tally.disagree,
        "abstain": tally.abstain,
        "present": tally.present,
        "member_count": tally.members,
    }
    append_event(complaint=complaint, capacity=capacity, action="meeting_concluded", data=data)
    if result == MeetingOutcome.APPROVED and complaint.status == Status.RESOLUTION_PROPOSED:
        return record_action(
            complaint,
            capacity,
            APPROVE_STEP,
            comment=_("Decided by the %(meeting)s.") % {"meeting": meeting.rule.name},
            data=data,
            to_status=Status.RESOLUTION_APPROVED,
        )
    if result == MeetingOutcome.REJECTED and complaint.status == Status.RESOLUTION_PROPOSED:
        reasons = "\n".join(f"{v.staff.display_name}：{v.comment}" for v in votes if v.vote == Vote.DISAGREE)
        return record_action(
            complaint,
            capacity,
            RETURN_STEP,
            comment=(_("Rejected by the %(meeting)s.") % {"meeting": meeting.rule.name} + "\n" + reasons)[
                : limits.HANDLING_TEXT
            ],
            data=data,
            to_status=Status.INVESTIGATING,
        )
    return complaint
