"""The department-task endpoints: the happy path, the outsider, the wrong method, bad input —
every answer checked against the OpenAPI document (tests.api.conftest.ApiClient)."""

from __future__ import annotations

import time_machine

from kesu.assignments import services
from kesu.assignments.models import Distribution, Task
from kesu.complaints.models import ComplaintEvent, Status
from tests.assignments.conftest import four_tasks
from tests.conftest import advance, local

BASE = "/api/v1"


def _tasks_url(complaint) -> str:
    return f"{BASE}/complaints/{complaint.number}/tasks"


def test_the_desk_opens_four_tasks_and_each_department_completes_its_own(accepted, org, pcb, client_for):
    clerk = client_for(org.clerk)
    body = {
        "tasks": [
            {"department": "quality", "kind": "原因分析", "assignee": "inspector", "due_amount": 1},
            {"department": "production", "kind": "改善对策", "due_amount": 16, "due_unit": "working_hours"},
            {"department": "rnd", "kind": "研发意见", "instructions": "请评估药水配方"},
            {"department": "sales", "kind": "客户协商"},
        ],
        "comment": "会办",
    }
    with time_machine.travel(local(2026, 11, 17, 9), tick=False):
        response = clerk.post(_tasks_url(accepted), body)

    assert response.status_code == 201, response.json()
    data = response.json()
    assert [(t["department"]["code"], t["kind"], t["status"]) for t in data["tasks"]] == [
        ("quality", "原因分析", "open"),
        ("production", "改善对策", "open"),
        ("rnd", "研发意见", "open"),
        ("sales", "客户协商", "open"),
    ]
    assert data["all_tasks_done"] is False
    assert data["tasks"][0]["due_at"].startswith("2026-11-18T17:30")
    # 16 working hours from Tuesday 09:00: 7.5 h that day, 8 h on Wednesday, 0.5 h on Thursday
    assert data["tasks"][1]["due_at"] == "2026-11-19T09:00:00+08:00"
    assert data["tasks"][0]["assignee"]["username"] == "inspector"
    assert data["tasks"][0]["allowed_actions"] == ["cancel_task"]  # the desk cancels, never completes

    rnd_task = data["tasks"][2]
    rnd = client_for(pcb.rnd_head)
    listed = rnd.get(_tasks_url(accepted)).json()
    assert [t["allowed_actions"] for t in listed["tasks"]] == [[], [], ["assign_task", "complete_task"], []]
    refused = rnd.post(f"{BASE}/tasks/{data['tasks'][1]['id']}/complete", {"result": "不是我们的"})
    assert refused.status_code == 403 and refused.json()["allowed_actions"] == []

    done = rnd.post(f"{BASE}/tasks/{rnd_task['id']}/complete", {"result": "调整药水配方"})

    assert done.status_code == 200
    assert done.json()["status"] == "done" and done.json()["done_by"]["username"] == "rndhead"
    assert done.json()["result"] == "调整药水配方"
    mine = client_for(pcb.inspector).get(f"{BASE}/tasks").json()["items"]
    assert [(t["complaint"], t["kind"]) for t in mine] == [(accepted.number, "原因分析")]


def test_an_unrelated_department_gets_404_and_the_anonymous_401(accepted, org, pcb, client_for):
    services.open_tasks(complaint=accepted, by=org.clerk, tasks=four_tasks(org, pcb))
    task = Task.objects.get(kind="研发意见")

    logistics = client_for(pcb.logistics_head)
    assert logistics.get(_tasks_url(accepted)).status_code == 404
    assert logistics.post(f"{BASE}/tasks/{task.pk}/complete", {"result": "x"}).status_code == 404
    assert client_for(pcb.rnd_head).get(_tasks_url(accepted)).status_code == 200
    assert client_for(None).get(_tasks_url(accepted)).status_code == 401
    assert client_for(org.clerk).get(f"{BASE}/complaints/NOPE/tasks").status_code == 404
    assert client_for(org.clerk).get(f"{BASE}/tasks/{task.pk}/complete").status_code == 405
    assert Task.objects.get(pk=task.pk).status == "open"


def test_bad_input_is_422_by_field_and_writes_nothing(accepted, org, pcb, client_for):
    clerk = client_for(org.clerk)
    events = ComplaintEvent.objects.count()

    unknown = clerk.post(
        _tasks_url(accepted),
        {
            "tasks": [
                {"department": "quality", "kind": "原因分析"},
                {"department": "nowhere", "kind": "研发意见", "assignee": "nobody"},
            ]
        },
    )
    too_long = clerk.post(_tasks_url(accepted), {"tasks": [{"department": "rnd", "kind": "研" * 61}]})
    wrong_type = clerk.post(
        _tasks_url(accepted), {"tasks": [{"department": "rnd", "kind": "x", "due_amount": "2"}]}
    )
    empty = clerk.post(_tasks_url(accepted), {"tasks": []})
    wrong_member = clerk.post(
        _tasks_url(accepted), {"tasks": [{"department": "rnd", "kind": "x", "assignee": "inspector"}]}
    )

    assert unknown.status_code == 422
    assert set(unknown.json()["errors"]) == {"tasks.1.department", "tasks.1.assignee"}
    assert too_long.status_code == 422 and "tasks.0.kind" in too_long.json()["errors"]
    assert wrong_type.status_code == 422 and "tasks.0.due_amount" in wrong_type.json()["errors"]
    assert empty.status_code == 422 and "tasks" in empty.json()["errors"]
    assert wrong_member.status_code == 422 and "tasks.0.assignee" in wrong_member.json()["errors"]
    assert not Task.objects.exists() and ComplaintEvent.objects.count() == events
    assert clerk.post(f"{BASE}/tasks/0/complete", {"result": "x"}).status_code == 422
    assert clerk.post(f"{BASE}/tasks/99999/complete", {"result": "x"}).status_code == 404


def test_distribute_five_copies_and_each_department_acknowledges_once(accepted, org, pcb, client_for):
    closed = advance(accepted, org, Status.REPLIED)
    clerk = client_for(org.clerk)
    departments = ["quality", "production", "sales", "accounting", "gm-office"]

    response = clerk.post(
        f"{BASE}/complaints/{closed.number}/distributions",
        {"departments": departments, "note": "核决：折让5%"},
    )

    assert response.status_code == 201
    copies = {d["department"]["code"]: d for d in response.json()["items"]}
    assert list(copies) == departments
    accountant = client_for(pcb.accountant)
    assert accountant.get(_tasks_url(closed)).json()["distributions"][3]["may_acknowledge"] is True
    assert (
        client_for(org.clerk)
        .post(f"{BASE}/distributions/{copies['accounting']['id']}/acknowledge")
        .status_code
        == 403
    )
    first = accountant.post(f"{BASE}/distributions/{copies['accounting']['id']}/acknowledge")
    second = accountant.post(f"{BASE}/distributions/{copies['accounting']['id']}/acknowledge")
    assert first.status_code == 200 and first.json()["acknowledged_by"]["username"] == "accountant"
    assert second.status_code == 403
    assert (
        client_for(pcb.logistics_head)
        .post(f"{BASE}/distributions/{copies['sales']['id']}/acknowledge")
        .status_code
        == 404
    )
    again = clerk.post(f"{BASE}/complaints/{closed.number}/distributions", {"departments": ["accounting"]})
    unknown = clerk.post(f"{BASE}/complaints/{closed.number}/distributions", {"departments": ["nowhere"]})
    assert again.status_code == 422 and "departments" in again.json()["errors"]
    assert unknown.status_code == 422 and "departments" in unknown.json()["errors"]
    assert Distribution.objects.filter(acknowledged_at__isnull=False).count() == 1
    assert Distribution.objects.count() == 5


def test_the_head_assigns_and_cancel_needs_a_reason(accepted, org, pcb, client_for):
    services.open_tasks(complaint=accepted, by=org.clerk, tasks=four_tasks(org, pcb))
    task = Task.objects.get(kind="改善对策")

    assigned = client_for(org.production_head).post(
        f"{BASE}/tasks/{task.pk}/assign", {"assignee": "prodhandler"}
    )
    no_reason = client_for(org.clerk).post(f"{BASE}/tasks/{task.pk}/cancel", {"reason": ""})
    cancelled = client_for(org.clerk).post(f"{BASE}/tasks/{task.pk}/cancel", {"reason": "合并到质量部"})

    assert assigned.status_code == 200 and assigned.json()["assignee"]["username"] == "prodhandler"
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["errors"]
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def _queries(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_lists_run_a_fixed_number_of_queries_whatever_the_number_of_tasks(org, pcb, register, client_for):
    one, many = advance(register(), org, Status.ACCEPTED), advance(register(), org, Status.ACCEPTED)
    services.open_tasks(complaint=one, by=org.clerk, tasks=[four_tasks(org, pcb)[0]])
    services.distribute_result(complaint=one, by=org.clerk, departments=[org.quality])
    services.open_tasks(
        complaint=many,
        by=org.clerk,
        tasks=[services.TaskSpec(department=org.quality, kind=f"复验{i}") for i in range(8)],
    )
    services.distribute_result(complaint=many, by=org.clerk, departments=[org.quality, org.sales, pcb.rnd])
    inspector = client_for(pcb.inspector)
    _queries(inspector, _tasks_url(one))  # warm up: the token's first use is recorded once

    assert _queries(inspector, _tasks_url(one)) == _queries(inspector, _tasks_url(many))
    few = _queries(inspector, f"{BASE}/tasks")
    for _ in range(3):
        extra = advance(register(), org, Status.ACCEPTED)
        services.open_tasks(complaint=extra, by=org.clerk, tasks=[four_tasks(org, pcb)[0]])
    assert _queries(inspector, f"{BASE}/tasks") == few
    assert len(inspector.get(f"{BASE}/tasks").json()["items"]) == 12
