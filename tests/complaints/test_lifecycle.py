"""The complaint lifecycle through the service layer: every action, its timeline entry, its guards."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kesu.complaints import services
from kesu.complaints.models import Category, ComplaintEvent, ProcedureStep, Status, TransferSlip
from kesu.core.errors import ActionNotAllowed, StaleVersion
from tests.conftest import advance, intake


def test_full_path_writes_one_timeline_entry_per_action(org, register):
    # given a registered, classified complaint
    complaint = register()
    assert complaint.status == Status.CLASSIFIED

    # when it walks the whole main path
    complaint = advance(complaint, org, Status.CLOSED)

    # then the timeline shows every step, in order, with who did it
    events = list(complaint.events.order_by("at", "id").values_list("action", "actor__display_name"))
    assert events == [
        ("registered", "王专员"),
        ("propose_transfer", "王专员"),
        ("approve_transfer", "赵总"),
        ("accept_transfer", "孙经理"),
        ("start_investigation", "周师傅"),
        ("propose_resolution", "周师傅"),
        ("reply_to_customer", "王专员"),
        ("record_delivery", "王专员"),  # quality: visited after delivery (seed 000 4.4 1)
        ("record_follow_up", "王专员"),
        ("close", "王专员"),
    ]
    assert complaint.closed_at is not None
    assert complaint.version == len(events)


def test_transfer_slip_records_who_handed_over_and_who_received(org, register):
    complaint = advance(register(), org, Status.ACCEPTED)
    slip = TransferSlip.objects.get(complaint=complaint)
    assert slip.state == TransferSlip.State.ACCEPTED
    assert slip.proposed_by == org.clerk
    assert slip.approved_by == org.gm
    assert slip.received_by == org.production_head
    assert slip.received_at is not None
    assert complaint.handler == org.production_handler
    assert complaint.handling_department == org.production


def test_procedure_without_approval_step_skips_the_gm(org, register):
    # given a suggestion procedure whose GM approval step an administrator removed (the furniture
    # seed itself has every transfer approved: 4.2.2.2 5))
    suggestion = Category.objects.get(code="suggestion")
    ProcedureStep.objects.filter(procedure__category=suggestion, action="approve_transfer").delete()
    complaint = register(category=suggestion)
    complaint = services.propose_transfer(
        complaint=complaint, by=org.clerk, to_department=org.production, reason="建议转生产部研究"
    )
    assert complaint.status == Status.TRANSFER_APPROVED
    assert complaint.events.last().data["approval_required"] is False


def test_grievance_answered_on_the_spot(org, register):
    complaint = register(category=Category.objects.get(code="grievance"))
    complaint = services.answer_on_spot(complaint=complaint, by=org.clerk, reply="已向客户解释退换货政策")
    assert complaint.status == Status.CLOSED
    assert complaint.reply == "已向客户解释退换货政策"


def test_answer_on_spot_refused_for_quality_complaints(org, register):
    complaint = register()
    with pytest.raises(ActionNotAllowed) as error:
        services.answer_on_spot(complaint=complaint, by=org.clerk, reply="x")
    assert "propose_transfer" in error.value.allowed
    assert "answer_on_spot" not in error.value.allowed


def test_registration_without_class_waits_for_classification(org, register):
    complaint = register(category=None)
    assert complaint.status == Status.REGISTERED
    with pytest.raises(ActionNotAllowed) as error:
        services.propose_transfer(complaint=complaint, by=org.clerk, to_department=org.production, reason="r")
    assert error.value.allowed[0] == "classify"
    complaint = services.classify_complaint(
        complaint=complaint, by=org.clerk, category=Category.objects.get(code="service_quality")
    )
    assert complaint.status == Status.CLASSIFIED
    assert complaint.events.last().data["category"] == {"old": None, "new": "service_quality"}


def test_return_for_rework_and_rejections(org, register):
    complaint = advance(register(), org, Status.RESOLUTION_PROPOSED)
    complaint = services.return_for_rework(complaint=complaint, by=org.director, comment="方案不完整")
    assert complaint.status == Status.INVESTIGATING

    other = advance(register(), org, Status.TRANSFER_PROPOSED)
    other = services.reject_transfer(complaint=other, by=org.gm, comment="应转质量部")
    assert other.status == Status.CLASSIFIED
    assert other.handling_department is None
    assert TransferSlip.objects.get(complaint=other).state == TransferSlip.State.REJECTED


def test_department_declines_and_desk_reroutes(org, register):
    complaint = advance(register(), org, Status.TRANSFER_APPROVED)
    complaint = services.decline_transfer(complaint=complaint, by=org.production_head, comment="非本部门问题")
    assert complaint.status == Status.CLASSIFIED
    complaint = services.propose_transfer(
        complaint=complaint, by=org.clerk, to_department=org.quality, reason="转质量部"
    )
    complaint = services.approve_transfer(complaint=complaint, by=org.gm)
    complaint = services.accept_transfer(complaint=complaint, by=org.quality_head)
    assert complaint.handling_department == org.quality
    assert complaint.handler == org.quality_head


def test_not_upheld_needs_reason_and_can_be_reopened(org, register):
    complaint = advance(register(), org, Status.INVESTIGATING)
    with pytest.raises(ValidationError) as error:
        services.mark_not_upheld(complaint=complaint, by=org.production_head, comment="  ")
    assert "comment" in error.value.message_dict
    complaint = services.mark_not_upheld(complaint=complaint, by=org.production_head, comment="客户使用不当")
    assert complaint.status == Status.NOT_UPHELD
    assert complaint.closed_at is not None
    complaint = services.reopen_complaint(complaint=complaint, by=org.director, comment="客户提供新证据")
    assert complaint.status == Status.INVESTIGATING
    assert complaint.closed_at is None


def test_withdrawn_complaint_reopens_to_the_desk(org, register):
    complaint = services.withdraw_complaint(complaint=register(), by=org.clerk, comment="客户撤诉")
    assert complaint.status == Status.WITHDRAWN
    complaint = services.reopen_complaint(complaint=complaint, by=org.gm, comment="客户再次来电")
    assert complaint.status == Status.CLASSIFIED


def test_secondary_complaint_is_new_and_linked(org, register):
    first = advance(register(), org, Status.CLOSED)
    second = services.file_secondary_complaint(
        complaint=first,
        by=org.clerk,
        description="维修后再次开裂",
        received_at=first.received_at,
        channel="phone",
    )
    assert second.pk != first.pk and second.number != first.number
    assert second.parent == first
    assert second.customer == first.customer and second.category == first.category
    assert first.events.last().data == {"secondary": second.number}


def test_correction_keeps_old_and_new_values(org, register):
    complaint = register(complainant_phone="13800000000", quantity=10, defective_quantity=2)
    complaint = services.correct_complaint(
        complaint=complaint,
        by=org.clerk,
        changes={"complainant_phone": "13900000000", "defective_quantity": 3},
        reason="客户更正电话与不良数量",
    )
    complaint.refresh_from_db()
    assert complaint.complainant_phone == "13900000000"
    event = complaint.events.last()
    assert event.action == "correct"
    assert event.comment == "客户更正电话与不良数量"
    assert event.data["changes"] == {
        "complainant_phone": {"old": "13800000000", "new": "13900000000"},
        "defective_quantity": {"old": 2, "new": 3},
    }


def test_correction_that_breaks_a_rule_changes_nothing(org, register):
    complaint = register(quantity=10, defective_quantity=2)
    with pytest.raises(ValidationError) as error:
        services.correct_complaint(
            complaint=complaint, by=org.clerk, changes={"defective_quantity": 11}, reason="x"
        )
    assert "defective_quantity" in error.value.message_dict
    complaint.refresh_from_db()
    assert complaint.defective_quantity == 2
    assert complaint.events.count() == 1


def test_stale_version_is_refused(org, register):
    complaint = register()
    stale_version = complaint.version
    services.add_comment(complaint=complaint, by=org.clerk, comment="已电话确认", version=stale_version)
    with pytest.raises(StaleVersion):
        services.propose_transfer(
            complaint=complaint, by=org.clerk, to_department=org.production, reason="r", version=stale_version
        )
    complaint.refresh_from_db()
    assert complaint.status == Status.CLASSIFIED


def test_invalid_registration_saves_nothing(org):
    with pytest.raises(ValidationError) as error:
        services.register_complaint(
            by=org.clerk,
            intake=intake(
                complainant_name="", description="", channel="pigeon", quantity=1, defective_quantity=5
            ),
        )
    assert {"complainant_name", "description", "channel", "defective_quantity"} <= set(
        error.value.message_dict
    )
    from kesu.complaints.models import Complaint
    from kesu.rulebook.models import NumberCounter

    assert Complaint.objects.count() == 0
    assert not NumberCounter.objects.filter(last_value__gt=0).exists()


def test_timeline_is_append_only(org, register):
    complaint = register()
    event = complaint.events.get()
    event.comment = "changed"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        ComplaintEvent.objects.filter(complaint=complaint).update(comment="x")
    with pytest.raises(TypeError):
        ComplaintEvent.objects.filter(complaint=complaint).delete()
