"""The quality complaint committee (产品质量投诉处理委员会), seed 000 第一篇 4.2.3.3 2), walked with the
seed's roles under the furniture preset: the production manager convenes it, the related sales
manager records the on-site memo 《客户产品质量投诉处理备忘单》 with photos, the committee determines
a 70/30 factory/customer split of a 1 000.00 yuan repair budget, every member agrees (the memo is
complete: its clock is met by the 2nd working day), the GM approves, the customer countersigns."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kesu.approvals.authority import approvers_now
from kesu.approvals.services import decide_approval
from kesu.committees import services
from kesu.committees.errors import CommitteeConflict, MayNotAct
from kesu.committees.models import Committee, CommitteeRule, CommitteeStatus
from kesu.committees.services import EvidenceIn
from kesu.complaints import services as complaint_services
from kesu.complaints.models import Category, Status
from kesu.deadlines.models import ClockState, ComplaintClock
from kesu.decisions import selectors as decision_selectors
from kesu.decisions import services as decision_services
from kesu.decisions.models import DecisionVersion, VersionStatus
from kesu.decisions.services import MoneyIn, RemedyIn, ShareIn
from kesu.rulebook.services import apply_preset
from tests.conftest import Org, advance, intake, local

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32
SPLIT_70_30 = [
    ShareIn(party="department", department="production", share="70"),
    ShareIn(party="customer", name="刘先生", share="30"),
]


@pytest.fixture
def furniture(org: Org) -> Org:
    apply_preset(name="furniture")
    return org


def quality_complaint(org: Org):
    complaint = complaint_services.register_complaint(
        by=org.clerk, intake=intake(category=Category.objects.get(code="product_quality"))
    )
    return advance(complaint, org, Status.INVESTIGATING)


def convened(org: Org, complaint=None) -> Committee:
    complaint = complaint or quality_complaint(org)
    return services.convene_committee(
        complaint=complaint, by=org.production_head, members={"1": "prodhead", "2": "outsider"}
    )


def with_evidence(org: Org, committee: Committee) -> Committee:
    photo = complaint_services.add_attachment(
        complaint=committee.complaint, by=org.clerk, upload=SimpleUploadedFile("扶手开裂.png", PNG)
    )
    return services.record_evidence(
        committee=committee,
        by=org.outsider,  # 陈销售, the related sales manager (the sales department)
        evidence=EvidenceIn(
            facts="扶手接缝开裂约5厘米，胶合不良", customer_statement="正常使用三个月", photos=(photo.pk,)
        ),
    )


def determine(org: Org, committee: Committee, **overrides) -> Committee:
    fields = {
        "cause": "quality_defect",
        "shares": SPLIT_70_30,
        "remedies": [RemedyIn(kind="repair", quantity=1)],
        "money": MoneyIn(repair_budget="1000.00"),
        "delivery_memo": "返修7天内交货，物流部送货上门",
    }
    fields.update(overrides)
    return services.record_determination(committee=committee, by=org.production_head, **fields)


def test_the_furniture_committee_decides_70_30_members_agree_gm_approves_customer_countersigns(furniture):
    """seed 000 4.2.3.3 2) ②–⑦ and 4): the whole external handling, clause by clause."""
    org = furniture
    accepted_at = local(2026, 11, 16, 10)  # a Monday
    with time_machine.travel(accepted_at, tick=False):
        complaint = quality_complaint(org)
    # ⑦ the memo is due by the end of the 2nd working day after the production manager received it
    memo = ComplaintClock.objects.get(complaint=complaint, kind="resolution")
    assert memo.due_at == local(2026, 11, 18, 17, 30)

    with time_machine.travel(local(2026, 11, 17, 9), tick=False):
        # ② the production manager convenes, naming the related sales manager
        committee = convened(org, complaint)
        assert [(m.label, m.staff) for m in committee.members.all()] == [
            ("生产部经理（召集人）", org.production_head),
            ("关联销售经理", org.outsider),
        ]
        # ③ the sales manager's on-site memo, with the photo among the complaint's attachments
        committee = with_evidence(org, committee)
        assert [p.original_name for p in committee.photos.all()] == ["扶手开裂.png"]
        # ④ the determination: 70/30, repair budget 1 000.00, the repair/delivery memo
        committee = determine(org, committee)
        draft = committee.determination
        assert draft.status == VersionStatus.DRAFT and draft.approval is None
        # each member's agreement
        services.record_agreement(committee=committee, by=org.production_head, agree=True)
        assert DecisionVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT  # one still to agree
        services.record_agreement(committee=committee, by=org.outsider, agree=True, comment="客户已口头认可")

    committee.refresh_from_db()
    assert committee.status == CommitteeStatus.AGREED
    memo.refresh_from_db()
    assert memo.state == ClockState.MET and memo.stopped_at <= memo.due_at
    # 4) the determination goes to approval: the GM (the preset's approver of quality decisions)
    version = DecisionVersion.objects.get(pk=draft.pk)
    assert version.status == VersionStatus.PROPOSED
    assert [s.pk for s in approvers_now(version.approval)] == [org.gm.pk]
    decide_approval(approval=version.approval, by=org.gm, approve=True)
    # ⑤ the customer countersigns
    decision_services.record_countersign(
        decision=version.decision,
        by=org.clerk,
        how="memo",
        signed_by="刘先生",
        at=timezone.now() - timedelta(minutes=5),
    )
    repair = {line.line: line for line in decision_selectors.cost_ledger(complaint=complaint)}[
        "repair_budget"
    ]
    assert [(share.label, amount) for share, amount in repair.parts] == [
        ("生产部", Decimal("700.00")),
        ("刘先生", Decimal("300.00")),
    ]
    actions = list(complaint.events.order_by("at", "pk").values_list("action", flat=True))
    for action in (
        "committee_convened",
        "evidence_memo_recorded",
        "decision_drafted",
        "committee_determined",
        "committee_member_agreed",
        "committee_agreed",
        "decision_proposed",
        "approval_decided",
        "decision_countersigned",
    ):
        assert action in actions
    assert actions.index("committee_agreed") < actions.index("decision_proposed")


def test_a_member_who_disagrees_sends_the_committee_back_to_discuss(furniture):
    """⑥ 反馈委员会再行讨论，直至达成共识: a new determination, every member answers again."""
    org = furniture
    committee = determine(org, with_evidence(org, convened(org)))
    services.record_agreement(committee=committee, by=org.production_head, agree=True)
    with pytest.raises(ValidationError) as error:
        services.record_agreement(committee=committee, by=org.outsider, agree=False)
    assert "comment" in error.value.message_dict  # a disagreement says why
    services.record_agreement(committee=committee, by=org.outsider, agree=False, comment="客户只接受20%")
    committee.refresh_from_db()
    assert committee.status == CommitteeStatus.DETERMINED
    assert committee.determination.status == VersionStatus.DRAFT
    with pytest.raises(CommitteeConflict):  # answered already
        services.record_agreement(committee=committee, by=org.outsider, agree=True)

    committee = determine(
        org,
        committee,
        shares=[
            ShareIn(party="department", department="production", share="80"),
            ShareIn(party="customer", name="刘先生", share="20"),
        ],
    )
    assert committee.determination.number == 2
    assert {m.agreement for m in committee.members.all()} == {""}  # everyone answers anew
    services.record_agreement(committee=committee, by=org.production_head, agree=True)
    services.record_agreement(committee=committee, by=org.outsider, agree=True)
    assert DecisionVersion.objects.get(number=2).status == VersionStatus.PROPOSED


def test_who_may_do_what(furniture):
    org = furniture
    complaint = quality_complaint(org)
    with pytest.raises(MayNotAct):  # only the convenor (the production manager) convenes
        services.convene_committee(
            complaint=complaint, by=org.clerk, members={"1": "prodhead", "2": "outsider"}
        )
    committee = convened(org, complaint)
    with pytest.raises(CommitteeConflict):
        convened(org, complaint)
    with pytest.raises(MayNotAct):  # only the member collecting evidence records the memo
        services.record_evidence(committee=committee, by=org.production_head, evidence=EvidenceIn(facts="x"))
    with pytest.raises(CommitteeConflict):  # no determination before the evidence memo
        determine(org, committee)
    with_evidence(org, committee)
    with pytest.raises(MayNotAct):  # only the convenor records the determination
        services.record_determination(
            committee=committee,
            by=org.outsider,
            cause="quality_defect",
            shares=SPLIT_70_30,
            remedies=[RemedyIn(kind="repair")],
            money=MoneyIn(),
            delivery_memo="x",
        )
    with pytest.raises(CommitteeConflict):  # nothing to agree to yet
        services.record_agreement(committee=committee, by=org.outsider, agree=True)
    determine(org, committee)
    with pytest.raises(MayNotAct):  # not a member
        services.record_agreement(committee=committee, by=org.gm, agree=True)


@pytest.mark.parametrize(
    ("members", "field"),
    [
        ({"1": "prodhead"}, "members.2"),  # a seat left empty
        ({"1": "prodhead", "2": "nobody"}, "members.2"),  # unknown person
        ({"1": "qualityhead", "2": "outsider"}, "members.1"),  # not the responsible department's head
        ({"1": "prodhead", "2": "clerk"}, "members.2"),  # not in the sales department
        ({"1": "prodhead", "2": "outsider", "9": "gm"}, "members"),  # no such seat
    ],
)
def test_bad_members_are_field_errors_and_nothing_is_saved(furniture, members, field):
    org = furniture
    complaint = quality_complaint(org)
    events = complaint.events.count()
    with pytest.raises(ValidationError) as error:
        services.convene_committee(complaint=complaint, by=org.production_head, members=members)
    assert field in error.value.message_dict
    assert not Committee.objects.exists() and complaint.events.count() == events


def test_a_bad_determination_saves_nothing(furniture):
    """Shares not adding up to 100 %: the decision's own check, nothing half-saved."""
    org = furniture
    committee = with_evidence(org, convened(org))
    events = committee.complaint.events.count()
    with pytest.raises(ValidationError) as error:
        determine(
            org,
            committee,
            shares=[ShareIn(party="department", department="production", share="70")],
        )
    assert "shares" in error.value.message_dict
    committee.refresh_from_db()
    assert committee.determination is None and committee.status == CommitteeStatus.CONVENED
    assert not DecisionVersion.objects.exists() and committee.complaint.events.count() == events
    with pytest.raises(ValidationError) as error:
        determine(org, committee, delivery_memo=" ")
    assert "delivery_memo" in error.value.message_dict


def test_photos_are_the_complaints_own_attachments(furniture):
    org = furniture
    committee = convened(org)
    other = quality_complaint(org)
    foreign = complaint_services.add_attachment(
        complaint=other, by=org.clerk, upload=SimpleUploadedFile("别的.png", PNG)
    )
    with pytest.raises(ValidationError) as error:
        services.record_evidence(
            committee=committee, by=org.outsider, evidence=EvidenceIn(facts="x", photos=(foreign.pk,))
        )
    assert "photos" in error.value.message_dict


def test_only_furniture_has_a_committee_and_it_cites_its_seed():
    """The law firm's rule decides by vote (its partners' meeting, tests/committees/test_meetings.py),
    not by a committee's agreement."""
    for name in ("pcb", "telecom", "liquor", "lawfirm"):
        apply_preset(name=name)
        assert not CommitteeRule.objects.filter(is_active=True, decides_by="agreement").exists(), name
    apply_preset(name="furniture")
    rule = CommitteeRule.objects.get(is_active=True)
    assert rule.category.code == "product_quality" and "4.2.3.3" in rule.source
    assert [s.collects_evidence for s in rule.seats.order_by("position")] == [False, True]
