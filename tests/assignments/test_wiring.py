"""Department tasks and approvals wired into the complaint pages through the complaints registry
(issue 8 §2): who sees a complaint through a task, a copy or an approval (and nobody else), the
timeline's words for task entries, the panels, and the PCB rule book's step that waits for QA's
cause analysis and production's countermeasures (seed 002 第(九)4 and 6)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kesu.approvals.services import decide_approval, request_approval
from kesu.assignments import services
from kesu.assignments.models import TaskGate
from kesu.assignments.services import TaskSpec
from kesu.complaints import services as complaint_services
from kesu.complaints import workflow
from kesu.complaints.models import Category, Complaint, Severity, Status
from kesu.complaints.selectors import ComplaintFilters, complaints_visible_to
from kesu.core.errors import ActionNotAllowed
from kesu.organization.models import ApiToken, Role
from kesu.organization.selectors import capacities_of
from kesu.rulebook.services import apply_preset
from tests.assignments.conftest import four_tasks
from tests.conftest import advance, intake, make_staff


def signed_in(staff, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(staff.user)
    return client


def page(staff, complaint: Complaint, language: str = "en"):
    return signed_in(staff, language).get(reverse("complaint-detail", args=[complaint.number]))


def api_detail(staff, complaint: Complaint) -> int:
    token = ApiToken.issue(staff=staff, name="test")[1]
    return (
        Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(f"/api/v1/complaints/{complaint.number}").status_code
    )


def listed(staff, complaint: Complaint, **filters) -> bool:
    return (
        complaints_visible_to(staff=staff, filters=ComplaintFilters(**filters))
        .filter(pk=complaint.pk)
        .exists()
    )


# --- visibility --------------------------------------------------------------------------------


def test_a_tasks_department_sees_the_complaint_everywhere_and_an_unrelated_one_nowhere(accepted, org, pcb):
    """A task's department sees the complaint (list, search, page, API detail, the task page);
    a department with no task still gets 404 (issue 8 §2)."""
    assert page(pcb.rnd_head, accepted).status_code == 404
    services.open_tasks(complaint=accepted, by=org.clerk, tasks=four_tasks(org, pcb))

    for staff in (pcb.rnd_head, pcb.inspector, pcb.sales_head):
        assert page(staff, accepted).status_code == 200
        assert api_detail(staff, accepted) == 200
        assert listed(staff, accepted) and listed(staff, accepted, q="扶手")
        html = signed_in(staff).get(reverse("complaint-list")).content.decode()
        assert accepted.number in html
    for staff in (pcb.logistics_head, pcb.accountant):
        assert page(staff, accepted).status_code == 404
        assert api_detail(staff, accepted) == 404
        assert not listed(staff, accepted)
        assert signed_in(staff).get(reverse("complaint-tasks", args=[accepted.number])).status_code == 404


def test_a_copy_of_the_result_lets_its_department_see_the_complaint(accepted, org, pcb):
    """Seed 002 第(九)8: the accounting office files a copy; it must read what it acknowledges."""
    assert page(pcb.accountant, accepted).status_code == 404
    services.distribute_result(complaint=accepted, by=org.clerk, departments=[pcb.accounting], note="")
    assert page(pcb.accountant, accepted).status_code == 200
    assert page(pcb.logistics_head, accepted).status_code == 404


def test_the_accused_never_gains_access_through_a_task(org, pcb):
    """Recusal (回避): R&D has a task on a complaint about R&D's own engineer, who is not shown it;
    the head of R&D is."""
    engineer = make_staff("engineer", "研发工程师", pcb.rnd, Role.HANDLER)
    complaint = complaint_services.register_complaint(by=org.clerk, intake=intake(), accused_staff=[engineer])
    complaint = advance(complaint, org, Status.ACCEPTED)
    services.open_tasks(
        complaint=complaint, by=org.clerk, tasks=[TaskSpec(department=pcb.rnd, kind="研发意见")]
    )

    assert page(pcb.rnd_head, complaint).status_code == 200
    assert page(engineer, complaint).status_code == 404
    assert not listed(engineer, complaint)


@pytest.fixture
def approval(org, pcb):
    """The PCB rule book (seed 002 第(九)6): a decision under 5 000 CNY goes to the sales manager."""
    apply_preset(name="pcb")
    complaint = complaint_services.register_complaint(
        by=org.clerk,
        intake=intake(
            category=Category.objects.get(code="quality"), severity=Severity.objects.get(code="normal")
        ),
    )
    return request_approval(
        complaint=complaint, step="decision", amount=Decimal("800.00"), by=org.clerk, subject="折让呈核"
    )


def test_the_approver_of_a_pending_approval_sees_the_complaint_and_keeps_it_once_decided(approval, org, pcb):
    """Seed 002 第(九)6: the sales manager decides by approval authority; he must be able to read
    the complaint he decides (before: the approval was listed, the complaint page was 404)."""
    complaint = approval.complaint
    assert page(pcb.sales_head, complaint).status_code == 200
    assert api_detail(pcb.sales_head, complaint) == 200
    assert listed(pcb.sales_head, complaint)
    assert page(pcb.logistics_head, complaint).status_code == 404
    assert page(org.production_head, complaint).status_code == 404

    decide_approval(approval=approval, by=pcb.sales_head, approve=True, reason="")
    assert page(pcb.sales_head, complaint).status_code == 200  # decided by him: still his to read


def test_the_deputy_of_an_absent_approver_sees_the_complaint_and_only_while_he_stands_in(approval, org, pcb):
    """A deputy (代理) acts for an absent approver, so he reads what he decides; back from the
    absence, the principal alone does."""
    from datetime import timedelta

    from django.utils import timezone

    deputy = make_staff("salesdeputy", "销售副理", pcb.logistics, Role.HANDLER)
    pcb.sales_head.deputy = deputy
    pcb.sales_head.absent_from = timezone.now() - timedelta(hours=1)
    pcb.sales_head.absent_until = timezone.now() + timedelta(days=1)
    pcb.sales_head.save()
    assert page(deputy, approval.complaint).status_code == 200
    pcb.sales_head.absent_from = pcb.sales_head.absent_until = None
    pcb.sales_head.save()
    assert page(deputy, approval.complaint).status_code == 404


def test_a_cancelled_task_gives_no_access(accepted, org, pcb):
    (task,) = services.open_tasks(
        complaint=accepted, by=org.clerk, tasks=[TaskSpec(department=pcb.logistics, kind="物流核查")]
    )
    assert page(pcb.logistics_head, accepted).status_code == 200
    services.cancel_task(task=task, by=org.clerk, reason="不需要")
    assert page(pcb.logistics_head, accepted).status_code == 404


# --- timeline and panels -----------------------------------------------------------------------


def test_the_timeline_tells_the_task_entries_in_words_in_chinese_and_english(accepted, org, pcb):
    tasks = services.open_tasks(complaint=accepted, by=org.clerk, tasks=four_tasks(org, pcb))
    services.complete_task(task=tasks[2], by=pcb.rnd_head, result="无")

    english = page(org.director, accepted, "en").content.decode()
    chinese = page(org.director, accepted, "zh-hans").content.decode()
    assert "Department tasks opened (会办)" in english and "Department task done" in english
    assert "发起部门会办" in chinese and "会办事项完成" in chinese
    for html in (english, chinese):
        labels = re.findall(r'class="event-label">([^<]*)<', html)
        assert "tasks_opened" not in labels and "task_done" not in labels
        assert "task_ids" not in html


def test_the_complaint_page_lists_tasks_copies_and_approvals_with_links(accepted, org, pcb):
    tasks = services.open_tasks(complaint=accepted, by=org.clerk, tasks=four_tasks(org, pcb))
    services.complete_task(task=tasks[0], by=pcb.inspector, result="锡面氧化")
    services.distribute_result(
        complaint=accepted, by=org.clerk, departments=[pcb.accounting, org.sales], note=""
    )
    request_approval(complaint=accepted, step="decision", amount=Decimal("100"), by=org.clerk, subject="呈核")

    html = page(org.director, accepted).content.decode()
    panel = html[html.index('id="department-tasks"') :]
    panel = panel[: panel.index("</section>")]
    assert "质量部：原因分析" in panel and "研发部：研发意见" in panel
    assert "卫芳" in panel  # the assignee
    assert panel.count('class="task task-open"') == 3 and panel.count('class="task task-done"') == 1
    assert "会计科" in panel and "not acknowledged yet" in panel
    assert reverse("complaint-tasks", args=[accepted.number]) in panel
    approvals = html[html.index('id="complaint-approvals"') :]
    approvals = approvals[: approvals.index("</section>")]
    assert "decision" in approvals and "pending" in approvals and reverse("approvals") in approvals


def test_the_workbench_shows_my_departments_tasks_and_what_awaits_my_decision(approval, org, pcb):
    complaint = advance(approval.complaint, org, Status.ACCEPTED)
    services.open_tasks(
        complaint=complaint, by=org.clerk, tasks=[TaskSpec(department=org.sales, kind="客户协商")]
    )
    html = signed_in(pcb.sales_head).get(reverse("workbench")).content.decode()
    tasks = html[html.index('id="my-department-tasks"') :]
    assert "销售部：客户协商" in tasks[: tasks.index("</section>")]
    waiting = html[html.index('id="approvals-waiting"') :]
    assert complaint.number in waiting[: waiting.index("</section>")]
    other = signed_in(pcb.logistics_head).get(reverse("workbench")).content.decode()
    assert complaint.number not in other


# --- query counts ------------------------------------------------------------------------------


def _count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def _more_tasks(complaint, org, pcb, n: int, start: int = 0) -> None:
    departments = [org.quality, org.production, pcb.rnd, org.sales]
    for i in range(start, start + n):
        services.open_tasks(
            complaint=complaint,
            by=org.clerk,
            tasks=[TaskSpec(department=departments[i % 4], kind=f"任务{i}", assignee=None)],
        )


def test_pages_cost_the_same_queries_with_one_task_and_with_ten(accepted, org, pcb):
    complaint = advance(accepted, org, Status.INVESTIGATING)
    _more_tasks(complaint, org, pcb, 1)
    services.distribute_result(complaint=complaint, by=org.clerk, departments=[pcb.accounting], note="")
    request_approval(
        complaint=complaint, step="decision", amount=Decimal("100"), by=org.clerk, subject="呈核"
    )
    detail = reverse("complaint-detail", args=[complaint.number])
    paths = {
        "page (director)": (org.director, detail),
        "page (quality head, through a task)": (org.quality_head, detail),
        "workbench (quality head)": (org.quality_head, reverse("workbench")),
        "list (quality head)": (org.quality_head, reverse("complaint-list")),
        "list (rnd head)": (pcb.rnd_head, reverse("complaint-list")),
    }
    for staff, path in paths.values():  # the process reads the rule book's lists once (kesu.rulebook.cache)
        _count(signed_in(staff), path)
    one = {name: _count(signed_in(staff), path) for name, (staff, path) in paths.items()}
    _more_tasks(complaint, org, pcb, 9, start=1)
    services.distribute_result(
        complaint=complaint, by=org.clerk, departments=[org.sales, pcb.office], note=""
    )
    ten = {name: _count(signed_in(staff), path) for name, (staff, path) in paths.items()}
    assert ten == one
    html = signed_in(org.quality_head).get(reverse("workbench")).content.decode()
    assert len(re.findall(r"质量部：任务\d", html)) == 3  # tasks 0, 4 and 8


# --- a step waits for tasks (rule-book data) ----------------------------------------------------


@pytest.fixture
def pcb_investigating(org, pcb):
    apply_preset(name="pcb")
    complaint = complaint_services.register_complaint(
        by=org.clerk,
        intake=intake(
            category=Category.objects.get(code="quality"), severity=Severity.objects.get(code="normal")
        ),
    )
    return advance(complaint, org, Status.INVESTIGATING)


def _offered(complaint: Complaint, staff) -> list[str]:
    fresh = Complaint.objects.get(pk=complaint.pk)
    return workflow.allowed_actions(complaint=fresh, capacities=capacities_of(staff=staff))


def test_seed_002_9_4_the_resolution_waits_for_qa_cause_analysis_and_production_countermeasures(
    pcb_investigating, org, pcb
):
    """Seed 002 第(九)4 and 6: the GM office consolidates (propose_resolution) only after QA's cause
    analysis (原因分析) and production's countermeasures (改善对策); R&D's opinion is not waited for."""
    complaint = pcb_investigating
    assert "propose_resolution" in _offered(complaint, org.production_handler)  # no task: nothing waits
    tasks = {
        t.kind: t for t in services.open_tasks(complaint=complaint, by=org.clerk, tasks=four_tasks(org, pcb))
    }

    assert "propose_resolution" not in _offered(complaint, org.production_handler)
    with pytest.raises(ActionNotAllowed) as refused:
        complaint_services.propose_resolution(
            complaint=Complaint.objects.get(pk=complaint.pk), by=org.production_handler, resolution="折让5%"
        )
    assert "质量部：原因分析" in refused.value.reason and "生产部：改善对策" in refused.value.reason
    assert "研发意见" not in refused.value.reason

    services.complete_task(task=tasks["原因分析"], by=pcb.inspector, result="锡面氧化")
    with pytest.raises(ActionNotAllowed) as still:
        complaint_services.propose_resolution(
            complaint=Complaint.objects.get(pk=complaint.pk), by=org.production_handler, resolution="折让5%"
        )
    assert "生产部：改善对策" in still.value.reason and "原因分析" not in still.value.reason

    services.complete_task(task=tasks["改善对策"], by=org.production_head, result="增加烘烤工序")
    assert "propose_resolution" in _offered(complaint, org.production_handler)  # R&D, sales still open
    done = complaint_services.propose_resolution(
        complaint=Complaint.objects.get(pk=complaint.pk), by=org.production_handler, resolution="折让5%"
    )
    assert done.status == Status.RESOLUTION_PROPOSED


def test_the_pcb_preset_ships_the_gate_with_its_clause_and_the_others_none(db):
    apply_preset(name="pcb")
    gate = TaskGate.objects.get()
    assert (gate.action, gate.category, gate.kind_list) == (
        "propose_resolution",
        None,
        ["原因分析", "改善对策"],
    )
    assert "seed 002" in gate.source and "（九）4" in gate.source
    for name in ("furniture", "telecom", "liquor", "lawfirm"):
        apply_preset(name=name)
        assert not TaskGate.objects.exists(), name


def test_with_the_furniture_rule_book_nothing_waits_for_tasks(accepted, org, pcb):
    """Seed 000 (furniture): the responsible department handles the complaint alone; no gate."""
    complaint = advance(accepted, org, Status.INVESTIGATING)
    services.open_tasks(complaint=complaint, by=org.clerk, tasks=four_tasks(org, pcb))
    assert not TaskGate.objects.exists()
    assert "propose_resolution" in _offered(complaint, org.production_handler)


def test_an_admin_edit_of_the_gates_applies_without_a_restart_and_bad_rows_are_refused(accepted, org, pcb):
    complaint = advance(accepted, org, Status.INVESTIGATING)
    services.open_tasks(
        complaint=complaint, by=org.clerk, tasks=[TaskSpec(department=pcb.rnd, kind="研发意见")]
    )
    assert "propose_resolution" in _offered(complaint, org.production_handler)

    gate = TaskGate(action="propose_resolution", kinds="", source="test: every open task")
    gate.full_clean()
    gate.save()
    assert "propose_resolution" not in _offered(complaint, org.production_handler)

    with pytest.raises(ValidationError) as unknown:
        TaskGate(action="consolidate_opinions", kinds="原因分析").full_clean()
    assert "consolidate_opinions" in str(unknown.value.message_dict["action"])
    with pytest.raises(ValidationError) as long_kind:
        TaskGate(action="close", kinds="长" * 61).full_clean()
    assert "kinds" in long_kind.value.message_dict


def test_the_admin_refuses_an_unknown_action_with_a_field_error(org):
    root = Client(HTTP_ACCEPT_LANGUAGE="en")
    root.force_login(get_user_model().objects.create_superuser("root", password="pass-root"))
    response = root.post(
        reverse("admin:assignments_taskgate_add"), {"action": "nonsense", "kinds": "原因分析", "source": "x"}
    )
    assert response.status_code == 200
    assert "nonsense" in response.content.decode() and not TaskGate.objects.exists()


def test_a_preset_with_an_unknown_action_saves_nothing(org):
    from kesu.assignments.gates import load_task_gates

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        load_task_gates({"task_gates": [{"action": "nope", "kinds": ["原因分析"], "source": "x"}]})
    assert "task_gates #1 (nope)" in refused.value.messages[0]
