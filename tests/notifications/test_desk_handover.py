"""A desk step goes to the desk person whose complaint it is: the clerk who registered it (the one
who knows the customer), or their deputy (代理) while they are absent — told once — and to every
desk holder only when that clerk can no longer take it (left the desk, or complained about: 回避).
One test per hand-over to the desk (issue 8, "a test per hand-over proves the right person (or
deputy) is told once")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core import mail

from kesu.complaints import services
from kesu.complaints.models import Category, Complaint, Status
from kesu.notifications.models import Notification
from kesu.organization.models import Role, RoleAssignment, Staff
from tests.conftest import Org, advance, make_staff
from tests.notifications.test_handover import absent, last_note, mailed, staff_mail, told  # noqa: F401

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class DeskHandOver:
    start: str
    step: Callable[[Complaint, Org], Complaint]
    status: str  # where the complaint waits for the desk


HAND_OVERS = {
    # the department's resolution, for the desk to pass on (seed 000: 客服部 replies)
    "resolution to pass on": DeskHandOver(
        Status.INVESTIGATING,
        lambda c, org: services.propose_resolution(complaint=c, by=org.production_handler, resolution="换"),
        Status.RESOLUTION_PROPOSED,
    ),
    # the GM rejects the transfer: the desk routes it again
    "transfer rejected": DeskHandOver(
        Status.TRANSFER_PROPOSED,
        lambda c, org: services.reject_transfer(complaint=c, by=org.gm, comment="不转"),
        Status.CLASSIFIED,
    ),
    # the department declines the transfer slip: the desk routes it again
    "transfer declined": DeskHandOver(
        Status.TRANSFER_APPROVED,
        lambda c, org: services.decline_transfer(complaint=c, by=org.production_head, comment="非本部门"),
        Status.CLASSIFIED,
    ),
}


@pytest.fixture
def desk(staff_mail):  # noqa: F811
    """A second desk clerk beside the registering clerk and the CS director."""
    org = staff_mail
    second = make_staff("clerk2", "张专员", org.cs, Role.DESK_CLERK)
    second.user.email = "clerk2@example.com"
    second.user.save()
    return org


def _walk(org: Org, register, case: DeskHandOver, django_capture_on_commit_callbacks) -> Complaint:
    complaint = advance(register(), org, case.start)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        complaint = case.step(complaint, org)
    assert complaint.status == case.status
    return complaint


@pytest.mark.parametrize("name", HAND_OVERS)
def test_the_clerk_who_registered_it_is_told_once(desk, register, name, django_capture_on_commit_callbacks):
    complaint = _walk(desk, register, HAND_OVERS[name], django_capture_on_commit_callbacks)
    assert told(complaint) == ["clerk"]
    assert mailed() == ["clerk@example.com"]
    assert Notification.objects.filter(recipient=desk.clerk, complaint=complaint).count() == 1


@pytest.mark.parametrize("name", HAND_OVERS)
def test_while_that_clerk_is_absent_their_deputy_is_told_once(
    desk, register, name, django_capture_on_commit_callbacks
):
    clerk2 = Staff.objects.get(user__username="clerk2")
    complaint = advance(register(), desk, HAND_OVERS[name].start)
    absent(desk.clerk, clerk2)  # away after registering
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        complaint = HAND_OVERS[name].step(complaint, desk)

    assert told(complaint) == ["clerk2"]
    assert mailed() == ["clerk2@example.com"]
    assert desk.clerk.display_name in last_note(clerk2).body  # told as the clerk's deputy (代理)


@pytest.mark.parametrize("name", HAND_OVERS)
def test_when_that_clerk_left_the_desk_every_desk_holder_is_told(
    desk, register, name, django_capture_on_commit_callbacks
):
    complaint = advance(register(), desk, HAND_OVERS[name].start)
    RoleAssignment.objects.filter(staff=desk.clerk).delete()  # moved to another job
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        complaint = HAND_OVERS[name].step(complaint, desk)

    assert told(complaint) == ["clerk2", "director"]


def test_when_that_clerk_is_complained_about_the_rest_of_the_desk_is_told(
    desk, register, django_capture_on_commit_callbacks
):
    """回避: the clerk complained about is not told, nor does their complaint stay unseen."""
    complaint = advance(register(), desk, Status.INVESTIGATING)
    complaint.accused_staff.add(desk.clerk)
    complaint = Complaint.objects.get(pk=complaint.pk)
    with django_capture_on_commit_callbacks(execute=True):
        complaint = services.propose_resolution(
            complaint=complaint, by=desk.production_handler, resolution="换"
        )

    assert told(complaint) == ["clerk2", "director"]


def test_the_registering_clerk_who_acts_next_is_not_told_of_their_own_step(
    desk, register, django_capture_on_commit_callbacks
):
    """The clerk classifies the complaint they registered: the next desk step (route it) is theirs
    already — nobody else at the desk is told."""
    complaint = register(category=None)
    with django_capture_on_commit_callbacks(execute=True):
        complaint = services.classify_complaint(
            complaint=complaint, by=desk.clerk, category=Category.objects.get(code="product_quality")
        )
    assert complaint.status == Status.CLASSIFIED
    assert told(complaint) == []
