"""The law firm's partners' meeting (合伙人会议) — a collective decision by vote — walked with the
seed's roles under the lawfirm preset. Seed 000 第四篇 二 (二) 重大事项应由所务会议或合伙人会议讨论决定,
二 (四) 涉及原则性问题或重大问题的投诉，应召开所务会议或合伙人会议讨论处理方案, 二 (一) 被投诉人应当回避.

The firm: the director (主任, Kesu's general manager) and two partners in charge (业务分管合伙人,
Kesu's vice presidents); the designated responsible person (专门负责人) at the desk. The seed is
silent on quorum and majority: the preset's choice is more than half of the partners present and
more than half of those present agreeing (kesu.committees.voting)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from kesu.committees import meetings, voting
from kesu.committees.errors import CommitteeConflict
from kesu.committees.models import CommitteeRule, Meeting, MeetingStatus
from kesu.complaints import services
from kesu.complaints.actions import perform_action
from kesu.complaints.models import Category, Complaint, ComplaintEvent, Severity, Status
from kesu.complaints.workflow import allowed_actions
from kesu.core.errors import ActionNotAllowed
from kesu.notifications.models import Notification
from kesu.organization.models import Role, Staff
from kesu.organization.selectors import capacities_of
from kesu.rulebook.services import apply_preset
from tests.api.conftest import client_for, token_for  # noqa: F401 (fixtures)
from tests.conftest import Org, intake, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages these tests match are the English ones, whatever a previous test activated."""
    with translation.override("en"):
        yield


@dataclass
class Firm:
    """The test company's people (tests.conftest.Org) and a second partner in charge."""

    org: Org
    vp2: Staff

    def __getattr__(self, name: str) -> Any:
        return getattr(self.org, name)


@pytest.fixture
def firm(org: Org) -> Firm:
    apply_preset(name="lawfirm")
    return Firm(org, make_staff("vp2", "孙合伙人", org.gm.department, Role.VICE_PRESIDENT))


def major(org: Firm, *, accused: list[Staff] | None = None, severity: str = "major") -> Complaint:
    """A major complaint up to the partner in charge's signed opinion (二 (六))."""
    complaint = services.register_complaint(
        by=org.clerk,
        intake=intake(
            category=Category.objects.get(code="complaint"), severity=Severity.objects.get(code=severity)
        ),
    )
    if accused:
        complaint.accused_staff.add(*accused)
    complaint = Complaint.objects.get(pk=complaint.pk)
    partner = org.vp if org.vp not in (accused or []) else org.vp2
    for action, by, inputs in [
        ("propose_transfer", org.director, {"to_department": "gm-office", "reason": "转分管合伙人"}),
        ("accept_transfer", partner, {}),
        ("start_investigation", partner, {}),
        ("propose_resolution", partner, {"resolution": "退还部分律师费"}),
    ]:
        complaint = perform_action(complaint=complaint, action=action, by=by, inputs=inputs, version=None)
    assert complaint.status == Status.RESOLUTION_PROPOSED
    return complaint


def act(complaint: Complaint, action: str, by: Staff, **inputs: str) -> Complaint:
    return perform_action(
        complaint=Complaint.objects.get(pk=complaint.pk), action=action, by=by, inputs=inputs, version=None
    )


def may(complaint: Complaint, staff: Staff) -> set[str]:
    return set(
        allowed_actions(
            complaint=Complaint.objects.get(pk=complaint.pk), capacities=capacities_of(staff=staff)
        )
    )


# ---------------------------------------------------------------------------------------------
# The arithmetic: each boundary


@pytest.mark.parametrize(
    ("members", "agree", "disagree", "abstain", "final", "expected"),
    [
        (3, 1, 0, 0, False, None),  # 1 of 3 present: no quorum yet
        (3, 2, 0, 0, False, "approved"),  # 2 of 3 agree: a majority of every member, certain
        (3, 1, 1, 0, False, None),  # the third vote decides
        (3, 0, 2, 0, False, "rejected"),  # even the third agreeing makes 1 of 3
        (3, 1, 1, 1, False, "rejected"),  # 1 of 3 present agrees: not more than half
        (3, 1, 0, 1, True, "rejected"),  # ended with 2 present, 1 agrees: exactly half is not a majority
        (3, 1, 0, 0, True, "no_quorum"),  # ended with 1 of 3 present: half is not more than half
        (4, 2, 0, 0, True, "no_quorum"),  # 2 of 4 present: exactly half, no quorum
        (4, 2, 1, 0, True, "approved"),  # 3 of 4 present, 2 of 3 agree
        (2, 1, 0, 0, False, None),  # 1 of 2: no quorum yet
        (2, 1, 1, 0, False, "rejected"),  # 1 of 2 present agree: exactly half
        (2, 2, 0, 0, False, "approved"),
    ],
)
def test_quorum_and_simple_majority_at_each_boundary(members, agree, disagree, abstain, final, expected):
    tally = voting.Tally(members=members, agree=agree, disagree=disagree, abstain=abstain)
    assert voting.outcome(tally, quorum_percent=50, majority_percent=50, final=final) == expected


def test_the_preset_cites_the_seed_and_says_it_is_silent_on_quorum_and_majority(firm):
    """The numbers the rule book holds: the seed gives none, the preset says so and states its choice."""
    rule = CommitteeRule.objects.get(is_active=True, decides_by="vote")
    assert (rule.name, rule.severity.code, rule.convenor_role) == (
        "合伙人会议",
        "major",
        Role.GENERAL_MANAGER,
    )
    assert (rule.quorum_percent, rule.majority_percent) == (50, 50)
    assert "二 (二)" in rule.source and "silent" in rule.source
    assert [s.role for s in rule.seats.order_by("position")] == [Role.GENERAL_MANAGER, Role.VICE_PRESIDENT]
    seed = Path("/work/shared/seeds/000_complaint_management_and_assessment.txt").read_text(encoding="utf-8")
    assert "重大事項應由所務會議或合伙人會議討論決定" in seed
    assert "法定人数" not in seed and "過半數" not in seed and "过半数" not in seed  # silent indeed


# ---------------------------------------------------------------------------------------------
# The seed's procedure


def test_a_major_complaint_is_decided_by_the_partners_meeting(firm, django_capture_on_commit_callbacks):
    """二 (二)/(四): the partner in charge signs the opinion; the director convenes the partners'
    meeting; each partner votes; more than half present agreeing decides; then the desk replies
    in writing (二 (七) 5)."""
    complaint = major(firm)
    # nobody decides alone, and nothing is promised before the decision (二 (七) 3)
    assert "approve_resolution" not in may(complaint, firm.gm)
    with pytest.raises(ActionNotAllowed, match="合伙人会议"):
        act(complaint, "approve_resolution", firm.gm)
    with pytest.raises(ActionNotAllowed):
        act(complaint, "reply_to_customer", firm.clerk, reply="x", channel="letter", satisfaction="satisfied")
    assert "convene_meeting" in may(complaint, firm.gm) and "convene_meeting" not in may(complaint, firm.vp)

    with django_capture_on_commit_callbacks(execute=True):
        complaint = act(complaint, "convene_meeting", firm.gm, comment="讨论处理方案")
    meeting = Meeting.objects.get(complaint=complaint)
    assert [v.staff for v in meeting.votes.order_by("position")] == [firm.gm, firm.vp2, firm.vp]
    # the members are told once each (the convenor, who acted, is not)
    told = Notification.objects.filter(complaint=complaint, kind=Notification.Kind.HANDOVER)
    assert sorted(told.values_list("recipient__user__username", flat=True)) == ["vp", "vp2"]
    assert "合伙人会议" in told.first().title

    complaint = act(complaint, "vote_in_meeting", firm.vp, vote="disagree", comment="退费比例过高")
    assert complaint.status == Status.RESOLUTION_PROPOSED
    complaint = act(complaint, "vote_in_meeting", firm.gm, vote="agree", comment="同意")
    assert complaint.status == Status.RESOLUTION_PROPOSED  # 1 to 1: the third partner decides
    with django_capture_on_commit_callbacks(execute=True):
        complaint = act(complaint, "vote_in_meeting", firm.vp2, vote="agree")
    assert complaint.status == Status.RESOLUTION_APPROVED
    meeting.refresh_from_db()
    assert (meeting.status, meeting.outcome) == (MeetingStatus.CONCLUDED, "approved")
    entries = list(ComplaintEvent.objects.filter(complaint=complaint).order_by("pk"))
    assert [e.action for e in entries[-6:]] == [
        "convene_meeting",
        "vote_in_meeting",
        "vote_in_meeting",
        "vote_in_meeting",
        "meeting_concluded",
        "approve_resolution",
    ]
    assert [e.data["vote"] for e in entries[-5:-2]] == ["disagree", "agree", "agree"]
    assert entries[-2].data["outcome"] == "approved"
    assert (entries[-2].data["agree"], entries[-2].data["disagree"], entries[-2].data["present"]) == (2, 1, 3)
    # the desk that registered it is told to reply, once
    assert list(
        Notification.objects.filter(dedup_key=f"handover:{entries[-1].pk}").values_list(
            "recipient__user__username", flat=True
        )
    ) == ["clerk"]
    complaint = act(
        complaint,
        "reply_to_customer",
        firm.director,
        reply="书面回复",
        channel="letter",
        satisfaction="satisfied",
    )
    assert complaint.status == Status.REPLIED


def test_a_majority_against_sends_the_opinion_back_with_the_reasons(firm):
    complaint = major(firm)
    complaint = act(complaint, "convene_meeting", firm.gm)
    complaint = act(complaint, "vote_in_meeting", firm.vp, vote="disagree", comment="事实未查清")
    complaint = act(complaint, "vote_in_meeting", firm.vp2, vote="disagree", comment="应先与投诉人面谈")
    # 0 agree, 2 against of 3: even the director agreeing could not make a majority
    assert complaint.status == Status.INVESTIGATING
    back = complaint.events.order_by("-pk").first()
    assert back.action == "return_resolution" and "事实未查清" in back.comment and "面谈" in back.comment
    assert Meeting.objects.get(complaint=complaint).outcome == "rejected"
    # the partner reworks the opinion and a second meeting decides it
    complaint = act(complaint, "propose_resolution", firm.vp, resolution="面谈后退还部分费用")
    complaint = act(complaint, "convene_meeting", firm.gm)
    assert Meeting.objects.get(complaint=complaint, status="open").round == 2


def test_without_a_quorum_nothing_is_decided_and_the_director_convenes_again(firm):
    complaint = major(firm)
    complaint = act(complaint, "convene_meeting", firm.gm)
    complaint = act(complaint, "vote_in_meeting", firm.vp, vote="agree")
    assert "conclude_meeting" in may(complaint, firm.gm) and "conclude_meeting" not in may(complaint, firm.vp)
    complaint = act(complaint, "conclude_meeting", firm.gm, comment="两位合伙人出差")
    assert complaint.status == Status.RESOLUTION_PROPOSED  # 1 of 3 present: no quorum, no decision
    entry = complaint.events.filter(action="meeting_concluded").get()
    assert entry.data["outcome"] == "no_quorum" and entry.data["present"] == 1
    assert "vote_in_meeting" not in may(complaint, firm.vp2)
    complaint = act(complaint, "convene_meeting", firm.gm)
    assert Meeting.objects.filter(complaint=complaint).count() == 2


def test_an_abstention_is_present_but_does_not_agree(firm):
    complaint = major(firm)
    complaint = act(complaint, "convene_meeting", firm.gm)
    complaint = act(complaint, "vote_in_meeting", firm.vp, vote="abstain", comment="回避利益冲突")
    complaint = act(complaint, "vote_in_meeting", firm.gm, vote="agree")
    complaint = act(complaint, "conclude_meeting", firm.gm)
    # 2 of 3 present (quorum), 1 of 2 agrees: exactly half is no majority
    assert complaint.status == Status.INVESTIGATING
    assert Meeting.objects.get(complaint=complaint).outcome == "rejected"


# ---------------------------------------------------------------------------------------------
# Recusal (二 (一) 被投诉人应当回避) and deputies


def test_the_partner_complained_about_neither_sits_nor_votes(firm, django_capture_on_commit_callbacks):
    complaint = major(firm, accused=[firm.vp])
    with django_capture_on_commit_callbacks(execute=True):
        complaint = act(complaint, "convene_meeting", firm.gm)
    meeting = Meeting.objects.get(complaint=complaint)
    assert {v.staff for v in meeting.votes.all()} == {firm.gm, firm.vp2}
    told = Notification.objects.filter(complaint=complaint, kind=Notification.Kind.HANDOVER)
    assert list(told.values_list("recipient__user__username", flat=True)) == ["vp2"]
    assert "vote_in_meeting" not in may(complaint, firm.vp)
    with pytest.raises(ActionNotAllowed, match="回避"):
        act(complaint, "vote_in_meeting", firm.vp, vote="agree")
    complaint = act(complaint, "vote_in_meeting", firm.gm, vote="agree")
    complaint = act(complaint, "vote_in_meeting", firm.vp2, vote="agree")
    assert complaint.status == Status.RESOLUTION_APPROVED


def test_when_the_director_is_complained_about_another_partner_convenes(firm):
    """二 (二) 如分管合伙人不在，则由主任或其他合伙人处理: the preset's recusal substitute convenes."""
    complaint = major(firm, accused=[firm.gm])
    assert "convene_meeting" not in may(complaint, firm.gm)
    complaint = act(complaint, "convene_meeting", firm.vp)
    meeting = Meeting.objects.get(complaint=complaint)
    assert firm.gm not in {v.staff for v in meeting.votes.all()}
    complaint = act(complaint, "vote_in_meeting", firm.vp, vote="agree")
    complaint = act(complaint, "vote_in_meeting", firm.vp2, vote="agree")
    assert complaint.status == Status.RESOLUTION_APPROVED


def test_a_meeting_that_could_never_reach_its_quorum_is_refused(firm):
    """The rule cannot be met: every member it seats is complained about. Nothing is saved."""
    rule = CommitteeRule.objects.get(is_active=True, decides_by="vote")
    rule.seats.filter(role=Role.GENERAL_MANAGER).delete()
    complaint = major(firm)
    complaint.accused_staff.add(firm.vp, firm.vp2)  # both partners in charge, found out late
    before = complaint.events.count()
    with pytest.raises(CommitteeConflict, match="0"):
        act(complaint, "convene_meeting", firm.gm)
    assert not Meeting.objects.exists() and complaint.events.count() == before


def test_an_absent_partner_is_told_through_the_deputy_who_votes_for_them(
    firm, django_capture_on_commit_callbacks
):
    firm.vp2.deputy = firm.director
    firm.vp2.absent_from = timezone.now() - timedelta(days=1)
    firm.vp2.absent_until = timezone.now() + timedelta(days=2)
    firm.vp2.save()
    complaint = major(firm)
    with django_capture_on_commit_callbacks(execute=True):
        complaint = act(complaint, "convene_meeting", firm.gm)
    told = Notification.objects.filter(complaint=complaint, kind=Notification.Kind.HANDOVER)
    assert sorted(told.values_list("recipient__user__username", flat=True)) == ["director", "vp"]
    assert firm.vp2.display_name in told.get(recipient=firm.director).body
    complaint = act(complaint, "vote_in_meeting", firm.director, vote="agree", comment="代孙合伙人表决")
    vote = Meeting.objects.get(complaint=complaint).votes.get(staff=firm.vp2)
    assert (vote.vote, vote.cast_by) == ("agree", firm.director)
    assert complaint.events.order_by("-pk").first().acting_for == firm.vp2


# ---------------------------------------------------------------------------------------------
# Who may do what, and bad input


def test_who_may_do_what(firm):
    complaint = major(firm)
    for person in (firm.clerk, firm.director, firm.vp, firm.production_head, firm.outsider):
        with pytest.raises(ActionNotAllowed):
            act(complaint, "convene_meeting", person)
    with pytest.raises(ActionNotAllowed, match="No meeting"):
        act(complaint, "vote_in_meeting", firm.vp, vote="agree")
    complaint = act(complaint, "convene_meeting", firm.gm)
    with pytest.raises(ActionNotAllowed, match="already"):
        act(complaint, "convene_meeting", firm.gm)
    for person in (firm.clerk, firm.director, firm.production_head, firm.outsider):
        with pytest.raises(ActionNotAllowed):
            act(complaint, "vote_in_meeting", person, vote="agree")
        with pytest.raises(ActionNotAllowed):
            act(complaint, "conclude_meeting", person)
    with pytest.raises(ActionNotAllowed):
        act(complaint, "conclude_meeting", firm.vp)
    complaint = act(complaint, "vote_in_meeting", firm.vp, vote="agree")
    with pytest.raises(CommitteeConflict, match="already"):
        act(complaint, "vote_in_meeting", firm.vp, vote="disagree", comment="改主意")


MEETING_STEPS = {
    "convene_meeting",
    "vote_in_meeting",
    "conclude_meeting",
    "approve_resolution",
    "return_resolution",
}


@pytest.mark.parametrize("convened", [False, True], ids=["before", "voting"])
def test_role_action_matrix_of_the_meeting_steps(firm, convened):
    """Who is offered each meeting step (and the approve step it replaces), persona by persona."""
    complaint = major(firm)
    if convened:
        complaint = act(complaint, "convene_meeting", firm.gm)
    expected = {
        "clerk": set(),
        "director": set(),
        "gm": {"vote_in_meeting", "conclude_meeting"} if convened else {"convene_meeting"},
        "vp": {"vote_in_meeting"} if convened else set(),
        "vp2": {"vote_in_meeting"} if convened else set(),
        "production_head": set(),
        "auditor": set(),
        "outsider": set(),
    }
    for persona, steps in expected.items():
        assert may(complaint, getattr(firm, persona)) & MEETING_STEPS == steps, persona


def test_a_normal_complaint_has_no_meeting_and_other_presets_none(firm):
    complaint = major(firm, severity="normal")
    assert not {"convene_meeting", "vote_in_meeting", "conclude_meeting"} & may(complaint, firm.gm)
    apply_preset(name="furniture")
    assert meetings.meeting_rule_for(complaint) is None


@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        ({}, "vote"),
        ({"vote": "maybe"}, "vote"),
        ({"vote": ["agree"]}, "vote"),
        ({"vote": "disagree"}, "comment"),  # a dissent says why
        ({"vote": "agree", "comment": "x" * 5000}, "comment"),
    ],
)
def test_a_bad_vote_is_a_field_error_and_nothing_is_saved(firm, inputs, field):
    complaint = act(major(firm), "convene_meeting", firm.gm)
    before = complaint.events.count()
    with pytest.raises(ValidationError) as caught:
        act(complaint, "vote_in_meeting", firm.vp, **inputs)
    assert field in caught.value.message_dict
    assert complaint.events.count() == before
    assert not Meeting.objects.get(complaint=complaint).votes.exclude(vote="").exists()


def test_a_vote_rule_with_a_seat_that_is_no_partner_is_refused_when_saved(firm):
    rule = CommitteeRule.objects.get(is_active=True, decides_by="vote")
    seat = rule.seats.first()
    seat.role = Role.DESK_CLERK
    with pytest.raises(ValidationError):
        seat.full_clean()
    rule.convenor_role = Role.DEPARTMENT_HEAD
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert "convenor_role" in caught.value.message_dict


def test_an_edited_quorum_applies_to_the_next_meeting(firm):
    """A rule book edited in the admin changes the next meeting, not one already voting."""
    complaint = act(major(firm), "convene_meeting", firm.gm)
    rule = CommitteeRule.objects.get(is_active=True, decides_by="vote")
    rule.majority_percent = 66
    rule.save()
    complaint = act(complaint, "vote_in_meeting", firm.vp, vote="agree")
    complaint = act(complaint, "vote_in_meeting", firm.gm, vote="agree")
    assert complaint.status == Status.RESOLUTION_APPROVED  # 2 of 3 > 50 % (the meeting's rule)
    other = act(major(firm), "convene_meeting", firm.gm)
    assert Meeting.objects.get(complaint=other).majority_percent == 66


# ---------------------------------------------------------------------------------------------
# API and CLI: the same actions


def test_the_api_takes_the_meeting_actions(firm, client_for):  # noqa: F811
    complaint = major(firm)
    url = f"/api/v1/complaints/{complaint.number}/actions"

    def post(person: Staff, action: str, **inputs: str) -> Any:
        version = Complaint.objects.get(pk=complaint.pk).version
        return client_for(person).post(url, {"action": action, "version": version, "inputs": inputs})

    answer = post(firm.gm, "convene_meeting", comment="议程")
    assert answer.status_code == 200, answer.content
    assert [e["action"] for e in answer.json()["timeline"]][-1] == "convene_meeting"
    assert post(firm.vp, "vote_in_meeting", vote="maybe").status_code == 422
    assert post(firm.vp, "vote_in_meeting", vote="disagree").status_code == 422  # no reason given
    assert post(firm.clerk, "vote_in_meeting", vote="agree").status_code == 403
    assert post(firm.vp, "convene_meeting").status_code == 403
    for person in (firm.vp, firm.vp2):
        answer = post(person, "vote_in_meeting", vote="agree", comment="同意")
        assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == Status.RESOLUTION_APPROVED
    actions = [e["action"] for e in answer.json()["timeline"]]
    assert actions[-2:] == ["meeting_concluded", "approve_resolution"]
    detail = client_for(firm.clerk).get(f"/api/v1/complaints/{complaint.number}").json()
    [meeting] = detail["meetings"]
    assert (meeting["name"], meeting["outcome"], meeting["quorum_percent"]) == ("合伙人会议", "approved", 50)
    assert [(v["member"]["username"], v["vote"]) for v in meeting["votes"]] == [
        ("gm", ""),
        ("vp2", "agree"),
        ("vp", "agree"),
    ]


def test_kesu_act_takes_the_meeting_actions(firm):
    complaint = major(firm)

    def kesu_act(*args: str) -> str:
        out = StringIO()
        call_command("act", complaint.number, *args, stdout=out)
        return out.getvalue()

    kesu_act("convene_meeting", "--as", "gm")
    with pytest.raises(CommandError):
        kesu_act("vote_in_meeting", "--as", "vp", "--input", "vote=maybe")
    kesu_act("vote_in_meeting", "--as", "vp", "--input", "vote=agree")
    kesu_act("vote_in_meeting", "--as", "vp2", "--input", "vote=agree")
    assert Complaint.objects.get(pk=complaint.pk).status == Status.RESOLUTION_APPROVED


def test_the_complaint_page_costs_the_same_queries_with_more_meetings_and_partners(firm, client):
    """The complaint page with its meeting panel and the meeting actions: a constant number of
    queries whatever the number of meetings held and partners voting."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    complaint = act(major(firm), "convene_meeting", firm.gm)
    client.force_login(firm.vp.user)
    path = reverse("complaint-detail", args=[complaint.number])

    def count() -> int:
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            html = client.get(path).content.decode()
        assert "meeting-1" in html and "action-vote_in_meeting" in html
        return len(captured.captured_queries)

    few = count()
    for n in range(4):
        make_staff(f"partner{n}", f"合伙人{n}", firm.gm.department, Role.VICE_PRESIDENT)
    for _round in range(2):
        complaint = act(complaint, "conclude_meeting", firm.gm)  # no quorum
        complaint = act(complaint, "convene_meeting", firm.gm)
    assert Meeting.objects.get(complaint=complaint, status="open").votes.count() == 7
    assert count() == few
