"""Issue 9 §3 scenarios, per preset, each citing the clause it follows."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from kesu.approvals.authority import approvers_now
from kesu.approvals.models import ApprovalApprover, ApprovalRule
from kesu.approvals.services import decide_approval
from kesu.complaints.models import Category, ComplaintEvent, Status
from kesu.complaints.services import register_complaint
from kesu.core.errors import ActionNotAllowed
from kesu.customers.models import Customer
from kesu.deadlines.models import ComplaintClock
from kesu.fulfilment.models import (
    CreditNote,
    CreditStatus,
    OverDeliveryTolerance,
    ReturnSlip,
    Shipment,
)
from kesu.fulfilment.selectors import fulfilment_of
from tests.conftest import advance, intake, local
from tests.fulfilment.conftest import act, decided, investigated

pytestmark = pytest.mark.django_db


def test_furniture_repaired_goods_shipped_and_delivered_follow_up_on_the_2nd_day_after_the_delivery_given(
    furniture,
):
    """seed 000 4.2.3.3 ②: 财务仓储物流系统负责人跟踪返修产品的发货整个进度; 4.4 1): 产品质量类投诉在返修
    产品交货期第2天回访 — counted from the delivery date given, not from the day it was typed in."""
    org = furniture
    with time_machine.travel(local(2026, 11, 2, 9), tick=False):
        complaint = investigated(org)
        decided(org, complaint)  # the committee's 70/30 split of 1 000.00, approved by the GM
        for stage in ("received", "in_repair", "repaired", "checked"):
            complaint = act(complaint, "record_repair_progress", org.production_handler, stage=stage)
        complaint = act(
            complaint,
            "record_shipment",
            org.production_head,
            carrier="logistics",
            waybill="SF1234567890",
            shipped_at="2026-11-02T08:30:00+08:00",
        )
    shipment = Shipment.objects.get(complaint=complaint)
    # the goods were delivered on the 3rd; the desk records it on the 6th
    with time_machine.travel(local(2026, 11, 6, 9), tick=False):
        complaint = act(
            complaint,
            "deliver_shipment",
            org.clerk,
            shipment=str(shipment.pk),
            delivered_at="2026-11-03T15:00:00+08:00",
        )
    follow_up = ComplaintClock.objects.get(complaint=complaint, kind="follow_up")
    assert follow_up.due_at == local(2026, 11, 5, 15)
    shipment.refresh_from_db()
    assert shipment.delivered_at == local(2026, 11, 3, 15)
    # the delivery went through deadlines' record_delivery (one entry, the date given)
    delivery = ComplaintEvent.objects.get(complaint=complaint, action="record_delivery")
    assert delivery.data["delivered_at"].startswith("2026-11-03T15:00")
    f = fulfilment_of(complaint)
    assert [s.stage for s in f.repair_steps] == ["received", "in_repair", "repaired", "checked"]
    assert [s.by_id for s in f.repair_steps] == [org.production_handler.pk] * 4
    assert dict(f.borne) == {"生产部": Decimal("700.00"), "刘先生": Decimal("300.00")}


def test_a_delivery_before_the_shipment_is_refused_and_nothing_is_saved(furniture):
    org = furniture
    with time_machine.travel(local(2026, 11, 4, 9), tick=False):
        complaint = investigated(org)
        complaint = act(
            complaint,
            "record_shipment",
            org.clerk,
            carrier="logistics",
            waybill="SF1",
            shipped_at="2026-11-04T08:30:00+08:00",
        )
        shipment = Shipment.objects.get(complaint=complaint)
        version = complaint.version
        with pytest.raises(ValidationError) as error:
            act(
                complaint,
                "deliver_shipment",
                org.clerk,
                shipment=shipment.pk,
                delivered_at="2026-11-04T08:00:00+08:00",
            )
    assert "delivered_at" in error.value.message_dict
    shipment.refresh_from_db()
    complaint.refresh_from_db()
    assert shipment.delivered_at is None and complaint.version == version
    assert not ComplaintEvent.objects.filter(complaint=complaint, action="record_delivery").exists()


def test_repair_stages_follow_in_turn(furniture):
    org = furniture
    complaint = investigated(org)
    with pytest.raises(ValidationError) as error:
        act(complaint, "record_repair_progress", org.production_handler, stage="repaired")
    assert "stage" in error.value.message_dict


def test_furniture_appearance_complaint_settles_with_the_carrier(furniture):
    """seed 000 4.2.3.4 3): 仓储物流主任应立即依据相关规定和承运商合同组织处理 — a claim with amount and outcome."""
    org = furniture
    # The furniture preset has no approval rule for this class's decision (the seed names none for
    # 4.2.3.4): the company adds one, here the warehouse's head is left out and the GM approves.
    rule = ApprovalRule.objects.create(
        step="decision", category=Category.objects.get(code="appearance_packaging"), source="test"
    )
    ApprovalApprover.objects.create(rule=rule, level=1, role="general_manager")
    complaint = investigated(org, "appearance_packaging")
    decided(org, complaint, cause="carrier_damage")
    complaint = act(
        complaint, "file_carrier_claim", org.production_head, carrier="logistics", amount="800.00"
    )
    claim = fulfilment_of(complaint).claims[0]
    with pytest.raises(ValidationError) as error:
        act(
            complaint,
            "settle_carrier_claim",
            org.production_head,
            claim=claim.pk,
            outcome="recovered",
            recovered="900.00",
        )
    assert "recovered" in error.value.message_dict
    complaint = act(
        complaint,
        "settle_carrier_claim",
        org.production_head,
        claim=claim.pk,
        outcome="recovered",
        recovered="800.00",
    )
    f = fulfilment_of(complaint)
    assert (f.claims[0].outcome, f.claims[0].recovered) == ("recovered", Decimal("800.00"))
    assert f.cost.recovered_amount == Decimal("800.00")
    assert f.spent == Decimal("1000.00") - Decimal("800.00")


# ---------------------------------------------------------------------------------------------
# PCB (seed 002 (十三))


def _pcb_complaint(org, customer: Customer | None = None):
    complaint = register_complaint(
        by=org.clerk, intake=intake(category=Category.objects.get(code="quality"), customer=customer)
    )
    # PCB's procedure approves the decision as its approve_resolution step: the department has
    # proposed its resolution first (seed 002 (九)6).
    return advance(complaint, org, Status.RESOLUTION_PROPOSED)


def test_pcb_return_with_a_quantity_mismatch_beyond_the_customers_tolerance_is_flagged(pcb):
    """seed 002 (十三)2(1): 实退量大于核定量于必须比率(该客户订制时注明的超量允收比率)以内时依实退数量
    转帐 — within the customer's tolerance it is booked on the actual quantity; beyond it the slip is
    flagged for a decision ((十三)2(2) 得请示后依实际状况签收)."""
    org = pcb
    customer = Customer.objects.create(code="C001", name="华通电子")
    OverDeliveryTolerance.objects.create(customer=customer, percent=Decimal("5.00"), source="订单注明")
    complaint = _pcb_complaint(org, customer)
    complaint = act(
        complaint,
        "open_return_slip",
        org.production_head,
        reason="阻焊不良，退货重处理",
        approved_quantity=100,
        shipped_quantity=200,
        unit_price="12.50",
    )
    slip = ReturnSlip.objects.get(complaint=complaint)
    complaint = act(
        complaint, "receive_return", org.production_head, return_slip=slip.pk, returned_quantity=105
    )
    slip.refresh_from_db()
    assert (slip.returned_quantity, slip.mismatch, slip.amount) == (105, False, Decimal("1312.50"))
    assert slip.tolerance_percent == Decimal("5.00")

    complaint = act(
        complaint,
        "open_return_slip",
        org.production_head,
        reason="第二批",
        approved_quantity=100,
        shipped_quantity=200,
        unit_price="2.00",
    )
    second = ReturnSlip.objects.filter(complaint=complaint).latest("pk")
    complaint = act(
        complaint, "receive_return", org.production_head, return_slip=second.pk, returned_quantity=106
    )
    second.refresh_from_db()
    assert second.mismatch is True
    event = ComplaintEvent.objects.filter(complaint=complaint, action="receive_return").latest("pk")
    assert event.data["mismatch"] is True
    # until decided it is booked on the approved quantity
    assert second.amount == Decimal("200.00")  # 100 × 2.00
    assert fulfilment_of(complaint).cost.flagged_returns == 1
    # (十三)2(2) 得请示后依实际状况签收: the decision, with its reason, books it on the actual quantity
    with pytest.raises(ValidationError):
        act(
            complaint,
            "settle_return_mismatch",
            org.production_head,
            return_slip=second.pk,
            booked_on="actual",
        )
    complaint = act(
        complaint,
        "settle_return_mismatch",
        org.production_head,
        return_slip=second.pk,
        booked_on="actual",
        comment="经副总核示，按实退数量入账",
    )
    second.refresh_from_db()
    assert second.booked_on == "actual" and second.amount == Decimal("212.00")  # 106 × 2.00
    assert fulfilment_of(complaint).cost.flagged_returns == 0
    with pytest.raises(ActionNotAllowed):  # nothing flagged any more: not offered
        act(
            complaint,
            "settle_return_mismatch",
            org.production_head,
            return_slip=second.pk,
            booked_on="approved",
            comment="x",
        )


def test_pcb_return_fewer_than_approved_is_booked_on_the_actual_quantity(pcb):
    """seed 002 (十三)2(1): 实退量小于核定量 … 应依成品退货单的实退数量开立传票."""
    org = pcb
    complaint = _pcb_complaint(org)
    complaint = act(
        complaint,
        "open_return_slip",
        org.production_head,
        reason="退货",
        approved_quantity=50,
        unit_price="2.00",
    )
    slip = ReturnSlip.objects.get(complaint=complaint)
    act(complaint, "receive_return", org.production_head, return_slip=slip.pk, returned_quantity=40)
    slip.refresh_from_db()
    assert (slip.mismatch, slip.amount) == (False, Decimal("80.00"))


def test_a_return_larger_than_the_shipment_without_a_tolerance_is_an_error(pcb):
    org = pcb
    complaint = _pcb_complaint(org)
    complaint = act(
        complaint,
        "open_return_slip",
        org.production_head,
        reason="退货",
        approved_quantity=100,
        shipped_quantity=100,
    )
    slip = ReturnSlip.objects.get(complaint=complaint)
    version = complaint.version
    with pytest.raises(ValidationError) as error:
        act(complaint, "receive_return", org.production_head, return_slip=slip.pk, returned_quantity=101)
    assert "returned_quantity" in error.value.message_dict
    assert "no over-delivery tolerance" in " ".join(error.value.message_dict["returned_quantity"])
    slip.refresh_from_db()
    complaint.refresh_from_db()
    assert slip.received_at is None and complaint.version == version


def test_pcb_credit_note_numbered_approved_by_manager_then_gm_sealed_and_sent_to_accounting(pcb):
    """seed 002 (十三)1(1): 开立销货折让证明单一式二联,呈经(副)理、总(副)经理核签及送客户签章后一份存
    业务部,一份送会计作帐."""
    org = pcb
    complaint = _pcb_complaint(org)
    decided(org, complaint, approver=org.sales_head, compensation="300.00")
    complaint = act(complaint, "issue_credit_note", org.production_head, kind="allowance", amount="300.00")
    note = CreditNote.objects.get(complaint=complaint)
    assert note.number.startswith("ZR2026") and note.status == CreditStatus.PROPOSED
    assert [s.user.username for s in approvers_now(note.approval)] == ["saleshead"]
    decide_approval(approval=note.approval, by=org.sales_head, approve=True)
    note.refresh_from_db()
    assert note.status == CreditStatus.PROPOSED  # the (vice) GM signs next
    assert {s.user.username for s in approvers_now(note.approval)} == {"gm", "vp"}
    decide_approval(approval=note.approval, by=org.gm, approve=True)
    note.refresh_from_db()
    assert note.status == CreditStatus.APPROVED
    with pytest.raises(ActionNotAllowed) as refused:
        act(complaint, "send_credit_note_to_accounting", org.clerk, credit_note=note.pk)
    assert "seal" in str(refused.value)  # not sealed by the customer yet
    complaint = act(
        complaint,
        "seal_credit_note",
        org.clerk,
        credit_note=note.pk,
        sealed_by="华通采购 刘",
        sealed_at=note.issued_at.isoformat(),
    )
    complaint = act(complaint, "send_credit_note_to_accounting", org.clerk, credit_note=note.pk)
    note.refresh_from_db()
    assert note.sealed_by == "华通采购 刘" and note.sent_to_accounting_at is not None
    f = fulfilment_of(complaint)
    assert f.cost.credit_amount == Decimal("300.00")
    # the next certificate draws the next number
    complaint = act(complaint, "issue_credit_note", org.production_head, kind="compensation", amount="10.00")
    numbers = sorted(CreditNote.objects.values_list("number", flat=True))
    assert numbers[1] == numbers[0][:-4] + f"{int(numbers[0][-4:]) + 1:04d}"


def test_a_not_upheld_complaint_keeps_the_normal_collection_terms(pcb):
    """seed 002 (十三)3(3): only a complaint that affects receivables (an upheld one) has its items'
    receivable amounts excluded from the sales collection figures."""
    org = pcb
    complaint = _pcb_complaint(org)
    decided(org, complaint, cause="not_upheld", approver=org.sales_head)
    # not offered, and refused with the reason
    with pytest.raises(ActionNotAllowed) as error:
        act(complaint, "record_receivable", org.production_head, item="PCB-4L-001", amount="5000.00")
    assert "normal collection terms" in str(error.value)
    f = fulfilment_of(complaint)
    assert f.collection_terms == "normal" and f.receivables == []
    assert f.cost.upheld is False


def test_an_upheld_complaint_records_the_receivable_affected_per_item(pcb):
    org = pcb
    complaint = _pcb_complaint(org)
    decided(org, complaint, approver=org.sales_head)
    complaint = act(complaint, "record_receivable", org.production_head, item="PCB-4L-001", amount="5000.00")
    complaint = act(complaint, "record_receivable", org.production_head, item="PCB-6L-002", amount="1200.50")
    with pytest.raises(ValidationError):
        act(complaint, "record_receivable", org.production_head, item="PCB-4L-001", amount="1.00")
    f = fulfilment_of(complaint)
    assert f.collection_terms == "affected" and f.receivable_total == Decimal("6200.50")


# ---------------------------------------------------------------------------------------------
# liquor (seed 000 第三篇 二 3.2)


@pytest.fixture
def liquor(org):
    from kesu.rulebook.services import apply_preset

    apply_preset(name="liquor")
    return org


def test_liquor_mould_within_15_days_of_shipment_is_returned_unconditionally_storage_damage_never(liquor):
    org = liquor
    with time_machine.travel(local(2026, 11, 20, 9), tick=False):
        complaint = register_complaint(
            by=org.clerk,
            intake=intake(category=Category.objects.get(code="quality"), received_at=local(2026, 11, 20, 8)),
        )
        complaint = advance(complaint, org, Status.INVESTIGATING)  # the quality department investigates
        complaint = act(
            complaint,
            "open_return_slip",
            org.clerk,
            reason="瓶内发霉",
            approved_quantity=6,
            rule="mould_within_15_days",
            shipped_at="2026-11-05T10:00:00+08:00",
        )
        assert ReturnSlip.objects.filter(complaint=complaint, rule__code="mould_within_15_days").count() == 1
        with pytest.raises(ValidationError) as late:
            act(
                complaint,
                "open_return_slip",
                org.clerk,
                reason="瓶内发霉",
                approved_quantity=6,
                rule="mould_within_15_days",
                shipped_at="2026-11-04T10:00:00+08:00",
            )
        assert "rule" in late.value.message_dict
        with pytest.raises(ValidationError) as storage:
            act(
                complaint,
                "open_return_slip",
                org.clerk,
                reason="仓库潮湿",
                approved_quantity=6,
                rule="storage_damage",
            )
        assert "rule" in storage.value.message_dict
        act(complaint, "open_return_slip", org.clerk, reason="沉淀", approved_quantity=2, rule="sediment")
    assert ReturnSlip.objects.filter(complaint=complaint).count() == 2
