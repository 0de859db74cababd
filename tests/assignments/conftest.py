"""Personas for department tasks: the PCB company of seed 002 — QA (质量部), production (生产部),
R&D (研发部), sales (销售部), accounting (会计科), the GM office (总经办) — and one department with no
part in the complaint (物流部)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kesu.assignments.services import TaskSpec
from kesu.organization.models import Department, Role, Staff
from tests.conftest import make_staff


@dataclass
class Pcb:
    rnd: Department
    accounting: Department
    office: Department
    logistics: Department
    inspector: Staff  # 质量部 handler
    rnd_head: Staff
    sales_head: Staff
    accountant: Staff  # no role in complaints: a member of the department all the same
    logistics_head: Staff


@pytest.fixture
def pcb(org) -> Pcb:
    rnd = Department.objects.create(name="研发部", code="rnd")
    accounting = Department.objects.create(name="会计科", code="accounting")
    logistics = Department.objects.create(name="物流部", code="logistics")
    return Pcb(
        rnd=rnd,
        accounting=accounting,
        office=Department.objects.get(code="gm-office"),
        logistics=logistics,
        inspector=make_staff("inspector", "卫芳", org.quality, Role.HANDLER),
        rnd_head=make_staff("rndhead", "冯工", rnd, Role.DEPARTMENT_HEAD),
        sales_head=make_staff("saleshead", "孙志强", org.sales, Role.DEPARTMENT_HEAD),
        accountant=make_staff("accountant", "何会计", accounting),
        logistics_head=make_staff("logisticshead", "蒋涛", logistics, Role.DEPARTMENT_HEAD),
    )


def four_tasks(org, pcb: Pcb) -> list[TaskSpec]:
    """Seed 002 第(九)4: QA analyses the cause, production proposes countermeasures, R&D gives its
    opinion, sales negotiates with the customer."""
    return [
        TaskSpec(department=org.quality, kind="原因分析", assignee=pcb.inspector),
        TaskSpec(department=org.production, kind="改善对策"),
        TaskSpec(department=pcb.rnd, kind="研发意见"),
        TaskSpec(department=org.sales, kind="客户协商"),
    ]


@pytest.fixture
def client_for(org):
    """client_for(staff) → an API client with a fresh bearer token, every answer checked against
    the OpenAPI document; client_for(None) → anonymous."""
    from kesu.organization.models import ApiToken
    from tests.api.conftest import ApiClient

    def make(staff: Staff | None) -> ApiClient:
        return ApiClient(ApiToken.issue(staff=staff, name="test")[1] if staff is not None else None)

    return make
