"""What the committees app contributes to a complaint through kesu.complaints.registry: its
timeline entries, its panels on the complaint page, the meeting's actions (convene, vote,
conclude: the web forms, the API and `kesu act` follow from them); its preset section; and whom a
convened meeting puts work on (kesu.notifications.handover)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.complaints.models import Complaint


def committee_panel(complaint: Complaint) -> dict[str, Any]:
    """The committee (members and their agreement, the evidence memo), or the rule that would
    convene one. One query when none is convened — the rule book's few committee rules, each
    marked whether it sits on this complaint; read here rather than kept per process, so that the
    page costs the same on its first request as on later ones — and three more when one is (the
    committee, its members, its photos)."""
    from django.db.models import Exists, OuterRef

    from kesu.committees.models import Committee, CommitteeRule
    from kesu.committees.selectors import committee_of
    from kesu.committees.services import rule_for

    sits = Committee.objects.filter(complaint=complaint, rule=OuterRef("pk"))
    rules = list(CommitteeRule.objects.annotate(sits=Exists(sits)).order_by("pk"))
    if any(rule.sits for rule in rules):
        committee = committee_of(complaint=complaint)
        return {"committee": committee, "committee_rule": committee.rule if committee else None}
    active = [rule for rule in rules if rule.is_active]
    return {"committee": None, "committee_rule": rule_for(complaint, active) if complaint.is_open else None}


def meeting_panel(complaint: Complaint) -> dict[str, Any]:
    """The complaint's meetings with their members' votes (two queries), or nothing to show when
    the rule book has no meeting for it and none was held (no query beyond the kept rules)."""
    from django.db.models import Prefetch

    from kesu.committees.meetings import meeting_rule_for
    from kesu.committees.models import Meeting, MeetingVote

    rule = meeting_rule_for(complaint)
    meetings = list(
        Meeting.objects.filter(complaint=complaint)
        .select_related("rule", "convened_by")
        .prefetch_related(
            Prefetch(
                "votes",
                queryset=MeetingVote.objects.select_related("staff", "cast_by").order_by("position"),
            )
        )
        .order_by("round")
    )
    return {"meetings": meetings, "meeting_rule": rule}


def _ref(staff: Any) -> dict[str, str] | None:
    return None if staff is None else {"username": staff.user.get_username(), "name": staff.display_name}


def meetings_out(complaint: Complaint) -> list[dict[str, Any]]:
    """The API detail's ``meetings`` (two queries when there are any, one when none)."""
    from django.db.models import Prefetch

    from kesu.committees.models import Meeting, MeetingVote

    meetings = (
        Meeting.objects.filter(complaint=complaint)
        .select_related("rule", "convened_by__user")
        .prefetch_related(
            Prefetch(
                "votes",
                queryset=MeetingVote.objects.select_related("staff__user", "cast_by__user").order_by(
                    "position"
                ),
            )
        )
        .order_by("round")
    )
    return [
        {
            "round": m.round,
            "name": m.rule.name,
            "status": m.status,
            "outcome": m.outcome,
            "agenda": m.agenda,
            "quorum_percent": m.quorum_percent,
            "majority_percent": m.majority_percent,
            "convened_by": _ref(m.convened_by),
            "convened_at": m.convened_at,
            "concluded_at": m.concluded_at,
            "votes": [
                {
                    "seat": v.label,
                    "member": _ref(v.staff),
                    "vote": v.vote,
                    "comment": v.comment,
                    "cast_by": _ref(v.cast_by),
                    "cast_at": v.cast_at,
                }
                for v in m.votes.all()
            ],
        }
        for m in meetings
    ]


def _meetings_schema() -> Any:
    from kesu.committees.schemas import MeetingOut

    return list[MeetingOut]


class Ballot(models.TextChoices):
    """A member's vote as the action's input (the stored vote may also be "not voted")."""

    AGREE = "agree", _("agree")
    DISAGREE = "disagree", _("disagree")
    ABSTAIN = "abstain", _("abstain")


def _parse_ballot(raw: Any) -> str:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext

    if raw not in Ballot.values:
        raise ValidationError(gettext("Choose one of: %(values)s") % {"values": ", ".join(Ballot.values)})
    return str(raw)


def _ballot_choices(complaint: Complaint) -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in Ballot.choices]


def _members_to_tell(event: Any) -> list[Any]:
    """A convened meeting puts the vote on each member (an absent one is told through their
    deputy, by kesu.notifications); the convenor who acted is not told."""
    from kesu.committees.models import Meeting
    from kesu.notifications.handover import Waiting

    meeting = (
        Meeting.objects.filter(complaint_id=event.complaint_id, round=(event.data or {}).get("meeting"))
        .select_related("rule")
        .first()
    )
    if meeting is None or meeting.status != "open":
        return []
    people = [
        v.staff
        for v in meeting.votes.select_related("staff__user", "staff__deputy__user").order_by("position")
        if not v.vote
    ]
    return [Waiting(people=people, what=_("vote in the %(meeting)s") % {"meeting": meeting.rule.name})]


def _nobody(event: Any) -> list[Any]:
    """A vote or the end of a meeting puts no new work on anyone by itself (its outcome, an
    approved or returned resolution, is a hand-over of its own)."""
    return []


def _meeting_actions() -> list[tuple[Any, list[Any], Any]]:
    from kesu.committees import meetings
    from kesu.complaints.actions import Field
    from kesu.complaints.models import Status
    from kesu.complaints.workflow import Action, Scope
    from kesu.organization.models import Role

    convenor = {Role.GENERAL_MANAGER: Scope.ANY}
    partners = {Role.GENERAL_MANAGER: Scope.ANY, Role.VICE_PRESIDENT: Scope.ANY}
    proposed = frozenset({Status.RESOLUTION_PROPOSED})
    return [
        (
            Action(
                name=meetings.CONVENE,
                label=_("Convene the meeting"),
                sources=proposed,
                target=None,
                roles=convenor,
                style="primary",
            ),
            [Field("comment", "text")],
            meetings.convene_meeting,
        ),
        (
            Action(
                name=meetings.VOTE,
                label=_("Vote in the meeting"),
                sources=proposed,
                target=None,
                roles=partners,
                style="primary",
            ),
            [Field("vote", "ballot", True), Field("comment", "text")],
            meetings.vote_in_meeting,
        ),
        (
            Action(
                name=meetings.CONCLUDE,
                label=_("End the meeting with the members present"),
                sources=proposed,
                target=None,
                roles=convenor,
            ),
            [Field("comment", "text")],
            meetings.conclude_meeting,
        ),
    ]


def contribute() -> None:
    from kesu.committees.models import CommitteeRule, CommitteeSeat
    from kesu.committees.presets import load_committees
    from kesu.committees.selectors import complaints_visible_to_members
    from kesu.complaints import registry
    from kesu.complaints.registry import DataKey, Panel
    from kesu.rulebook import cache, sections

    cache.watch(CommitteeRule, CommitteeSeat)

    # After the classes (complaints) and the decision lists (50): a rule names a class.
    sections.register("committees", order=60, load=load_committees)
    registry.register_visibility(complaints_visible_to_members)
    registry.register_panel("complaint", Panel("committees/_committee.html", committee_panel, order=21))
    _contribute_meetings()
    for kind, label in {
        "committee_convened": _("Committee convened"),
        "evidence_memo_recorded": _("On-site evidence memo recorded"),
        "committee_determined": _("Committee's determination recorded"),
        "committee_member_agreed": _("Committee member agrees"),
        "committee_member_disagreed": _("Committee member disagrees"),
        "committee_agreed": _("Every committee member agreed: memo complete"),
    }.items():
        registry.register_event(kind, label)
    registry.register_data("committee", DataKey(_("committee")), event="committee_convened")
    registry.register_data("members", DataKey(_("members")), event="committee_convened")
    registry.register_data("photos", DataKey(_("photos")), event="evidence_memo_recorded")
    registry.register_data(
        "customer_statement", DataKey(_("the customer's statement")), event="evidence_memo_recorded"
    )
    for event in ("committee_member_agreed", "committee_member_disagreed"):
        registry.register_data("seat", DataKey(_("seat")), event=event)
    for event in (
        "committee_determined",
        "committee_member_agreed",
        "committee_member_disagreed",
        "committee_agreed",
    ):
        registry.register_data("decision_version", DataKey(_("decision version")), event=event)


def _contribute_meetings() -> None:
    from kesu.committees import meetings
    from kesu.committees.models import MeetingOutcome, Vote
    from kesu.complaints import registry
    from kesu.complaints.registry import DataKey, DetailField, InputKind, Panel
    from kesu.notifications import handover

    registry.register_input_kind(
        "ballot", InputKind(parse=_parse_ballot, choices=_ballot_choices, api_type=Ballot)
    )
    registry.register_input_label("vote", _("vote"))
    previous = "return_resolution"
    for spec, inputs, service in _meeting_actions():
        guard = meetings.may_convene if spec.name == meetings.CONVENE else meetings.is_voting
        registry.register_action(spec, inputs=inputs, service=service, guard=guard, after=previous)
        previous = spec.name
    # The approve step of a complaint a meeting decides is the meeting's, not one person's.
    registry.guard(meetings.APPROVE_STEP, meetings.not_by_hand)
    registry.guard(meetings.RETURN_STEP, meetings.not_by_hand)
    registry.register_panel("complaint", Panel("committees/_meeting.html", meeting_panel, order=22))
    registry.register_event("meeting_concluded", _("Meeting concluded"))
    registry.register_detail_field(
        "meetings",
        DetailField(
            schema=_meetings_schema,
            read=meetings_out,
            description="The meetings that voted on its proposed resolution (e.g. 合伙人会议), with each vote.",
        ),
    )
    outcomes = dict(MeetingOutcome.choices)
    votes = dict(Vote.choices)
    for key, data_key in {
        "meeting": DataKey(_("meeting no.")),
        "outcome": DataKey(_("outcome"), choices=outcomes),
        "agree": DataKey(_("agree")),
        "disagree": DataKey(_("disagree")),
        "abstain": DataKey(_("abstain")),
        "present": DataKey(_("members present")),
        "member_count": DataKey(_("members")),
    }.items():
        for event in ("meeting_concluded", meetings.APPROVE_STEP, meetings.RETURN_STEP):
            registry.register_data(key, data_key, event=event)
    for event in (meetings.CONVENE, meetings.VOTE, meetings.CONCLUDE):
        registry.register_data("meeting", DataKey(_("meeting no.")), event=event)
    registry.register_data("committee", DataKey(_("committee")), event=meetings.CONVENE)
    registry.register_data("members", DataKey(_("members")), event=meetings.CONVENE)
    registry.register_data("quorum", DataKey(_("quorum (votes needed)")), event=meetings.CONVENE)
    registry.register_data("vote", DataKey(_("vote"), choices=votes), event=meetings.VOTE)
    registry.register_data("member", DataKey(_("member")), event=meetings.VOTE)
    handover.register(meetings.CONVENE, _members_to_tell)
    handover.register(meetings.VOTE, _nobody)
    handover.register(meetings.CONCLUDE, _nobody)
