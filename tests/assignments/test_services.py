"""Department tasks (会办) and the distribution of the result, through the services.

Seed 002 (PCB) 第(九)4: QA, production, R&D and sales each do their part of one complaint;
第(九)8: the result is filed in five copies (QA, production, sales, accounting, GM office).
Seed 003: a cross-department complaint goes up within 1 working day."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from kesu.assignments import selectors, services
from kesu.assignments.models import Distribution, DueUnit, Task, TaskStatus
from kesu.assignments.services import TaskSpec
from kesu.complaints import services as complaint_services
from kesu.complaints.models import Complaint, ComplaintEvent, Status
from kesu.complaints.selectors import complaints_visible_to
from kesu.core.errors import ActionNotAllowed
from tests.assignments.conftest import four_tasks
from tests.conftest import advance, intake, local


def _open_four(accepted, org, pcb) -> dict[str, Task]:
    tasks = services.open_tasks(complaint=accepted, by=org.clerk, tasks=four_tasks(org, pcb))
    return {t.kind: t for t in tasks}


def test_seed_002_four_departments_hold_tasks_on_one_complaint_at_once(accepted, org, pcb):
    version = accepted.version

    tasks = _open_four(accepted, org, pcb)

    assert {(t.department.code, t.kind, t.status) for t in tasks.values()} == {
        ("quality", "原因分析", "open"),
        ("production", "改善对策", "open"),
        ("rnd", "研发意见", "open"),
        ("sales", "客户协商", "open"),
    }
    assert tasks["原因分析"].assignee == pcb.inspector
    event = accepted.events.order_by("-pk").first()
    assert event.action == "tasks_opened" and event.actor == org.clerk
    assert event.data["tasks"] == [
        "质量部：原因分析",
        "生产部：改善对策",
        "研发部：研发意见",
        "销售部：客户协商",
    ]
    accepted.refresh_from_db()
    assert accepted.status == Status.ACCEPTED and accepted.version == version  # the complaint is as it was


def test_the_responsible_department_head_opens_tasks_but_another_head_does_not(accepted, org, pcb):
    # production is responsible for the accepted complaint
    services.open_tasks(
        complaint=accepted, by=org.production_head, tasks=[TaskSpec(department=pcb.rnd, kind="研发意见")]
    )
    with pytest.raises(ActionNotAllowed):
        services.open_tasks(
            complaint=accepted, by=org.quality_head, tasks=[TaskSpec(department=pcb.rnd, kind="复核")]
        )
    with pytest.raises(ActionNotAllowed):
        services.open_tasks(
            complaint=accepted, by=pcb.accountant, tasks=[TaskSpec(department=pcb.rnd, kind="复核")]
        )
    assert Task.objects.count() == 1


def test_each_department_completes_only_its_own_task(accepted, org, pcb):
    tasks = _open_four(accepted, org, pcb)

    with pytest.raises(ActionNotAllowed) as refused:
        services.complete_task(task=tasks["改善对策"], by=org.quality_head, result="不是我们的")
    assert refused.value.allowed == []
    with pytest.raises(ActionNotAllowed):  # a handler who is not the assignee
        services.complete_task(task=tasks["改善对策"], by=org.production_handler, result="x")

    services.complete_task(task=tasks["原因分析"], by=pcb.inspector, result="锡面氧化，责任单位：电镀课")
    services.complete_task(task=tasks["改善对策"], by=org.production_head, result="增加烘烤工序")
    services.complete_task(task=tasks["研发意见"], by=pcb.rnd_head, result="调整药水配方")

    done = {t.kind: t for t in Task.objects.all()}
    assert done["原因分析"].status == TaskStatus.DONE and done["原因分析"].done_by == pcb.inspector
    assert done["原因分析"].result == "锡面氧化，责任单位：电镀课"
    assert done["客户协商"].status == TaskStatus.OPEN
    assert list(accepted.events.filter(action="task_done").values_list("comment", flat=True)) == [
        "锡面氧化，责任单位：电镀课",
        "增加烘烤工序",
        "调整药水配方",
    ]
    with pytest.raises(ActionNotAllowed):  # done is done
        services.complete_task(task=done["原因分析"], by=pcb.inspector, result="again")


def test_the_head_assigns_a_member_of_the_department_only(accepted, org, pcb):
    tasks = _open_four(accepted, org, pcb)

    with pytest.raises(ValidationError) as invalid:
        services.assign_task(task=tasks["改善对策"], by=org.production_head, assignee=pcb.inspector)
    assert "assignee" in invalid.value.message_dict
    with pytest.raises(ActionNotAllowed):
        services.assign_task(task=tasks["改善对策"], by=org.clerk, assignee=org.production_handler)

    services.assign_task(task=tasks["改善对策"], by=org.production_head, assignee=org.production_handler)
    services.complete_task(task=tasks["改善对策"], by=org.production_handler, result="增加烘烤工序")

    assert Task.objects.get(pk=tasks["改善对策"].pk).done_by == org.production_handler


def test_all_tasks_done_waits_for_all_or_for_the_named_kinds(accepted, org, pcb):
    tasks = _open_four(accepted, org, pcb)
    waits_for_qa_and_production = selectors.waiting_for(["原因分析", "改善对策"])
    assert not selectors.all_tasks_done(complaint=accepted)
    assert "质量部：原因分析" in selectors.tasks_pending(accepted)

    services.complete_task(task=tasks["原因分析"], by=pcb.inspector, result="氧化")
    services.complete_task(task=tasks["改善对策"], by=org.production_head, result="烘烤")

    assert selectors.all_tasks_done(complaint=accepted, kinds=["原因分析", "改善对策"])
    assert waits_for_qa_and_production(accepted) is None
    assert not selectors.all_tasks_done(complaint=accepted)
    assert "研发部：研发意见" in selectors.tasks_pending(accepted)

    services.complete_task(task=tasks["研发意见"], by=pcb.rnd_head, result="无")
    services.cancel_task(task=tasks["客户协商"], by=org.clerk, reason="客户已撤回要求")

    assert selectors.all_tasks_done(complaint=accepted)
    assert selectors.tasks_pending(accepted) is None


def test_a_tasks_department_sees_the_complaint_and_an_unrelated_one_does_not(accepted, org, pcb):
    def sees(staff) -> bool:
        return Complaint.objects.filter(
            selectors.complaints_visible_through_tasks(staff=staff), pk=accepted.pk
        ).exists()

    assert not sees(pcb.rnd_head)
    tasks = _open_four(accepted, org, pcb)

    assert sees(pcb.rnd_head) and sees(pcb.inspector) and sees(pcb.sales_head)
    assert not sees(pcb.logistics_head) and not sees(pcb.accountant)
    assert selectors.complaint_for_tasks(staff=pcb.rnd_head, number=accepted.number) == accepted
    assert selectors.complaint_for_tasks(staff=pcb.logistics_head, number=accepted.number) is None
    # the registry ORs it into complaints' own scope (list, page, API, search)
    assert complaints_visible_to(staff=pcb.rnd_head).filter(pk=accepted.pk).exists()
    assert not complaints_visible_to(staff=pcb.logistics_head).filter(pk=accepted.pk).exists()

    services.complete_task(task=tasks["研发意见"], by=pcb.rnd_head, result="无")
    assert sees(pcb.rnd_head)  # done: still sees what it worked on
    services.cancel_task(task=tasks["客户协商"], by=org.clerk, reason="不需要")
    assert not sees(pcb.sales_head)  # cancelled: no access by it


def _complaint_about(org, pcb, *accused):
    complaint = complaint_services.register_complaint(
        by=org.clerk, intake=intake(), accused_staff=list(accused)
    )
    return advance(complaint, org, Status.ACCEPTED)


def test_the_accused_never_acts_on_their_task_nor_is_named_for_one(org, pcb):
    """Recusal (回避): the quality head is complained about."""
    complaint = _complaint_about(org, pcb, org.quality_head)
    with pytest.raises(ValidationError) as invalid:
        services.open_tasks(
            complaint=complaint,
            by=org.clerk,
            tasks=[TaskSpec(department=org.quality, kind="原因分析", assignee=org.quality_head)],
        )
    assert list(invalid.value.message_dict) == ["tasks.0.assignee"]
    [task] = services.open_tasks(
        complaint=complaint, by=org.clerk, tasks=[TaskSpec(department=org.quality, kind="原因分析")]
    )

    with pytest.raises(ActionNotAllowed) as refused:
        services.complete_task(task=task, by=org.quality_head, result="没问题")
    assert "回避" in str(refused.value)
    with pytest.raises(ActionNotAllowed):
        services.assign_task(task=task, by=org.quality_head, assignee=pcb.inspector)
    assert not Complaint.objects.filter(
        selectors.complaints_visible_through_tasks(staff=org.quality_head), pk=complaint.pk
    ).exists()
    assert selectors.open_tasks_for(staff=org.quality_head) == []
    assert Task.objects.get().status == TaskStatus.OPEN


def test_an_accused_clerk_cannot_open_tasks(org, pcb):
    complaint = _complaint_about(org, pcb, org.director)
    with pytest.raises(ActionNotAllowed) as refused:
        services.open_tasks(
            complaint=complaint, by=org.director, tasks=[TaskSpec(department=pcb.rnd, kind="x")]
        )
    assert "回避" in str(refused.value)


def _absent(staff, deputy):
    staff.deputy = deputy
    staff.absent_from = timezone.now() - timedelta(hours=1)
    staff.save()


def test_a_deputy_of_the_absent_head_completes_the_departments_task(accepted, org, pcb):
    tasks = _open_four(accepted, org, pcb)
    _absent(pcb.rnd_head, pcb.accountant)  # the R&D head is away; the accountant stands in

    services.complete_task(task=tasks["研发意见"], by=pcb.accountant, result="药水配方需调整")

    event = accepted.events.get(action="task_done")
    assert event.actor == pcb.accountant and event.acting_for == pcb.rnd_head
    assert [t.kind for t in selectors.open_tasks_for(staff=pcb.accountant)] == []


def test_a_deputy_does_not_act_for_an_accused_absent_head(org, pcb):
    complaint = _complaint_about(org, pcb, org.quality_head)
    [task] = services.open_tasks(
        complaint=complaint, by=org.clerk, tasks=[TaskSpec(department=org.quality, kind="原因分析")]
    )
    _absent(org.quality_head, pcb.accountant)

    with pytest.raises(ActionNotAllowed):
        services.complete_task(task=task, by=pcb.accountant, result="x")


def test_open_tasks_for_lists_my_departments_open_tasks_earliest_due_first(accepted, org, pcb):
    with time_machine.travel(local(2026, 11, 16, 11), tick=False):
        services.open_tasks(
            complaint=accepted,
            by=org.clerk,
            tasks=[
                TaskSpec(department=org.quality, kind="原因分析"),
                TaskSpec(department=org.quality, kind="复验", due_amount=2, due_unit=DueUnit.WORKING_HOURS),
                TaskSpec(department=org.production, kind="改善对策"),
            ],
        )
    assert [t.kind for t in selectors.open_tasks_for(staff=org.quality_head)] == ["复验", "原因分析"]
    assert [t.kind for t in selectors.open_tasks_for(staff=pcb.inspector)] == ["复验", "原因分析"]
    assert [t.kind for t in selectors.open_tasks_for(staff=org.production_handler)] == ["改善对策"]
    assert selectors.open_tasks_for(staff=pcb.logistics_head) == []


def test_seed_002_five_copies_each_acknowledged_once_by_its_department(accepted, org, pcb):
    copies = [org.quality, org.production, org.sales, pcb.accounting, pcb.office]

    sent = services.distribute_result(
        complaint=accepted, by=org.clerk, departments=copies, note="核决：折让5%"
    )

    assert [d.department.code for d in sent] == ["quality", "production", "sales", "accounting", "gm-office"]
    assert accepted.events.get(action="result_distributed").data["departments"] == [
        "质量部",
        "生产部",
        "销售部",
        "会计科",
        "总经办",
    ]
    by_department = {d.department_id: d for d in sent}
    with pytest.raises(ActionNotAllowed):  # not a member of accounting
        services.acknowledge_distribution(distribution=by_department[pcb.accounting.pk], by=org.clerk)
    readers = {
        org.quality.pk: pcb.inspector,
        org.production.pk: org.production_handler,
        org.sales.pk: pcb.sales_head,
        pcb.accounting.pk: pcb.accountant,
        pcb.office.pk: org.gm,
    }
    for department_id, reader in readers.items():
        services.acknowledge_distribution(distribution=by_department[department_id], by=reader)
    with pytest.raises(ActionNotAllowed) as refused:
        services.acknowledge_distribution(distribution=by_department[pcb.accounting.pk], by=pcb.accountant)
    assert "会计科" in str(refused.value)

    rows = Distribution.objects.filter(complaint=accepted)
    assert {d.department_id: d.acknowledged_by for d in rows} == readers
    assert accepted.events.filter(action="distribution_acknowledged").count() == 5
    with pytest.raises(ValidationError) as again:
        services.distribute_result(complaint=accepted, by=org.clerk, departments=[pcb.accounting])
    assert "会计科" in again.value.message_dict["departments"][0]


def test_a_copy_makes_the_complaint_readable_to_the_receiving_department_only(accepted, org, pcb):
    services.distribute_result(complaint=accepted, by=org.clerk, departments=[pcb.accounting])
    assert selectors.complaint_for_tasks(staff=pcb.accountant, number=accepted.number) == accepted
    assert selectors.complaint_for_tasks(staff=pcb.logistics_head, number=accepted.number) is None


def test_bad_input_writes_nothing(accepted, org, pcb):
    events = ComplaintEvent.objects.count()
    with pytest.raises(ValidationError) as invalid:
        services.open_tasks(
            complaint=accepted,
            by=org.clerk,
            tasks=[
                TaskSpec(department=org.quality, kind="原因分析"),
                TaskSpec(department=pcb.rnd, kind="研" * 61),
                TaskSpec(department=org.sales, kind="  "),
                TaskSpec(department=org.production, kind="改善对策", assignee=pcb.inspector),
                TaskSpec(department=pcb.rnd, kind="意见", due_amount=0),
            ],
        )
    assert set(invalid.value.message_dict) == {
        "tasks.1.kind",
        "tasks.2.kind",
        "tasks.3.assignee",
        "tasks.4.due_amount",
    }
    with pytest.raises(ValidationError) as empty:
        services.open_tasks(complaint=accepted, by=org.clerk, tasks=[])
    assert "tasks" in empty.value.message_dict
    [task] = services.open_tasks(
        complaint=accepted, by=org.clerk, tasks=[TaskSpec(department=org.quality, kind="原因分析")]
    )
    with pytest.raises(ValidationError):  # the same task twice in one department
        services.open_tasks(
            complaint=accepted, by=org.clerk, tasks=[TaskSpec(department=org.quality, kind="原因分析")]
        )
    with pytest.raises(ValidationError) as blank:
        services.complete_task(task=task, by=org.quality_head, result=" ")
    assert "result" in blank.value.message_dict
    with pytest.raises(ValidationError):
        services.cancel_task(task=task, by=org.clerk, reason="")

    assert Task.objects.count() == 1 and Task.objects.get().status == TaskStatus.OPEN
    assert ComplaintEvent.objects.count() == events + 1


def test_seed_003_a_limit_in_working_days_skips_the_national_day_holiday(org, pcb, register):
    """Opened Wednesday 2026-09-30: 1–7 October are days off, so 2 working days end on Friday
    9 October 17:30 and 3 working days on Saturday 10 October, a make-up working day (调休)."""
    with time_machine.travel(local(2026, 9, 30, 9), tick=False):
        complaint = advance(register(received_at=local(2026, 9, 30, 8, 30)), org, Status.ACCEPTED)
    with time_machine.travel(local(2026, 9, 30, 10), tick=False):
        one, two, three = services.open_tasks(
            complaint=complaint,
            by=org.clerk,
            tasks=[
                TaskSpec(department=org.sales, kind="跨部门呈报", due_amount=1),
                TaskSpec(department=org.quality, kind="原因分析", due_amount=2),
                TaskSpec(department=pcb.rnd, kind="研发意见", due_amount=3, due_unit=DueUnit.WORKING_DAYS),
            ],
        )
    assert one.due_at == local(2026, 10, 8, 17, 30)
    assert two.due_at == local(2026, 10, 9, 17, 30)
    assert three.due_at == local(2026, 10, 10, 17, 30)


def test_a_limit_in_working_hours_skips_the_mid_autumn_holiday(org, pcb, register):
    """Thursday 2026-09-24 16:30 plus 4 working hours: one hour that day, 25–27 September are days
    off, three more hours on Monday the 28th from 08:30."""
    with time_machine.travel(local(2026, 9, 24, 9), tick=False):
        complaint = advance(register(received_at=local(2026, 9, 24, 8, 30)), org, Status.ACCEPTED)
    with time_machine.travel(local(2026, 9, 24, 16, 30), tick=False):
        [task] = services.open_tasks(
            complaint=complaint,
            by=org.clerk,
            tasks=[
                TaskSpec(department=org.quality, kind="复验", due_amount=4, due_unit=DueUnit.WORKING_HOURS)
            ],
        )
    assert task.due_at == local(2026, 9, 28, 11, 30)
    assert task.is_overdue(at=local(2026, 9, 28, 11, 31)) and not task.is_overdue(
        at=local(2026, 9, 28, 11, 29)
    )


def test_a_limit_beyond_the_calendar_is_a_field_error(accepted, org, pcb):
    with time_machine.travel(local(2026, 12, 30, 10), tick=False), pytest.raises(ValidationError) as invalid:
        services.open_tasks(
            complaint=accepted,
            by=org.clerk,
            tasks=[TaskSpec(department=org.quality, kind="原因分析", due_amount=5)],
        )
    assert "2027" in invalid.value.message_dict["tasks.0.due_amount"][0]
    assert not Task.objects.exists()


def test_no_task_is_opened_on_a_closed_complaint(accepted, org, pcb):
    closed = complaint_services.withdraw_complaint(complaint=accepted, by=org.clerk, comment="客户撤回")
    with pytest.raises(ActionNotAllowed):
        services.open_tasks(complaint=closed, by=org.clerk, tasks=[TaskSpec(department=pcb.rnd, kind="x")])


def test_every_timeline_entry_the_app_writes_has_a_label(accepted, org, pcb):
    from kesu.assignments.events import EVENT_LABELS

    tasks = _open_four(accepted, org, pcb)
    services.assign_task(task=tasks["改善对策"], by=org.production_head, assignee=org.production_handler)
    services.complete_task(task=tasks["改善对策"], by=org.production_handler, result="烘烤")
    services.cancel_task(task=tasks["客户协商"], by=org.clerk, reason="不需要")
    [copy] = services.distribute_result(complaint=accepted, by=org.clerk, departments=[org.sales])
    services.acknowledge_distribution(distribution=copy, by=pcb.sales_head)

    written = set(accepted.events.values_list("action", flat=True)) - {"registered", "propose_transfer"}
    written -= {"approve_transfer", "accept_transfer"}
    assert written == set(EVENT_LABELS)
