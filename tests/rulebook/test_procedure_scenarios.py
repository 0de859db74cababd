"""Every preset runs its seed's procedure: one complaint of each class walks the seed's steps with
the seed's roles, and the steps the seed does not have are refused (kesu.complaints.procedures)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from kesu.complaints.actions import perform_action
from kesu.complaints.models import Category, Complaint, Status
from kesu.complaints.workflow import allowed_actions, authorize
from kesu.core.errors import ActionNotAllowed
from kesu.organization.models import Department, Role, Staff
from kesu.organization.selectors import capacities_of
from kesu.rulebook.services import apply_preset
from tests.conftest import advance, intake, make_staff


@dataclass(frozen=True)
class Step:
    action: str
    who: str  # a persona of the scenario's company
    status: str  # the status the step leads to
    inputs: dict[str, Any] | None = None


def take(complaint: Complaint, people: dict[str, Staff], step: Step) -> Complaint:
    complaint = perform_action(
        complaint=complaint, action=step.action, by=people[step.who], inputs=step.inputs or {}, version=None
    )
    assert complaint.status == step.status, step
    return complaint


def may(complaint: Complaint, staff: Staff) -> set[str]:
    return set(
        allowed_actions(
            complaint=Complaint.objects.get(pk=complaint.pk), capacities=capacities_of(staff=staff)
        )
    )


def refused(complaint: Complaint, staff: Staff, action: str, inputs: dict[str, Any] | None = None) -> None:
    with pytest.raises(ActionNotAllowed):
        perform_action(complaint=complaint, action=action, by=staff, inputs=inputs or {}, version=None)


def leaves(preset: str) -> list[str]:
    """The preset's classes a complaint is filed under (its sub-classes where it has them)."""
    import json
    from importlib import resources

    data = json.loads((resources.files("kesu.rulebook") / "presets" / f"{preset}.json").read_text("utf-8"))
    parents = {c.get("parent") for c in data["categories"]}
    return [c["code"] for c in data["categories"] if c["code"] not in parents]


def department(code: str, name: str) -> Department:
    return Department.objects.get_or_create(code=code, defaults={"name": name})[0]


def decided(
    complaint: Complaint,
    people: dict[str, Staff],
    proposer: str,
    approver: str,
    *,
    amount: str = "0.00",
    refuse: str = "",
) -> Complaint:
    """The approve step where the rule book approves the decision by amount (kesu.decisions.wiring):
    the department proposes the handling decision, the approver by amount decides it."""
    from kesu.approvals.services import decide_approval
    from kesu.decisions.services import MoneyIn, RemedyIn, ShareIn, propose_decision

    version = propose_decision(
        complaint=complaint,
        by=people[proposer],
        cause="quality_defect",
        shares=[ShareIn(party="department", department=complaint.handling_department.code, share="100")],
        remedies=[RemedyIn(kind="repair", quantity=1)],
        money=MoneyIn(compensation=Decimal(amount)),
    )
    assert version.approval is not None
    decide_approval(approval=version.approval, by=people[approver], approve=not refuse, reason=refuse)
    complaint = Complaint.objects.get(pk=complaint.pk)
    entry = complaint.events.order_by("-pk").first()
    assert entry.actor == people[approver]
    assert (entry.action, complaint.status) == (
        ("return_resolution", Status.INVESTIGATING)
        if refuse
        else ("approve_resolution", Status.RESOLUTION_APPROVED)
    )
    return complaint


REPLY = {"reply": "已告知处理结果", "channel": "phone", "satisfaction": "satisfied"}
VISIT = {"comment": "客户满意", "satisfaction": "satisfied"}
RESOLVE = {"resolution": "处理意见"}


# ---------------------------------------------------------------------------------------------
# Furniture (seed 000 第一篇)


@pytest.fixture
def furniture(org) -> dict[str, Staff]:
    apply_preset(name="furniture")
    sales_head = make_staff("saleshead", "销售系统负责人", org.sales, Role.DEPARTMENT_HEAD)
    return {
        "director": org.director,  # 客服主任
        "gm": org.gm,
        "production_manager": org.production_head,  # 生产部经理
        "sales_head": sales_head,
    }


@pytest.mark.parametrize("code", leaves("furniture"))
def test_furniture_every_transfer_is_approved_by_the_gm_then_replied_visited_closed(org, furniture, code):
    """seed 000 第一篇 4.2.2.2 5)-6) (转交经总经理审批, 联系单签收), 4.2.3 (归口部门处理), 4.3 (答复),
    4.4 (回访) — for every class, suggestions included (the old preset let them skip the GM)."""
    complaint = perform_action(
        complaint=_registered(org, code),
        action="classify",
        by=org.director,
        inputs={"category": code},
        version=None,
    )
    steps = [
        Step(
            "propose_transfer",
            "director",
            Status.TRANSFER_PROPOSED,
            {"to_department": "production", "reason": "转生产部"},
        ),
        Step("approve_transfer", "gm", Status.TRANSFER_APPROVED),
        Step("accept_transfer", "production_manager", Status.ACCEPTED),
        Step("start_investigation", "production_manager", Status.INVESTIGATING),
        Step("propose_resolution", "production_manager", Status.RESOLUTION_PROPOSED, RESOLVE),
    ]
    for step in steps:
        complaint = take(complaint, furniture, step)
    if code in {"grievance", "suggestion"}:
        # 4.2.3.1 3)⑥ / 4.2.3.2 3): the VP's opinion is carried out after the GM approves it
        refused(complaint, org.director, "reply_to_customer", REPLY)
        refused(complaint, org.gm, "approve_resolution")  # not by hand: by the decision's approval
        complaint = decided(complaint, furniture, "production_manager", "gm")
    complaint = take(complaint, furniture, Step("reply_to_customer", "director", Status.REPLIED, REPLY))
    refused(complaint, org.director, "close")  # 4.4: the follow-up visit comes first
    if code == "product_quality":  # 4.4 1): visited after the repaired goods are delivered
        complaint = take(complaint, furniture, Step("record_delivery", "director", Status.REPLIED))
    complaint = take(complaint, furniture, Step("record_follow_up", "director", Status.FOLLOWED_UP, VISIT))
    take(complaint, furniture, Step("close", "director", Status.CLOSED))


def _registered(org, code: str) -> Complaint:
    from kesu.complaints import services

    return services.register_complaint(by=org.clerk, intake=intake(category=Category.objects.get(code=code)))


def test_furniture_quality_opinion_is_submitted_for_approval_before_the_desk(org, furniture):
    """seed 000 第一篇 4.2.3.3 4): the production manager's opinion is submitted for approval
    (提交审批) before it goes back to the desk; the GM may return it with the reason."""
    complaint = _registered(org, "product_quality")
    for step in [
        Step(
            "propose_transfer",
            "director",
            Status.TRANSFER_PROPOSED,
            {"to_department": "production", "reason": "质量问题"},
        ),
        Step("approve_transfer", "gm", Status.TRANSFER_APPROVED),
        Step("accept_transfer", "production_manager", Status.ACCEPTED),
        Step("start_investigation", "production_manager", Status.INVESTIGATING),
        Step("propose_resolution", "production_manager", Status.RESOLUTION_PROPOSED, RESOLVE),
    ]:
        complaint = take(complaint, furniture, step)
    # the GM returns it with the reason: a refusal of the decision's approval sends the step back
    complaint = decided(complaint, furniture, "production_manager", "gm", refuse="责任比例未写明")
    assert complaint.status == Status.INVESTIGATING
    assert complaint.events.order_by("-pk").first().comment == "责任比例未写明"
    complaint = take(
        complaint,
        furniture,
        Step("propose_resolution", "production_manager", Status.RESOLUTION_PROPOSED, RESOLVE),
    )
    complaint = decided(complaint, furniture, "production_manager", "gm")
    assert "reply_to_customer" in may(complaint, org.director)
    # the approval is the GM's: the desk cannot approve, the production manager cannot either
    refused(complaint, org.production_head, "approve_resolution")


def test_furniture_grievance_is_answered_at_once(org, furniture):
    """seed 000 第一篇 4.2.3.1 1): the CS director answers a grievance at once."""
    complaint = _registered(org, "grievance")
    take(complaint, furniture, Step("answer_on_spot", "director", Status.CLOSED, {"reply": "已解释政策"}))


def test_furniture_sales_policy_grievance_is_answered_and_forwarded_to_sales(org, furniture):
    """seed 000 第一篇 4.2.3.1 2): a grievance born of a sales policy the customer did not know is
    answered AND forwarded to the sales VP (who finds the salesperson, ⑥ with the GM's approval)."""
    complaint = _registered(org, "grievance")
    forward = {"reply": "已向客户解释返利政策", "to_department": "sales", "reason": "追查业务人员责任"}
    complaint = take(
        complaint, furniture, Step("answer_and_forward", "director", Status.TRANSFER_PROPOSED, forward)
    )
    assert complaint.reply == "已向客户解释返利政策"
    assert complaint.events.last().data["reply"] == "已向客户解释返利政策"
    for step in [
        Step("approve_transfer", "gm", Status.TRANSFER_APPROVED),
        Step("accept_transfer", "sales_head", Status.ACCEPTED),
        Step("start_investigation", "sales_head", Status.INVESTIGATING),
        Step(
            "propose_resolution",
            "sales_head",
            Status.RESOLUTION_PROPOSED,
            {"resolution": "责任销售经理罚款50元"},
        ),
    ]:
        complaint = take(complaint, furniture, step)
    complaint = decided(complaint, furniture, "sales_head", "gm")


def test_answer_and_forward_is_offered_only_where_the_procedure_lists_it(org, furniture):
    """seed 000 第一篇 4.2.3.1 2) is about grievances only."""
    assert "answer_and_forward" in may(_registered(org, "grievance"), org.director)
    assert "answer_and_forward" not in may(_registered(org, "product_quality"), org.director)


# ---------------------------------------------------------------------------------------------
# Telecom maintenance (seed 000 第二篇)


@pytest.fixture
def telecom(org) -> dict[str, Staff]:
    apply_preset(name="telecom")
    team = department("maintenance", "代维班组")
    return {
        "desk": org.clerk,
        "team_lead": make_staff("teamlead", "代维组长", team, Role.DEPARTMENT_HEAD),
        "engineer": make_staff("engineer", "代维工程师", team, Role.HANDLER),
    }


@pytest.mark.parametrize("code", leaves("telecom"))
def test_telecom_the_team_signs_the_ticket_without_any_gm_approval(org, telecom, code):
    """seed 000 第二篇 二.1 (签收2小时、回复), 二.5 (现场测试), 三 (解决方案), 二.6 (回访): the
    ticket goes straight to the maintenance team; no GM approval exists there."""
    complaint = _registered(org, code)
    assert "approve_transfer" not in may(complaint, org.gm)
    with translation.override("en"), pytest.raises(ActionNotAllowed) as error:
        authorize(complaint=complaint, action="approve_transfer", staff=org.gm)
    assert "procedure for this class has no step" in error.value.reason
    for step in [
        Step(
            "propose_transfer",
            "desk",
            Status.TRANSFER_APPROVED,
            {"to_department": "maintenance", "reason": "派单"},
        ),
        Step("accept_transfer", "engineer", Status.ACCEPTED),
        Step("start_investigation", "engineer", Status.INVESTIGATING),
        Step("propose_resolution", "engineer", Status.RESOLUTION_PROPOSED, RESOLVE),
        Step("reply_to_customer", "engineer", Status.REPLIED, REPLY),  # 二.1: the team replies the ticket
        Step("record_follow_up", "engineer", Status.FOLLOWED_UP, VISIT),  # 二.6
        Step("close", "desk", Status.CLOSED),
    ]:
        complaint = take(complaint, telecom, step)
    assert complaint.events.get(action="propose_transfer").data["approval_required"] is False


def test_telecom_only_billing_is_explained_on_the_spot(org, telecom):
    """seed 000 第二篇 is silent on answering at once; the preset keeps it for billing only."""
    assert "answer_on_spot" in may(_registered(org, "billing"), org.clerk)
    assert "answer_on_spot" not in may(_registered(org, "network_quality"), org.clerk)


# ---------------------------------------------------------------------------------------------
# Liquor plant (seed 000 第三篇)


@pytest.fixture
def liquor(org) -> dict[str, Staff]:
    apply_preset(name="liquor")
    return {"desk": org.clerk, "qa": org.quality_head}


@pytest.mark.parametrize("code", leaves("liquor"))
def test_liquor_qa_investigates_and_the_office_answers_without_a_visit(org, liquor, code):
    """seed 000 第三篇 二.1 (能解答的当即解答, 不能解答的立即同相关部门联系), 二.3.1 (质量部调查,
    三个工作日回复承诺), 四.1 (营管办24小时内反馈), 四.2 (归档): no GM approval, no follow-up visit."""
    complaint = _registered(org, code)
    assert "answer_on_spot" in may(complaint, org.clerk)
    for step in [
        Step(
            "propose_transfer",
            "desk",
            Status.TRANSFER_APPROVED,
            {"to_department": "quality", "reason": "转质量部"},
        ),
        Step("accept_transfer", "qa", Status.ACCEPTED),
        Step("start_investigation", "qa", Status.INVESTIGATING),
        Step("propose_resolution", "qa", Status.RESOLUTION_PROPOSED, RESOLVE),
        Step("reply_to_customer", "desk", Status.REPLIED, REPLY),
    ]:
        complaint = take(complaint, liquor, step)
    assert "record_follow_up" not in may(complaint, org.clerk)
    take(complaint, liquor, Step("close", "desk", Status.CLOSED))


# ---------------------------------------------------------------------------------------------
# PCB maker (seed 002)


@pytest.fixture
def pcb(org) -> dict[str, Staff]:
    apply_preset(name="pcb")
    office = Department.objects.get(code="gm-office")
    return {
        # (九)4: the GM office's production control group numbers and logs the sales rep's form
        "control_group": make_staff("pcg", "生管组", office, Role.DESK_CLERK),
        "qa": org.quality_head,
        "vp": org.vp,
    }


@pytest.mark.parametrize("code", leaves("pcb"))
def test_pcb_gm_office_logs_qa_analyses_authority_decides_no_visit(org, pcb, code):
    """seed 002 (九)1/(九)4 (业务部填表送总经理室, 生管组编号登记, 送质量管理部分析原因、判定职责),
    (九)6 (综合意见依核决权限核决), (九)5/(九)11 (业务部依批示答复), (九)8 (核签结案): the decision
    is approved before anyone tells the customer; closing needs no follow-up visit."""
    from kesu.complaints import services

    complaint = services.register_complaint(
        by=pcb["control_group"], intake=intake(category=Category.objects.get(code=code))
    )
    for step in [
        Step(
            "propose_transfer",
            "control_group",
            Status.TRANSFER_APPROVED,
            {"to_department": "quality", "reason": "送品管分析"},
        ),
        Step("accept_transfer", "qa", Status.ACCEPTED),
        Step("start_investigation", "qa", Status.INVESTIGATING),
        Step("propose_resolution", "qa", Status.RESOLUTION_PROPOSED, RESOLVE),
    ]:
        complaint = take(complaint, pcb, step)
    refused(complaint, pcb["control_group"], "reply_to_customer", REPLY)
    refused(complaint, pcb["vp"], "approve_resolution")  # not by hand: 依核决权限, by the amount
    complaint = decided(complaint, pcb, "qa", "vp", amount="20000.00")  # the example VP range
    for step in [
        Step("reply_to_customer", "control_group", Status.REPLIED, REPLY),
        Step("close", "control_group", Status.CLOSED),
    ]:
        complaint = take(complaint, pcb, step)
    assert complaint.events.filter(action="record_follow_up").count() == 0


def test_pcb_labels_speak_the_companys_words(org, pcb):
    """seed 002 (九)4: 品管部原因分析 is how the PCB maker names the investigation."""
    from kesu.complaints.workflow import ACTIONS, step_label

    complaint = _registered(org, "quality_electrical")
    assert step_label(complaint, "start_investigation") == "品管部原因分析、判定责任单位"
    assert step_label(complaint, "withdraw") == str(ACTIONS["withdraw"].label)  # no label: the skeleton's


# ---------------------------------------------------------------------------------------------
# Law firm (seed 000 第四篇)


@pytest.fixture
def lawfirm(org) -> dict[str, Staff]:
    apply_preset(name="lawfirm")
    return {
        "front_desk": org.director,  # 专门负责人 (the designated responsible person)
        "partner": org.vp,  # 业务分管合伙人 (the partner in charge)
        "director": org.gm,  # 主任, convenes the partners' meeting
    }


@pytest.mark.parametrize("code", leaves("lawfirm"))
@pytest.mark.parametrize("severity", ["normal", "major"])
def test_lawfirm_major_complaints_wait_for_the_partners_meeting(org, lawfirm, code, severity):
    """seed 000 第四篇 一(一)-(四) (总台受理登记), 二(二)/(三)/(六) (分管合伙人调查并签署处理意见),
    二(二)/(四) (重大事项由合伙人会议讨论决定), 二(七)5 (书面回复), 三(一)-(二) (满意度, 归档)."""
    from kesu.complaints import services
    from kesu.complaints.models import Severity

    complaint = services.register_complaint(
        by=org.clerk,
        intake=intake(category=Category.objects.get(code=code), severity=Severity.objects.get(code=severity)),
    )
    for step in [
        Step(
            "propose_transfer",
            "front_desk",
            Status.TRANSFER_APPROVED,
            {"to_department": "gm-office", "reason": "转分管合伙人"},
        ),
        Step("accept_transfer", "partner", Status.ACCEPTED),
        Step("start_investigation", "partner", Status.INVESTIGATING),
        Step("propose_resolution", "partner", Status.RESOLUTION_PROPOSED, RESOLVE),
    ]:
        complaint = take(complaint, lawfirm, step)
    if severity == "major":
        refused(complaint, org.clerk, "reply_to_customer", REPLY)  # no promise before the decision
        # 二(二)/(四): the partners' meeting decides, not one partner (tests/committees/test_meetings.py)
        refused(complaint, org.gm, "approve_resolution")
        for step in [
            Step("convene_meeting", "director", Status.RESOLUTION_PROPOSED, {"comment": "重大投诉"}),
            Step("vote_in_meeting", "director", Status.RESOLUTION_PROPOSED, {"vote": "agree"}),
            Step("vote_in_meeting", "partner", Status.RESOLUTION_APPROVED, {"vote": "agree"}),
        ]:
            complaint = take(complaint, lawfirm, step)
    else:
        assert "approve_resolution" not in may(complaint, org.gm)
    for step in [
        Step("reply_to_customer", "front_desk", Status.REPLIED, REPLY),
        Step("record_follow_up", "front_desk", Status.FOLLOWED_UP, VISIT),
        Step("close", "front_desk", Status.CLOSED),
    ]:
        complaint = take(complaint, lawfirm, step)


@pytest.mark.parametrize("preset", ["furniture", "telecom", "liquor", "pcb", "lawfirm"])
def test_every_procedure_step_cites_its_seed(db, preset):
    """Every step of every preset procedure names the seed clause it follows, or says the seed is
    silent (制度未写 / 制度中没有 / 未载)."""
    import json
    from importlib import resources

    data = json.loads((resources.files("kesu.rulebook") / "presets" / f"{preset}.json").read_text("utf-8"))
    assert data["procedures"], preset
    for procedure in data["procedures"]:
        assert procedure["source"].startswith("seed 00"), procedure["name"]
        for step in procedure["steps"]:
            assert step["source"].startswith("seed 00"), (procedure["name"], step)
    # and the preset loads: its procedures pass the admin's checks
    apply_preset(name=preset)


def _next_takers(complaint: Complaint) -> set[str]:
    from kesu.notifications.handover import next_takers

    fresh = Complaint.objects.prefetch_related("accused_staff").get(pk=complaint.pk)
    return {told.capacities[0].actor.user.username for told in next_takers(fresh).values()}


def test_telecom_the_team_is_told_to_reply_the_ticket(org, telecom):
    """seed 000 第二篇 二.1: the maintenance team replies to the ticket, so it is the one told when
    the solution is ready (the hand-over notifications follow the procedure)."""
    complaint = _registered(org, "network_quality")
    for step in [
        Step(
            "propose_transfer",
            "desk",
            Status.TRANSFER_APPROVED,
            {"to_department": "maintenance", "reason": "派单"},
        ),
        Step("accept_transfer", "engineer", Status.ACCEPTED),
        Step("start_investigation", "engineer", Status.INVESTIGATING),
        Step("propose_resolution", "engineer", Status.RESOLUTION_PROPOSED, RESOLVE),
    ]:
        complaint = take(complaint, telecom, step)
    assert _next_takers(complaint) == {"teamlead", "engineer"}


def test_furniture_the_gm_is_told_only_of_the_approvals_that_wait_for_him(org, furniture, register):
    """seed 000 第一篇 4.2.3.1 3)⑥: a grievance's decision waits for the GM; the quality opinion's
    approval (4.2.3.3 4), approver unnamed) is optional in the preset, so nobody waits on him."""
    grievance = advance(
        register(category=Category.objects.get(code="grievance")), org, Status.RESOLUTION_PROPOSED
    )
    quality = advance(register(), org, Status.RESOLUTION_PROPOSED)
    # the grievance's approval is the decision's approval by amount (kesu.decisions.wiring): the
    # step itself waits on nobody by hand; the approver is the approval's (the desk waits too)
    assert "gm" not in _next_takers(grievance) and "clerk" not in _next_takers(grievance)
    assert "gm" not in _next_takers(quality) and "clerk" in _next_takers(quality)
