"""The decision's approval by amount decides the procedure's approve step (kesu.decisions.wiring):
seed 002 (九)6 — the GM office routes the consolidated opinion by approval authority (依據核決權限
分送業務部經理、副總經理或總經理核決). The thresholds are the preset's labelled example values
(below 5 000 CNY the sales manager, 5 000 to below 50 000 the vice president, from 50 000 the GM)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kesu.approvals.errors import NotAnApprover
from kesu.approvals.models import ApprovalStatus
from kesu.approvals.services import decide_approval
from kesu.complaints import services as complaint_services
from kesu.complaints.actions import perform_action
from kesu.complaints.models import Category, Complaint, Status
from kesu.core.errors import ActionNotAllowed
from kesu.decisions.models import DecisionVersion, VersionStatus
from kesu.decisions.services import MoneyIn, RemedyIn, ShareIn, propose_decision
from kesu.organization.models import Department, Role, Staff
from kesu.rulebook.services import apply_preset
from tests.conftest import Org, intake, make_staff


@pytest.fixture
def pcb(org: Org) -> dict[str, Staff]:
    apply_preset(name="pcb")
    return {
        "sales_head": make_staff("saleshead", "孙业务经理", org.sales, Role.DEPARTMENT_HEAD),
        "vp": org.vp,
        "gm": org.gm,
        "control_group": make_staff(
            "pcg", "生管组", Department.objects.get(code="gm-office"), Role.DESK_CLERK
        ),
        "qa": org.quality_head,
        "director": org.director,
    }


def _act(complaint: Complaint, action: str, by: Staff, **inputs) -> Complaint:
    return perform_action(complaint=complaint, action=action, by=by, inputs=inputs, version=None)


def investigating(people: dict[str, Staff]) -> Complaint:
    """(九)4: logged by the GM office, analysed by quality management."""
    complaint = complaint_services.register_complaint(
        by=people["control_group"], intake=intake(category=Category.objects.get(code="quality_electrical"))
    )
    complaint = _act(
        complaint, "propose_transfer", people["control_group"], to_department="quality", reason="送品管分析"
    )
    complaint = _act(complaint, "accept_transfer", people["qa"])
    return _act(complaint, "start_investigation", people["qa"])


def proposed(people: dict[str, Staff]) -> Complaint:
    return _act(investigating(people), "propose_resolution", people["qa"], resolution="退货重做")


def decision(complaint: Complaint, by: Staff, amount: str) -> DecisionVersion:
    """A decision whose amount at stake is ``amount`` (the compensation, nothing else)."""
    return propose_decision(
        complaint=complaint,
        by=by,
        cause="quality_defect",
        shares=[ShareIn(party="department", department="quality", share="100")],
        remedies=[RemedyIn(kind="apology")],
        money=MoneyIn(compensation=Decimal(amount)),
    )


BOUNDARIES = [
    ("4999.99", "sales_head"),  # just under 5 000: the sales manager
    ("5000.00", "vp"),  # equal to 5 000: the vice president
    ("49999.99", "vp"),  # just under 50 000: still the vice president
    ("50000.00", "gm"),  # equal to 50 000: the general manager
]


@pytest.mark.parametrize(("amount", "approver"), BOUNDARIES)
def test_pcb_the_amount_picks_who_approves_the_decision_step(org, pcb, amount, approver):
    """seed 002 (九)6: the decision goes by approval authority to the sales manager, the VP or the
    GM; the right one moves the complaint to "resolution approved", everyone else is refused."""
    complaint = proposed(pcb)
    version = decision(complaint, pcb["qa"], amount)
    assert version.approval is not None and version.approval.amount == Decimal(amount)

    # nobody takes the approve step by hand, not even its fixed roles (VP, GM): the reason names
    # who must decide
    for who in ("vp", "gm"):
        with pytest.raises(ActionNotAllowed) as refused:
            _act(complaint, "approve_resolution", pcb[who])
        assert pcb[approver].display_name in refused.value.reason
        with pytest.raises(ActionNotAllowed):
            _act(complaint, "return_resolution", pcb[who], comment="退回")
    # everyone but the approver by amount is refused the approval
    for who, person in pcb.items():
        if who != approver:
            with pytest.raises(NotAnApprover):
                decide_approval(approval=version.approval, by=person, approve=True)
    assert Complaint.objects.get(pk=complaint.pk).status == Status.RESOLUTION_PROPOSED

    before = Complaint.objects.get(pk=complaint.pk).version
    decide_approval(approval=version.approval, by=pcb[approver], approve=True, reason="同意")

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.status == Status.RESOLUTION_APPROVED
    assert complaint.version == before + 1
    entry = complaint.events.order_by("-pk").first()
    assert (entry.action, entry.actor, entry.to_status) == (
        "approve_resolution",
        pcb[approver],
        Status.RESOLUTION_APPROVED,
    )
    assert DecisionVersion.objects.get(pk=version.pk).status == VersionStatus.APPROVED
    # (九)11: sales tells the customer what was approved
    _act(
        complaint,
        "reply_to_customer",
        pcb["control_group"],
        reply="按核决结果答复",
        channel="phone",
        satisfaction="satisfied",
    )


def test_pcb_a_refusal_sends_the_step_back_with_the_reason(org, pcb):
    """seed 002 (九)6 核决: the GM refuses; the complaint goes back to investigating (return_resolution)
    with his reason on the timeline, and the reworked decision is approved by amount again."""
    complaint = proposed(pcb)
    version = decision(complaint, pcb["qa"], "80000.00")
    decide_approval(approval=version.approval, by=pcb["gm"], approve=False, reason="赔偿金额过高")

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.status == Status.INVESTIGATING
    entry = complaint.events.order_by("-pk").first()
    assert (entry.action, entry.actor, entry.comment) == ("return_resolution", pcb["gm"], "赔偿金额过高")

    complaint = _act(complaint, "propose_resolution", pcb["qa"], resolution="改为折让")
    reworked = decision(complaint, pcb["qa"], "3000.00")
    assert reworked.number == 2
    decide_approval(approval=reworked.approval, by=pcb["sales_head"], approve=True)
    assert Complaint.objects.get(pk=complaint.pk).status == Status.RESOLUTION_APPROVED


def test_pcb_a_pending_approval_is_not_bypassed_by_returning_for_rework(org, pcb):
    """While the decision waits for its approver (seed 002 (九)6), the desk cannot send the
    resolution back around them: the approver's refusal does, and then rework is the desk's again."""
    complaint = proposed(pcb)
    version = decision(complaint, pcb["qa"], "80000.00")
    complaint = Complaint.objects.get(pk=complaint.pk)
    with pytest.raises(ActionNotAllowed) as refused:
        _act(complaint, "return_for_rework", pcb["director"], comment="请重新分析")
    assert "pending" in refused.value.reason or "待" in refused.value.reason
    assert Complaint.objects.get(pk=complaint.pk).status == Status.RESOLUTION_PROPOSED

    decide_approval(approval=version.approval, by=pcb["gm"], approve=False, reason="先补充分析")
    assert Complaint.objects.get(pk=complaint.pk).status == Status.INVESTIGATING


def test_pcb_without_a_decision_the_step_waits_for_one(org, pcb):
    """The approve step cannot be taken by hand before a decision carries the amount."""
    complaint = proposed(pcb)
    with pytest.raises(ActionNotAllowed) as refused:
        _act(complaint, "approve_resolution", pcb["gm"])
    assert "propose the handling decision" in refused.value.reason


def test_pcb_a_decision_approved_before_the_resolution_is_refused_nothing_saved(org, pcb):
    """The approval moves the step: while the department is still investigating, approving would
    move nothing, so it is refused and the approval stays pending; once proposed, it goes on."""
    from django.core.exceptions import ValidationError

    complaint = investigating(pcb)
    version = decision(complaint, pcb["qa"], "100.00")
    with pytest.raises(ValidationError):
        decide_approval(approval=version.approval, by=pcb["sales_head"], approve=True)
    version.approval.refresh_from_db()
    assert version.approval.status == ApprovalStatus.PENDING
    assert not version.approval.decisions.exists()

    complaint = _act(complaint, "propose_resolution", pcb["qa"], resolution="道歉")
    decide_approval(approval=version.approval, by=pcb["sales_head"], approve=True)
    assert Complaint.objects.get(pk=complaint.pk).status == Status.RESOLUTION_APPROVED


def test_a_class_without_a_decision_rule_keeps_the_procedures_approver(org):
    """Only a class an approval rule for the decision covers is approved by amount: the furniture
    company removes its grievance rule, and the GM approves grievances by hand again (seed 000
    第一篇 4.2.3.1 3)⑥), while nobody is left waiting for a rule that no longer exists."""
    from kesu.approvals.models import ApprovalRule
    from kesu.complaints.workflow import allowed_actions
    from kesu.organization.selectors import capacities_of
    from tests.conftest import advance

    apply_preset(name="furniture")
    ApprovalRule.objects.filter(step="decision", category__code="grievance").delete()
    complaint = complaint_services.register_complaint(
        by=org.clerk, intake=intake(category=Category.objects.get(code="grievance"))
    )
    complaint = advance(complaint, org, Status.RESOLUTION_PROPOSED)
    assert "approve_resolution" in allowed_actions(
        complaint=complaint, capacities=capacities_of(staff=org.gm)
    )
    complaint = _act(complaint, "approve_resolution", org.gm)
    assert complaint.status == Status.RESOLUTION_APPROVED


def test_furniture_a_grievance_is_approved_by_amount_by_the_gm(org):
    """seed 000 第一篇 4.2.3.1 3)⑥: the grievance's decision is carried out after the GM approves it —
    through the decision's approval (the furniture rule for grievances names the GM)."""
    from tests.conftest import advance, approve_by_amount

    apply_preset(name="furniture")
    complaint = complaint_services.register_complaint(
        by=org.clerk, intake=intake(category=Category.objects.get(code="grievance"))
    )
    complaint = advance(complaint, org, Status.RESOLUTION_PROPOSED)
    with pytest.raises(ActionNotAllowed) as refused:
        _act(complaint, "approve_resolution", org.gm)
    assert "propose the handling decision" in refused.value.reason
    complaint = approve_by_amount(complaint, by=org.production_head)
    assert complaint.status == Status.RESOLUTION_APPROVED
    assert complaint.events.order_by("-pk").first().actor == org.gm
