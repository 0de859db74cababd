"""Nobody waits unseen (issue 8 §5) beyond the workflow's actions: an approval waiting (核决), a
department task opened, assigned or done (会办), a result to acknowledge (签收). Each hand-over is
computed by the worker from the committed timeline entry (tests: huey's immediate mode, run by the
action's after-commit callback) and tells the right person — or the deputy of an absent one — once;
never the person who acted, never someone complained about (回避)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from kesu.approvals.models import ApprovalRule
from kesu.approvals.services import decide_approval, request_approval
from kesu.assignments import services as tasks
from kesu.assignments.services import TaskSpec
from kesu.complaints.models import ComplaintEvent, Status
from kesu.notifications import handover
from kesu.notifications.models import Notification
from kesu.organization.models import Role, Staff
from tests.approvals.conftest import GM, VP, rule
from tests.conftest import advance, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(org):
    """The persona company, everyone with an e-mail address, and no approval rules but the test's."""
    ApprovalRule.objects.all().delete()
    for person in Staff.objects.select_related("user"):
        person.user.email = f"{person.user.username}@example.com"
        person.user.save()
    return org


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    """Run one act in its own transaction, then what it queued after commit (the hand-over task,
    run inline by huey's immediate mode, and its e-mails); return the act's result."""

    def run(step):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            return step()

    return run


def told(complaint, action: str) -> list[str]:
    """Who the last ``action`` entry on ``complaint`` told, by username; each at most once."""
    event = ComplaintEvent.objects.filter(complaint=complaint, action=action).latest("at", "id")
    names = list(
        Notification.objects.filter(dedup_key=f"handover:{event.pk}").values_list(
            "recipient__user__username", flat=True
        )
    )
    assert len(names) == len(set(names))
    return sorted(names)


def mailed() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def absent(person: Staff, deputy: Staff) -> None:
    person.deputy = deputy
    person.absent_from = timezone.now() - timedelta(days=1)
    person.absent_until = timezone.now() + timedelta(days=3)
    person.save()


def ask(org, complaint):
    return request_approval(
        complaint=complaint, step="decision", amount=Decimal("1200.00"), by=org.clerk, subject="退款呈核"
    )


# --- approvals (核决权限) ---------------------------------------------------------------------


def test_each_approval_level_is_told_in_turn_and_the_requester_when_decided(company, register, act):
    """Levels in sequence (VP then GM): the first level's approver when requested, the next one
    when a level completes, the person who asked when it is decided; each once."""
    org = company
    rule("decision", None, None, None, ("any", [VP]), ("any", [GM]))
    complaint = register()

    approval = act(lambda: ask(org, complaint))
    assert told(complaint, "approval_requested") == ["vp"]
    assert mailed() == ["vp@example.com"]
    note = Notification.objects.get(recipient=org.vp)
    assert note.kind == Notification.Kind.HANDOVER and note.complaint == complaint
    assert "退款呈核" in note.title and complaint.number in note.title

    approval = act(lambda: decide_approval(approval=approval, by=org.vp, approve=True))
    assert told(complaint, "approval_decided") == ["gm"]
    assert mailed() == ["gm@example.com"]

    act(lambda: decide_approval(approval=approval, by=org.gm, approve=True))
    assert told(complaint, "approval_decided") == ["clerk"]
    assert mailed() == ["clerk@example.com"]
    assert Notification.objects.filter(recipient=org.gm).count() == 1


def test_a_refusal_goes_back_to_the_requester(company, register, act):
    org = company
    rule("decision", None, None, None, ("any", [VP]), ("any", [GM]))
    approval = act(lambda: ask(org, register()))
    act(lambda: decide_approval(approval=approval, by=org.vp, approve=False, reason="金额过高"))
    assert told(approval.complaint, "approval_decided") == ["clerk"]
    assert "金额过高" in Notification.objects.get(recipient=org.clerk).body


def test_all_of_tells_nobody_new_until_the_level_is_complete(company, register, act):
    """会签: the first of two approvals completes nothing, so nobody is told; the second does."""
    org = company
    rule("decision", None, None, None, ("all", [VP, GM]), ("any", [{"staff": org.director}]))
    approval = act(lambda: ask(org, register()))
    assert told(approval.complaint, "approval_requested") == ["gm", "vp"]

    act(lambda: decide_approval(approval=approval, by=org.vp, approve=True))
    assert told(approval.complaint, "approval_decided") == []
    act(lambda: decide_approval(approval=approval, by=org.gm, approve=True))
    assert told(approval.complaint, "approval_decided") == ["director"]


def test_an_absent_approver_is_replaced_by_the_deputy(company, register, act):
    org = company
    rule("decision", None, None, None, ("any", [GM]))
    absent(org.gm, org.vp)
    approval = act(lambda: ask(org, register()))
    assert told(approval.complaint, "approval_requested") == ["vp"]
    assert mailed() == ["vp@example.com"]


def test_an_accused_approver_is_not_told(company, register, act):
    org = company
    rule("decision", None, None, None, ("any", [GM, VP]))
    complaint = register()
    complaint.accused_staff.add(org.gm)
    approval = act(lambda: ask(org, complaint))
    assert told(approval.complaint, "approval_requested") == ["vp"]


def test_a_repeated_approval_hand_over_tells_nobody_twice(company, register, act):
    org = company
    rule("decision", None, None, None, ("any", [VP]))
    approval = act(lambda: ask(org, register()))
    event = ComplaintEvent.objects.get(complaint=approval.complaint, action="approval_requested")
    mail.outbox.clear()

    handover.deliver(event_id=event.pk)  # a retried or duplicated task
    handover.deliver(event_id=event.pk)

    assert Notification.objects.filter(recipient=org.vp).count() == 1 and mail.outbox == []


# --- department tasks (会办) and distribution (分送/签收) -------------------------------------


@pytest.fixture
def accepted(company, register):
    """A complaint the production department handles (production head responsible)."""
    return advance(register(), company, Status.ACCEPTED)


def test_opened_tasks_tell_the_assignee_or_else_the_department_head(company, accepted, act):
    """Seed 002 第(九)4: QA (an inspector named), production and sales (no one named) at once."""
    org = company
    inspector = make_staff("inspector", "卫芳", org.quality, Role.HANDLER)
    sales_head = make_staff("saleshead", "孙志强", org.sales, Role.DEPARTMENT_HEAD)
    for person in (inspector, sales_head):
        person.user.email = f"{person.user.username}@example.com"
        person.user.save()

    act(
        lambda: tasks.open_tasks(
            complaint=accepted,
            by=org.clerk,
            tasks=[
                TaskSpec(department=org.quality, kind="原因分析", assignee=inspector),
                TaskSpec(department=org.production, kind="改善对策"),
                TaskSpec(department=org.sales, kind="客户协商"),
            ],
        )
    )

    # the quality head is not told: the task names its inspector
    assert told(accepted, "tasks_opened") == ["inspector", "prodhead", "saleshead"]
    assert mailed() == ["inspector@example.com", "prodhead@example.com", "saleshead@example.com"]
    assert "原因分析" in Notification.objects.get(recipient=inspector).title


def test_an_absent_head_is_replaced_by_the_deputy_and_an_accused_one_is_not_told(company, accepted, act):
    org = company
    absent(org.production_head, org.production_handler)
    accepted.accused_staff.add(org.quality_head)

    act(
        lambda: tasks.open_tasks(
            complaint=accepted,
            by=org.clerk,
            tasks=[
                TaskSpec(department=org.production, kind="改善对策"),
                TaskSpec(department=org.quality, kind="原因分析"),
            ],
        )
    )

    assert told(accepted, "tasks_opened") == ["prodhandler"]
    assert org.production_head.display_name in Notification.objects.get(recipient=org.production_handler).body


def test_an_assigned_task_tells_the_assignee_not_the_head_who_assigned(company, accepted, act):
    org = company
    [task] = act(
        lambda: tasks.open_tasks(
            complaint=accepted, by=org.clerk, tasks=[TaskSpec(department=org.production, kind="改善对策")]
        )
    )
    act(lambda: tasks.assign_task(task=task, by=org.production_head, assignee=org.production_handler))
    assert told(accepted, "task_assigned") == ["prodhandler"]
    assert mailed() == ["prodhandler@example.com"]


def test_a_done_task_tells_who_opened_it_and_the_responsible_head(company, accepted, act):
    org = company
    [task] = act(
        lambda: tasks.open_tasks(
            complaint=accepted,
            by=org.clerk,
            tasks=[TaskSpec(department=org.quality, kind="原因分析", assignee=org.quality_head)],
        )
    )
    act(lambda: tasks.complete_task(task=task, by=org.quality_head, result="来料不良"))
    assert told(accepted, "task_done") == ["clerk", "prodhead"]
    assert "来料不良" in Notification.objects.get(recipient=org.production_head, body__contains="来料").body


def test_a_task_done_by_the_responsible_head_tells_only_who_opened_it(company, accepted, act):
    org = company
    [task] = act(
        lambda: tasks.open_tasks(
            complaint=accepted, by=org.clerk, tasks=[TaskSpec(department=org.production, kind="改善对策")]
        )
    )
    act(lambda: tasks.complete_task(task=task, by=org.production_head, result="更换供应商"))
    assert told(accepted, "task_done") == ["clerk"]


def test_a_distributed_result_tells_each_receiving_head_to_acknowledge(company, accepted, act):
    """Seed 002 第(九)8: copies to the departments, each acknowledges receipt (签收)."""
    org = company
    sales_head = make_staff("saleshead", "孙志强", org.sales, Role.DEPARTMENT_HEAD)
    act(
        lambda: tasks.distribute_result(
            complaint=accepted, by=org.clerk, departments=[org.quality, org.sales, org.cs]
        )
    )
    # the CS department has no head; the clerk who distributed is not told
    assert told(accepted, "result_distributed") == ["qualityhead", "saleshead"]
    assert "签收" in Notification.objects.get(recipient=sales_head).title


def test_a_rolled_back_task_tells_nobody(company, accepted, django_capture_on_commit_callbacks):
    from django.db import transaction

    org = company
    before = Notification.objects.count()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        tasks.open_tasks(
            complaint=accepted, by=org.clerk, tasks=[TaskSpec(department=org.production, kind="改善对策")]
        )
        raise RuntimeError("the request failed after the act")
    assert callbacks == [] and Notification.objects.count() == before
