"""The handling decision (处理决定) through its services: propose, approval by amount, countersign."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kesu.approvals.authority import approvers_now
from kesu.approvals.models import ApprovalRule, ApprovalStatus
from kesu.approvals.services import decide_approval
from kesu.complaints.models import ComplaintEvent
from kesu.decisions import selectors, services
from kesu.decisions.errors import DecisionConflict, MayNotDecide
from kesu.decisions.models import Decision, DecisionVersion, VersionStatus
from kesu.decisions.services import MoneyIn, RemedyIn, ShareIn
from kesu.organization.models import Role
from kesu.rulebook.services import apply_preset
from tests.conftest import make_staff
from tests.decisions.conftest import investigated, propose

pytestmark = pytest.mark.django_db


def test_furniture_committee_splits_the_repair_budget_70_30_gm_approves_customer_countersigns(furniture):
    """seed 000 4.2.3.3 ④: the committee's responsibility ratio splits the 返修费用预算 between
    factory and customer; 4) the opinion is submitted for approval (the preset: the GM); the
    customer countersigns (客户签字确认)."""
    org = furniture
    complaint = investigated(org)
    version = propose(org, complaint)
    assert version.status == VersionStatus.PROPOSED
    approval = version.approval
    assert approval is not None and approval.step == "decision"
    assert [s.pk for s in approvers_now(approval)] == [org.gm.pk]
    assert selectors.approved_decision_text(complaint=complaint) == ""  # nothing to quote yet

    decide_approval(approval=approval, by=org.gm, approve=True)
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED and version.decided_at is not None

    at = timezone.now() - timedelta(minutes=10)
    services.record_countersign(
        decision=version.decision, by=org.clerk, how="memo", signed_by="刘先生", at=at
    )
    version.refresh_from_db()
    assert (version.customer_answer, version.countersign_how, version.countersigned_by) == (
        "signed",
        "memo",
        "刘先生",
    )
    assert version.answered_at == at

    ledger = {line.line: line for line in selectors.cost_ledger(complaint=complaint)}
    repair = ledger["repair_budget"]
    assert repair.total == Decimal("1000.00")
    assert [(share.label, amount) for share, amount in repair.parts] == [
        ("生产部", Decimal("700.00")),
        ("刘先生", Decimal("300.00")),
    ]
    text = selectors.approved_decision_text(complaint=complaint)
    assert "300.00" in text and "1000.00" in text
    actions = list(complaint.events.values_list("action", flat=True))
    for action in ("decision_proposed", "approval_requested", "approval_decided", "decision_countersigned"):
        assert action in actions
    # Final: no rework after the customer signed.
    with pytest.raises(DecisionConflict):
        propose(org, complaint)


@pytest.fixture
def pcb(org):
    make_staff("saleshead", "孙业务经理", org.sales, Role.DEPARTMENT_HEAD)
    apply_preset(name="pcb")
    return org


@pytest.mark.parametrize(
    ("compensation", "approver"),
    [
        ("0.00", "saleshead"),
        ("4999.99", "saleshead"),
        ("5000.00", "vp"),
        ("49999.99", "vp"),
        ("50000.00", "gm"),
        ("250000.00", "gm"),
    ],
)
def test_pcb_decision_goes_to_the_approver_of_its_amount(pcb, compensation, approver):
    """seed 002 (九)6 依核决权限: sales manager / vice president / general manager (the preset's
    example thresholds 5 000 and 50 000, from inclusive)."""
    complaint = investigated(pcb, "quality")
    version = propose(
        pcb,
        complaint,
        shares=[ShareIn(party="department", department="production", share="100")],
        remedies=[RemedyIn(kind="compensation")],
        money=MoneyIn(compensation=compensation),
    )
    assert version.approval.amount == Decimal(compensation)
    assert [s.user.username for s in approvers_now(version.approval)] == [approver]


def test_amount_at_stake_is_loss_plus_what_the_customer_receives(pcb):
    complaint = investigated(pcb, "quality")
    version = propose(
        pcb,
        complaint,
        remedies=[RemedyIn(kind="refund", amount="1500.00"), RemedyIn(kind="repair", quantity=2)],
        money=MoneyIn(
            loss_amount="3000.00", compensation="600.00", repair_budget="90000.00", freight="80.00"
        ),
    )
    assert version.approval.amount == Decimal("5100.00")  # 3000 + 600 + 1500; budget and freight are costs
    assert [s.user.username for s in approvers_now(version.approval)] == ["vp"]


def test_a_refused_decision_is_reworked_as_a_new_version_and_the_old_one_is_kept(furniture):
    org = furniture
    complaint = investigated(org)
    first = propose(org, complaint)
    with pytest.raises(DecisionConflict):  # one proposal waits for approval at a time
        propose(org, complaint)
    decide_approval(approval=first.approval, by=org.gm, approve=False, reason="比例不合理")
    first.refresh_from_db()
    assert first.status == VersionStatus.REFUSED
    second = propose(
        org,
        complaint,
        shares=[ShareIn(party="department", department="production", share="100")],
        by=org.director,
    )
    assert second.number == 2
    versions = selectors.versions_of(complaint=complaint)
    assert [(v.number, v.status) for v in versions] == [(1, "refused"), (2, "proposed")]
    assert [s.share for s in versions[0].shares.all()] == [Decimal("70.00"), Decimal("30.00")]
    assert selectors.current_decision(complaint=complaint).pk == second.pk


def test_without_any_decision_rule_the_decision_is_approved_at_once_and_the_event_says_so(furniture):
    org = furniture
    ApprovalRule.objects.filter(step="decision").delete()
    complaint = investigated(org)
    version = propose(org, complaint)
    assert version.status == VersionStatus.APPROVED and version.approval is None
    event = complaint.events.get(action="decision_proposed")
    assert "no approval rule" in event.data["approved_without_approval"]


def test_with_rules_for_this_class_but_none_for_this_amount_nothing_is_saved(furniture):
    """A gap in a class's amounts is the administrator's to close, never approved silently."""
    org = furniture
    ApprovalRule.objects.filter(step="decision", category__code="product_quality").update(
        amount_from=Decimal("0"), amount_to=Decimal("500.00")
    )
    complaint = investigated(org)
    with pytest.raises(ValidationError) as caught:
        propose(org, complaint, money=MoneyIn(compensation=Decimal("800.00")))
    assert "amount" in caught.value.message_dict
    assert not DecisionVersion.objects.exists() and not Decision.objects.exists()


def test_a_class_the_rule_book_gives_no_decision_approval_is_decided_at_once(furniture):
    """Furniture's appearance and packaging complaints (seed 000 第一篇 4.2.3.4) are settled with the
    carrier; the seed names no approval of that decision, so the preset has no rule for the class
    and the decision stands when proposed, while a quality opinion still goes to the GM."""
    org = furniture
    assert ApprovalRule.objects.filter(step="decision", category__code="product_quality").exists()
    complaint = investigated(org, code="appearance_packaging")
    version = propose(org, complaint, cause="carrier_damage")
    assert version.status == VersionStatus.APPROVED and version.approval is None
    event = complaint.events.get(action="decision_proposed")
    assert "for this class" in event.data["approved_without_approval"]


def test_the_accused_cannot_propose_nor_can_his_deputy_for_him(furniture):
    """seed 000 第四篇 二(一) 被投诉人应当回避."""
    org = furniture
    complaint = investigated(org, accused=(org.director,))
    with pytest.raises(MayNotDecide, match="回避"):
        propose(org, complaint, by=org.director)
    org.director.absent_from = timezone.now() - timedelta(hours=1)
    org.director.save()
    with pytest.raises(MayNotDecide):  # the clerk, deputy of the accused director
        propose(org, complaint, by=org.clerk)
    with pytest.raises(MayNotDecide):
        propose(org, complaint, by=org.outsider)
    assert not DecisionVersion.objects.exists()
    assert not ComplaintEvent.objects.filter(action="decision_proposed").exists()


def test_the_handler_may_propose(furniture):
    org = furniture
    complaint = investigated(org)
    assert propose(org, complaint, by=org.production_handler).proposed_by == org.production_handler


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"shares": [ShareIn(party="department", department="production", share="99.99")]}, "shares"),
        (
            {
                "shares": [
                    ShareIn(party="department", department="production", share="70.01"),
                    ShareIn(party="customer", share="30.00"),
                ]
            },
            "shares",
        ),
        ({"money": MoneyIn(loss_amount="-1.00")}, "money.loss_amount"),
        ({"money": MoneyIn(freight="abc")}, "money.freight"),
        ({"money": MoneyIn(compensation="1.001")}, "money.compensation"),
        ({"cause": "nonsense"}, "cause"),
        ({"remedies": [RemedyIn(kind="teleport")]}, "remedies.0.kind"),
        ({"shares": [ShareIn(party="carrier", share="100")]}, "shares.0.name"),
        ({"shares": [ShareIn(party="department", department="nowhere", share="100")]}, "shares.0.department"),
        ({"note": "x" * 4001}, "note"),
    ],
)
def test_bad_input_is_a_field_error_and_nothing_is_saved(furniture, overrides, field):
    org = furniture
    complaint = investigated(org)
    events = complaint.events.count()
    with pytest.raises(ValidationError) as caught:
        propose(org, complaint, **overrides)
    assert field in caught.value.message_dict
    assert not Decision.objects.exists() and not DecisionVersion.objects.exists()
    assert complaint.events.count() == events


def test_the_customer_refuses_and_a_rework_follows(furniture):
    """seed 002 (九)9: a customer who does not accept — the refusal is recorded; the desk re-files."""
    org = furniture
    complaint = investigated(org)
    version = propose(org, complaint)
    with pytest.raises(DecisionConflict):  # not approved yet: nothing to put to the customer
        services.record_refusal(decision=version.decision, by=org.clerk, reason="不同意承担30%")
    decide_approval(approval=version.approval, by=org.gm, approve=True)
    with pytest.raises(ValidationError):
        services.record_refusal(decision=version.decision, by=org.clerk, reason="  ")
    services.record_refusal(decision=version.decision, by=org.clerk, reason="不同意承担30%")
    version.refresh_from_db()
    assert version.customer_answer == "refused" and version.refusal_reason == "不同意承担30%"
    assert complaint.events.get(action="decision_refused_by_customer").comment == "不同意承担30%"
    with pytest.raises(DecisionConflict):  # answered once
        services.record_countersign(
            decision=version.decision, by=org.clerk, how="phone", signed_by="刘先生", at=timezone.now()
        )
    assert propose(org, complaint).number == 2


def test_a_countersign_in_the_future_or_of_an_unknown_kind_is_refused(furniture):
    org = furniture
    complaint = investigated(org)
    version = propose(org, complaint)
    decide_approval(approval=version.approval, by=org.gm, approve=True)
    with pytest.raises(ValidationError) as caught:
        services.record_countersign(
            decision=version.decision,
            by=org.clerk,
            how="fax",
            signed_by="",
            at=timezone.now() + timedelta(days=1),
        )
    assert set(caught.value.message_dict) == {"how", "signed_by", "at"}
    version.refresh_from_db()
    assert version.customer_answer == ""
    assert version.approval.status == ApprovalStatus.APPROVED


def test_the_deputy_of_an_absent_director_proposes_for_him_and_the_timeline_says_so(furniture):
    org = furniture
    complaint = investigated(org)
    org.director.absent_from = timezone.now() - timedelta(hours=1)
    org.director.save()
    version = propose(org, complaint, by=org.clerk)  # the clerk is the director's deputy
    assert version.proposed_by == org.clerk
    event = complaint.events.get(action="decision_proposed")
    assert (event.actor, event.acting_for) == (org.clerk, org.director)


def test_a_proposed_version_cannot_be_rewritten(furniture):
    org = furniture
    version = propose(org, investigated(org))
    version.repair_budget = Decimal("1.00")
    with pytest.raises(ValueError, match="immutable"):
        version.save()
    with pytest.raises(ValueError, match="immutable"):
        version.save(update_fields=["repair_budget"])
    version.refresh_from_db()
    assert version.repair_budget == Decimal("1000.00")


def test_who_may_propose_is_readable_for_a_page_or_an_action_list(furniture):
    org = furniture
    complaint = investigated(org, accused=(org.director,))
    allowed = {
        s.user.username
        for s in (org.production_head, org.production_handler, org.director, org.clerk, org.outsider, org.gm)
        if selectors.proposing_capacity(complaint=complaint, staff=s) is not None
    }
    assert allowed == {"prodhead", "prodhandler"}  # the director is accused (回避)
