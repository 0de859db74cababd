"""The department-task page (/complaints/<number>/tasks/): what each person sees and may do."""

from __future__ import annotations

import pytest
from django.test import Client

from kesu.assignments import services
from kesu.assignments.models import Distribution, Task
from kesu.complaints.models import ComplaintEvent
from tests.assignments.conftest import four_tasks


def _client(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def _url(complaint) -> str:
    return f"/complaints/{complaint.number}/tasks/"


def test_the_desk_opens_two_departments_tasks_from_the_page(accepted, org, pcb):
    clerk = _client(org.clerk)
    page = clerk.get(_url(accepted))
    assert page.status_code == 200 and "open-tasks" in page.content.decode()

    response = clerk.post(
        f"{_url(accepted)}open/",
        {
            "department_0": org.quality.pk,
            "kind_0": "原因分析",
            "due_amount_0": "2",
            "due_unit_0": "working_days",
            "department_1": pcb.rnd.pk,
            "kind_1": "研发意见",
            "due_unit_1": "working_days",
            "comment": "会办",
        },
    )

    assert response.status_code == 302
    assert sorted(Task.objects.values_list("kind", flat=True)) == ["原因分析", "研发意见"]
    assert Task.objects.get(kind="原因分析").due_at is not None


def test_a_half_filled_row_is_a_field_error_and_nothing_is_written(accepted, org, pcb):
    response = _client(org.clerk).post(
        f"{_url(accepted)}open/",
        {"department_0": org.quality.pk, "kind_0": "原因分析", "department_1": pcb.rnd.pk, "kind_1": ""},
    )
    assert response.status_code == 400
    assert not Task.objects.exists()
    too_long = _client(org.clerk).post(
        f"{_url(accepted)}open/", {"department_0": pcb.rnd.pk, "kind_0": "研" * 61}
    )
    assert too_long.status_code == 400 and not Task.objects.exists()


def test_the_department_completes_its_task_and_an_outsider_gets_404(accepted, org, pcb):
    services.open_tasks(complaint=accepted, by=org.clerk, tasks=four_tasks(org, pcb))
    task = Task.objects.get(kind="研发意见")
    rnd = _client(pcb.rnd_head)

    page = rnd.get(_url(accepted)).content.decode()
    assert f'action="/tasks/{task.pk}/complete/"' in page
    assert f'action="/tasks/{Task.objects.get(kind="改善对策").pk}/complete/"' not in page
    assert "open-tasks" not in page  # only the desk and the responsible head open tasks

    blank = rnd.post(f"/tasks/{task.pk}/complete/", {"result": ""})
    done = rnd.post(f"/tasks/{task.pk}/complete/", {"result": "调整药水配方"})
    other = rnd.post(f"/tasks/{Task.objects.get(kind='改善对策').pk}/complete/", {"result": "x"})

    assert blank.status_code == 400
    assert done.status_code == 302 and Task.objects.get(pk=task.pk).status == "done"
    assert other.status_code == 403
    assert _client(pcb.logistics_head).get(_url(accepted)).status_code == 404
    assert _client(pcb.logistics_head).post(f"/tasks/{task.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert ComplaintEvent.objects.filter(action="task_done").count() == 1


@pytest.mark.parametrize("path", ["/tasks/99999999999/complete/", "/distributions/99999999999/acknowledge/"])
def test_an_id_out_of_range_is_404(org, path):
    assert _client(org.clerk).post(path, {}).status_code == 404


def test_distribute_and_acknowledge_from_the_page(accepted, org, pcb):
    clerk = _client(org.clerk)
    response = clerk.post(
        f"{_url(accepted)}distribute/", {"departments": [org.quality.pk, pcb.accounting.pk], "note": "核决"}
    )
    assert response.status_code == 302
    copy = Distribution.objects.get(department=pcb.accounting)

    accountant = _client(pcb.accountant)
    assert (
        f'action="/distributions/{copy.pk}/acknowledge/"' in accountant.get(_url(accepted)).content.decode()
    )
    assert accountant.post(f"/distributions/{copy.pk}/acknowledge/").status_code == 302
    assert accountant.post(f"/distributions/{copy.pk}/acknowledge/").status_code == 403
    copy.refresh_from_db()
    assert copy.acknowledged_by == pcb.accountant
