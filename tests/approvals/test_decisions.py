"""Deciding an approval: levels in sequence, all-of (会签) and any-of (或签), deputies, recusal."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kesu.approvals.errors import ApprovalClosed, NotAnApprover
from kesu.approvals.models import ApprovalRule, ApprovalStatus
from kesu.approvals.selectors import approvals_waiting_for, approvers_for
from kesu.approvals.services import decide_approval, request_approval
from kesu.organization.models import Role
from tests.approvals.conftest import GM, VP, complaint_of, rule


@pytest.fixture
def blank(pcb):
    ApprovalRule.objects.all().delete()
    return pcb


def ask(org, complaint, amount="100.00"):
    return request_approval(
        complaint=complaint, step="decision", amount=Decimal(amount), by=org.clerk, subject="处理意见呈核"
    )


@pytest.mark.django_db
def test_levels_decide_in_sequence(blank):
    org = blank
    rule("decision", None, None, None, ("any", [VP]), ("any", [GM]))
    complaint = complaint_of(org, "quality")
    version = complaint.version
    approval = ask(org, complaint)
    assert approvers_for(approval=approval) == [org.vp]
    assert approvals_waiting_for(staff=org.gm) == []  # level 2 waits for level 1

    with pytest.raises(NotAnApprover):
        decide_approval(approval=approval, by=org.gm, approve=True)
    approval = decide_approval(approval=approval, by=org.vp, approve=True)
    assert (approval.status, approval.current_level) == (ApprovalStatus.PENDING, 2)
    assert approvers_for(approval=approval) == [org.gm]
    assert approvals_waiting_for(staff=org.gm) == [approval]

    approval = decide_approval(approval=approval, by=org.gm, approve=True, reason="同意")
    assert approval.status == ApprovalStatus.APPROVED and approval.decided_at is not None
    assert approvers_for(approval=approval) == []
    # the timeline tells it, and the complaint's own version is untouched (nothing of it changed)
    timeline = list(complaint.events.values_list("action", "data"))
    assert [a for a, _d in timeline][-3:] == ["approval_requested", "approval_decided", "approval_decided"]
    assert timeline[-1][1]["approval_status"] == "approved"
    complaint.refresh_from_db()
    assert complaint.version == version


@pytest.mark.django_db
def test_all_of_waits_for_every_approver(blank):
    """会签: every approver of the level must approve."""
    org = blank
    rule(
        "decision",
        None,
        None,
        None,
        ("all", [VP, {"role": Role.DEPARTMENT_HEAD, "scope": "department", "department_code": "quality"}]),
    )
    approval = ask(org, complaint_of(org, "quality"))
    assert set(approvers_for(approval=approval)) == {org.vp, org.quality_head}

    approval = decide_approval(approval=approval, by=org.vp, approve=True)
    assert approval.status == ApprovalStatus.PENDING
    assert approvers_for(approval=approval) == [org.quality_head]
    with pytest.raises(NotAnApprover):  # one signature per approver
        decide_approval(approval=approval, by=org.vp, approve=True)
    with pytest.raises(NotAnApprover):  # the head of another department is not the one named
        decide_approval(approval=approval, by=org.production_head, approve=True)

    approval = decide_approval(approval=approval, by=org.quality_head, approve=True)
    assert approval.status == ApprovalStatus.APPROVED


@pytest.mark.django_db
def test_any_of_completes_on_the_first_approval(blank):
    """或签: one approval is enough."""
    org = blank
    rule("decision", None, None, None, ("any", [VP, GM]))
    approval = ask(org, complaint_of(org, "quality"))
    assert set(approvers_for(approval=approval)) == {org.vp, org.gm}
    approval = decide_approval(approval=approval, by=org.gm, approve=True)
    assert approval.status == ApprovalStatus.APPROVED
    with pytest.raises(ApprovalClosed):
        decide_approval(approval=approval, by=org.vp, approve=True)


@pytest.mark.django_db
def test_responsible_department_scope(blank):
    org = blank
    rule(
        "decision",
        None,
        None,
        None,
        ("any", [{"role": Role.DEPARTMENT_HEAD, "scope": "responsible_department"}]),
    )
    complaint = complaint_of(org, "quality")
    complaint.handling_department = org.production
    complaint.save(update_fields=["handling_department"])
    approval = ask(org, complaint)
    assert approvers_for(approval=approval) == [org.production_head]
    with pytest.raises(NotAnApprover):
        decide_approval(approval=approval, by=org.quality_head, approve=True)
    assert decide_approval(approval=approval, by=org.production_head, approve=True).status == "approved"


@pytest.mark.django_db
def test_a_deputy_decides_for_an_absent_approver(blank):
    org = blank
    rule("decision", None, None, None, ("any", [GM]))
    org.gm.deputy = org.director
    org.gm.save()
    approval = ask(org, complaint_of(org, "quality"))
    with pytest.raises(NotAnApprover):  # the GM is at work: his deputy does not decide
        decide_approval(approval=approval, by=org.director, approve=True)

    org.gm.absent_from = timezone.now() - timedelta(hours=1)
    org.gm.save()
    assert set(approvers_for(approval=approval)) == {org.director, org.gm}
    assert approvals_waiting_for(staff=org.director) == [approval]
    approval = decide_approval(approval=approval, by=org.director, approve=True)
    decision = approval.decisions.get()
    assert (decision.actor, decision.acting_for) == (org.director, org.gm)
    event = approval.complaint.events.last()
    assert (event.actor, event.acting_for) == (org.director, org.gm)


@pytest.mark.django_db
def test_an_accused_approver_and_his_deputy_are_refused(blank):
    """回避: the person complained about neither decides nor has a deputy decide for him."""
    org = blank
    rule("decision", None, None, None, ("any", [GM, VP]))
    org.gm.deputy = org.director
    org.gm.absent_from = timezone.now() - timedelta(hours=1)
    org.gm.save()
    approval = ask(org, complaint_of(org, "quality", accused=(org.gm,)))
    assert approvers_for(approval=approval) == [org.vp]
    assert approvals_waiting_for(staff=org.gm) == [] and approvals_waiting_for(staff=org.director) == []
    with pytest.raises(NotAnApprover) as caught:
        decide_approval(approval=approval, by=org.gm, approve=True)
    assert "回避" in str(caught.value) and org.vp.display_name in str(caught.value)
    with pytest.raises(NotAnApprover):
        decide_approval(approval=approval, by=org.director, approve=True)
    assert not approval.decisions.exists()


@pytest.mark.django_db
def test_an_accused_person_cannot_ask(blank):
    org = blank
    rule("decision", None, None, None, ("any", [GM]))
    complaint = complaint_of(org, "quality", accused=(org.director,))
    with pytest.raises(ValidationError) as caught:
        request_approval(
            complaint=complaint, step="decision", amount=Decimal(1), by=org.director, subject="x"
        )
    assert "requested_by" in caught.value.message_dict


@pytest.mark.django_db
def test_a_refusal_needs_a_reason_and_ends_the_approval(blank):
    org = blank
    rule("decision", None, None, None, ("any", [VP]), ("any", [GM]))
    approval = ask(org, complaint_of(org, "quality"))
    for empty in ("", "   "):
        with pytest.raises(ValidationError) as caught:
            decide_approval(approval=approval, by=org.vp, approve=False, reason=empty)
        assert "reason" in caught.value.message_dict
    with pytest.raises(ValidationError):
        decide_approval(approval=approval, by=org.vp, approve=False, reason="x" * 4001)
    assert not approval.decisions.exists()

    approval = decide_approval(approval=approval, by=org.vp, approve=False, reason="赔偿金额过高，请重议")
    assert approval.status == ApprovalStatus.REFUSED and approval.current_level == 1
    assert approvers_for(approval=approval) == []
    event = approval.complaint.events.last()
    assert event.comment == "赔偿金额过高，请重议" and event.data["approval_status"] == "refused"
    with pytest.raises(ApprovalClosed):
        decide_approval(approval=approval, by=org.gm, approve=True)
    # a refused step may be asked again
    again = ask(org, approval.complaint)
    assert again.pk != approval.pk and again.status == ApprovalStatus.PENDING


@pytest.mark.django_db
def test_everybody_else_is_refused_with_the_names_of_who_may(blank):
    org = blank
    rule("decision", None, None, None, ("any", [GM]))
    approval = ask(org, complaint_of(org, "quality"))
    for person in (
        org.clerk,
        org.director,
        org.vp,
        org.production_head,
        org.auditor,
        org.admin,
        org.outsider,
    ):
        with pytest.raises(NotAnApprover) as caught:
            decide_approval(approval=approval, by=person, approve=True)
        assert org.gm.display_name in str(caught.value)
        assert caught.value.as_dict()["approvers"] == [{"username": "gm", "name": org.gm.display_name}]
        assert caught.value.status_code == 403
    assert not approval.decisions.exists()


@pytest.mark.django_db
def test_a_named_person_approves(blank):
    org = blank
    rule("decision", None, None, None, ("any", [{"staff": org.quality_head}]))
    approval = ask(org, complaint_of(org, "quality"))
    assert approvers_for(approval=approval) == [org.quality_head]
    assert decide_approval(approval=approval, by=org.quality_head, approve=True).status == "approved"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "field"),
    [
        (Decimal("-0.01"), "amount"),
        (Decimal("1.005"), "amount"),
        (Decimal("NaN"), "amount"),
        (Decimal("1e13"), "amount"),
    ],
)
def test_bad_amounts_are_refused(blank, amount, field):
    org = blank
    rule("decision", None, None, None, ("any", [GM]))
    with pytest.raises(ValidationError) as caught:
        ask(org, complaint_of(org, "quality"), amount=amount)
    assert field in caught.value.message_dict


@pytest.mark.django_db
def test_one_pending_request_per_step_and_none_on_a_closed_complaint(blank):
    org = blank
    rule("decision", None, None, None, ("any", [GM]))
    complaint = complaint_of(org, "quality")
    ask(org, complaint)
    with pytest.raises(ValidationError) as caught:
        ask(org, complaint)
    assert "step" in caught.value.message_dict
    with pytest.raises(ValidationError):
        request_approval(complaint=complaint, step="decision", amount=Decimal(1), by=org.clerk, subject="")


@pytest.mark.django_db
def test_the_recusal_substitute_decides_for_a_recused_general_manager(blank):
    """seed 000 第四篇 二(一) 被投訴人應當回避; the PCB preset names the vice president for a recused
    general manager (recusal section): he decides a GM-level approval of a complaint about the GM."""
    org = blank
    rule("decision", None, None, None, ("any", [GM]))
    approval = ask(org, complaint_of(org, "quality", accused=(org.gm,)))
    assert approvers_for(approval=approval) == [org.vp]
    assert approvals_waiting_for(staff=org.vp) == [approval]
    with pytest.raises(NotAnApprover):
        decide_approval(approval=approval, by=org.gm, approve=True)
    approval = decide_approval(approval=approval, by=org.vp, approve=True)
    assert approval.status == ApprovalStatus.APPROVED
    assert approval.complaint.events.last().data["stands_in_for"] == Role.GENERAL_MANAGER


@pytest.mark.django_db
def test_a_rule_without_approvers_is_refused_not_a_crash(blank):
    org = blank
    ApprovalRule.objects.create(step="decision")  # bypassing the admin's and the presets' checks
    with pytest.raises(ValidationError) as caught:
        ask(org, complaint_of(org, "quality"))
    assert "names no approver" in caught.value.message_dict["step"][0]
