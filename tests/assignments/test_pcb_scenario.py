"""Seed 002 (PCB) 第(九)4–8 walked with department tasks, and the guard wired as the lead will wire
it (``registry.guard("propose_resolution", selectors.tasks_pending)``): the responsible department
cannot propose the resolution while a department's task is open."""

from __future__ import annotations

from collections import defaultdict

import pytest

from kesu.assignments import selectors, services
from kesu.complaints import registry, workflow
from kesu.complaints import services as complaint_services
from kesu.complaints.models import Status
from kesu.core.errors import ActionNotAllowed
from kesu.organization.selectors import capacities_of
from tests.assignments.conftest import four_tasks
from tests.conftest import advance


@pytest.fixture
def guarded(monkeypatch):
    """The workflow's guards with the department-task guard on ``propose_resolution``."""
    guards = defaultdict(list, {k: list(v) for k, v in registry._guards.items()})
    guards["propose_resolution"].append(selectors.tasks_pending)
    monkeypatch.setattr(registry, "_guards", guards)


def test_seed_002_the_resolution_waits_for_every_department_then_five_copies_go_out(
    guarded, accepted, org, pcb
):
    complaint = advance(accepted, org, Status.INVESTIGATING)
    tasks = {
        t.kind: t for t in services.open_tasks(complaint=complaint, by=org.clerk, tasks=four_tasks(org, pcb))
    }

    # 第(九)4: while QA, production, R&D and sales work, the resolution cannot be proposed
    allowed = workflow.allowed_actions(
        complaint=complaint, capacities=capacities_of(staff=org.production_handler)
    )
    assert "propose_resolution" not in allowed
    with pytest.raises(ActionNotAllowed) as refused:
        complaint_services.propose_resolution(
            complaint=complaint, by=org.production_handler, resolution="折让"
        )
    assert "质量部：原因分析" in refused.value.reason

    services.complete_task(task=tasks["原因分析"], by=pcb.inspector, result="锡面氧化；责任单位：电镀课")
    services.complete_task(task=tasks["改善对策"], by=org.production_head, result="增加烘烤工序")
    services.complete_task(task=tasks["研发意见"], by=pcb.rnd_head, result="调整药水配方")
    services.complete_task(task=tasks["客户协商"], by=pcb.sales_head, result="客户接受折让5%")

    # 第(九)6: the office consolidates; the resolution goes on
    complaint.refresh_from_db()
    complaint = complaint_services.propose_resolution(
        complaint=complaint, by=org.production_handler, resolution="折让5%，改善对策见会办结果"
    )
    assert complaint.status == Status.RESOLUTION_PROPOSED

    # 第(九)8: five copies — QA, production, sales, accounting, GM office — each acknowledged
    copies = services.distribute_result(
        complaint=complaint,
        by=org.clerk,
        departments=[org.quality, org.production, org.sales, pcb.accounting, pcb.office],
    )
    for copy, reader in zip(
        copies, [org.quality_head, org.production_head, pcb.sales_head, pcb.accountant, org.gm], strict=True
    ):
        services.acknowledge_distribution(distribution=copy, by=reader)
    assert all(c.acknowledged_at for c in complaint.distributions.all())
