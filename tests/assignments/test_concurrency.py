"""Real threads on the real database: the complaint row, then the task row, are locked (PostgreSQL
SELECT … FOR UPDATE; SQLite BEGIN IMMEDIATE), so two people acting at once never both win."""

from __future__ import annotations

import pytest

from kesu.assignments import services
from kesu.assignments.models import Distribution, Task
from kesu.assignments.services import TaskSpec
from kesu.complaints import services as complaint_services
from kesu.complaints.models import ComplaintEvent
from kesu.core.errors import ActionNotAllowed
from tests.complaints.test_concurrency import run_in_threads
from tests.conftest import intake, make_staff

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def test_a_task_completed_twice_at_once_is_done_once(org):
    complaint = complaint_services.register_complaint(by=org.clerk, intake=intake())
    [task] = services.open_tasks(
        complaint=complaint, by=org.clerk, tasks=[TaskSpec(department=org.production, kind="改善对策")]
    )
    people = [org.production_head, org.production_handler]
    services.assign_task(task=task, by=org.production_head, assignee=org.production_handler)

    results, errors = run_in_threads(
        2, lambda i: services.complete_task(task=task, by=people[i], result=f"result {i}").pk
    )

    assert results == [task.pk]
    assert len(errors) == 1 and isinstance(errors[0], ActionNotAllowed)
    assert ComplaintEvent.objects.filter(action="task_done").count() == 1
    assert Task.objects.get().status == "done"


def test_the_same_task_opened_twice_at_once_is_opened_once(org):
    complaint = complaint_services.register_complaint(by=org.clerk, intake=intake())
    spec = [TaskSpec(department=org.quality, kind="原因分析")]

    results, errors = run_in_threads(
        2,
        lambda i: len(services.open_tasks(complaint=complaint, by=[org.clerk, org.director][i], tasks=spec)),
    )

    assert results == [1] and len(errors) == 1
    assert Task.objects.count() == 1


def test_a_copy_acknowledged_twice_at_once_is_acknowledged_once(org):
    complaint = complaint_services.register_complaint(by=org.clerk, intake=intake())
    [copy] = services.distribute_result(complaint=complaint, by=org.clerk, departments=[org.quality])
    readers = [org.quality_head, make_staff("qa2", "质检二", org.quality)]

    results, errors = run_in_threads(
        2, lambda i: services.acknowledge_distribution(distribution=copy, by=readers[i]).pk
    )

    assert results == [copy.pk] and len(errors) == 1 and isinstance(errors[0], ActionNotAllowed)
    assert Distribution.objects.get().acknowledged_by in readers
