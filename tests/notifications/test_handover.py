"""Nobody waits unseen (issue 8 §5): each hand-over tells the people who may take the next step,
once, in Kesu and by e-mail after commit — the deputy of an absent one, never the person
complained about (回避), never the one who just acted.

The hand-over runs in the worker (huey task ``notifications.handover``), not in the action: the
action's transaction only queues an after-commit enqueue. In tests huey runs in immediate mode
(tests/settings.py), so executing the action's after-commit callbacks runs the task inline,
deterministically; :func:`handover.deliver` is the task's body, called directly where a test
needs the worker's part alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from kesu.complaints import services
from kesu.complaints.models import Complaint, ComplaintEvent, Status
from kesu.complaints.workflow import ACTIONS
from kesu.deadlines import clock_actions
from kesu.notifications import handover
from kesu.notifications.models import Notification
from kesu.notifications.tasks import tell_next
from kesu.organization.models import Role, RoleAssignment, Staff
from tests.conftest import advance, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_mail(org):
    """Everyone has an e-mail address: username@example.com."""
    for person in Staff.objects.select_related("user"):
        person.user.email = f"{person.user.username}@example.com"
        person.user.save()
    return org


def told(complaint) -> list[str]:
    """The usernames told about ``complaint`` by the last hand-over, in order."""
    last = ComplaintEvent.objects.filter(complaint=complaint).latest("at", "id")
    return sorted(
        Notification.objects.filter(dedup_key=f"handover:{last.pk}").values_list(
            "recipient__user__username", flat=True
        )
    )


def last_note(person: Staff) -> Notification:
    return Notification.objects.filter(recipient=person).order_by("-pk").first()


def mailed() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def absent(person: Staff, deputy: Staff) -> None:
    person.deputy = deputy
    person.absent_from = timezone.now() - timedelta(days=1)
    person.absent_until = timezone.now() + timedelta(days=3)
    person.save()


def act(callbacks, step):
    """Run one action in its own transaction and send what it queued after commit."""
    with callbacks(execute=True):
        return step()


def test_a_proposed_transfer_tells_the_general_manager_once(
    staff_mail, register, django_capture_on_commit_callbacks
):
    """Seed 000 第一篇 4.2.2.2 5: every transfer is approved by the general manager."""
    org = staff_mail
    complaint = register()

    complaint = act(
        django_capture_on_commit_callbacks, lambda: advance(complaint, org, Status.TRANSFER_PROPOSED)
    )

    assert told(complaint) == ["gm"]
    assert mailed() == ["gm@example.com"]
    (note,) = Notification.objects.filter(recipient=org.gm)
    assert note.kind == Notification.Kind.HANDOVER and note.complaint == complaint
    assert complaint.number in note.title and str(ACTIONS["approve_transfer"].label) in note.title


def test_an_absent_general_manager_is_replaced_by_his_deputy(
    staff_mail, register, django_capture_on_commit_callbacks
):
    org = staff_mail
    absent(org.gm, org.vp)
    complaint = register()

    complaint = act(
        django_capture_on_commit_callbacks, lambda: advance(complaint, org, Status.TRANSFER_PROPOSED)
    )

    assert told(complaint) == ["vp"]
    assert mailed() == ["vp@example.com"]
    assert org.gm.display_name in last_note(org.vp).body


def test_an_approved_transfer_tells_the_responsible_department_not_the_accused(
    staff_mail, register, django_capture_on_commit_callbacks
):
    """The transfer slip to sign (签收) goes to the responsible department only; the handler
    complained about is not told (回避), nor is the GM who approved, nor another department."""
    org = staff_mail
    complaint = register()
    complaint.accused_staff.add(org.production_handler)
    complaint = advance(complaint, org, Status.TRANSFER_PROPOSED)
    mail.outbox.clear()

    complaint = act(
        django_capture_on_commit_callbacks, lambda: services.approve_transfer(complaint=complaint, by=org.gm)
    )

    assert told(complaint) == ["prodhead"]
    assert mailed() == ["prodhead@example.com"]


def test_accepting_tells_the_department_to_investigate_and_investigating_to_resolve(
    staff_mail, register, django_capture_on_commit_callbacks
):
    org = staff_mail
    complaint = advance(register(), org, Status.TRANSFER_APPROVED)

    complaint = act(
        django_capture_on_commit_callbacks,
        lambda: services.accept_transfer(
            complaint=complaint, by=org.production_head, handler=org.production_handler
        ),
    )
    assert told(complaint) == ["prodhandler"]  # not the head who signed

    complaint = act(
        django_capture_on_commit_callbacks,
        lambda: services.start_investigation(complaint=complaint, by=org.production_handler),
    )
    assert told(complaint) == ["prodhead"]  # not the handler who started


def test_a_proposed_resolution_goes_to_the_clerk_who_registered_it_once(
    staff_mail, register, django_capture_on_commit_callbacks
):
    """The desk passes the resolution on (seed 000: 客服部 replies): the clerk who registered the
    complaint, not every desk clerk nor the CS director (tests/notifications/test_desk_handover.py
    has the deputy and the fallback)."""
    org = staff_mail
    second = make_staff("clerk2", "张专员", org.cs, Role.DESK_CLERK)
    second.user.email = "clerk2@example.com"
    second.user.save()
    complaint = advance(register(), org, Status.INVESTIGATING)
    mail.outbox.clear()

    complaint = act(
        django_capture_on_commit_callbacks,
        lambda: services.propose_resolution(
            complaint=complaint, by=org.production_handler, resolution="更换扶手"
        ),
    )

    assert told(complaint) == ["clerk"]
    assert mailed() == ["clerk@example.com"]


def test_a_step_returned_for_rework_goes_back_to_the_department(
    staff_mail, register, django_capture_on_commit_callbacks
):
    org = staff_mail
    complaint = advance(register(), org, Status.RESOLUTION_PROPOSED)
    mail.outbox.clear()

    complaint = act(
        django_capture_on_commit_callbacks,
        lambda: services.return_for_rework(complaint=complaint, by=org.director, comment="补充检测报告"),
    )

    assert told(complaint) == ["prodhandler", "prodhead"]
    assert "补充检测报告" in last_note(org.production_head).body


def test_an_extension_request_tells_who_may_approve_it(
    staff_mail, register, django_capture_on_commit_callbacks
):
    org = staff_mail
    complaint = advance(register(), org, Status.INVESTIGATING)

    complaint = act(
        django_capture_on_commit_callbacks,
        lambda: clock_actions.request_extension(
            complaint=complaint,
            by=org.production_handler,
            clock="resolution",
            extra_amount=2,
            reason="等配件",
        ),
    )

    names = told(complaint)
    assert {"director", "vp", "gm"} <= set(names) and "prodhandler" not in names
    assert str(ACTIONS["approve_extension"].label) in last_note(org.gm).title


@pytest.mark.parametrize("back", ["reject", "decline"])
def test_a_refused_transfer_comes_back_to_the_desk(
    staff_mail, register, back, django_capture_on_commit_callbacks
):
    """The GM rejects, or the department declines: the desk must route it again — the clerk who
    registered the complaint."""
    org = staff_mail
    if back == "reject":
        complaint = advance(register(), org, Status.TRANSFER_PROPOSED)
        by, refuse = org.gm, services.reject_transfer
    else:
        complaint = advance(register(), org, Status.TRANSFER_APPROVED)
        by, refuse = org.production_head, services.decline_transfer
    mail.outbox.clear()

    complaint = act(
        django_capture_on_commit_callbacks, lambda: refuse(complaint=complaint, by=by, comment="非本部门")
    )

    assert complaint.status == Status.CLASSIFIED
    assert told(complaint) == ["clerk"]  # the clerk who registered it routes it again
    assert mailed() == ["clerk@example.com"]


def test_a_rolled_back_action_tells_nobody(staff_mail, register, django_capture_on_commit_callbacks):
    org = staff_mail
    complaint = register()
    before = Notification.objects.count()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        advance(complaint, org, Status.TRANSFER_PROPOSED)
        raise RuntimeError("the request failed after the action")

    assert callbacks == [] and mail.outbox == []
    assert Notification.objects.count() == before


def test_the_same_event_never_tells_twice(staff_mail, register, django_capture_on_commit_callbacks):
    """A retried or duplicated task (the queue delivers at least once) tells nobody twice."""
    org = staff_mail
    complaint = advance(register(), org, Status.TRANSFER_PROPOSED)
    event = ComplaintEvent.objects.filter(complaint=complaint).latest("at", "id")

    with django_capture_on_commit_callbacks(execute=True):  # the e-mails, after each task
        tell_next(event.pk)
        tell_next(event.pk)
        handover.deliver(event_id=event.pk)

    assert Notification.objects.filter(recipient=org.gm).count() == 1
    assert mailed() == ["gm@example.com"]


def test_the_action_only_queues_the_hand_over_for_after_commit(
    staff_mail, register, django_capture_on_commit_callbacks
):
    """In the action's transaction: no candidate query, no notification written, one callback;
    the worker's task tells the general manager once the action has committed."""
    org = staff_mail
    complaint = register()
    with (
        django_capture_on_commit_callbacks() as callbacks,
        CaptureQueriesContext(connection) as in_action,
    ):
        complaint = advance(complaint, org, Status.TRANSFER_PROPOSED)

    assert not any("notifications_notification" in q["sql"] for q in in_action.captured_queries)
    assert not any("organization_roleassignment" in q["sql"] for q in in_action.captured_queries)
    assert Notification.objects.filter(kind=Notification.Kind.HANDOVER).count() == 0
    assert len(callbacks) == 1

    results_before = HUEY.result_count()
    callbacks[0]()  # the commit: the task runs (huey immediate mode in tests)

    assert told(complaint) == ["gm"]
    # and the queue keeps no result of it that nobody would ever read (a row per hand-over)
    assert HUEY.result_count() == results_before


def test_a_hand_over_the_complaint_has_moved_past_tells_nobody(
    staff_mail, register, django_capture_on_commit_callbacks
):
    """The worker ran late: the transfer was approved before the proposal's task ran, so the
    general manager is not told of work already done; the approval's hand-over tells the department."""
    org = staff_mail
    complaint = register()
    with django_capture_on_commit_callbacks() as proposed:
        complaint = advance(complaint, org, Status.TRANSFER_PROPOSED)
    with django_capture_on_commit_callbacks() as approved:
        complaint = services.approve_transfer(complaint=complaint, by=org.gm)

    for callback in [*proposed, *approved]:
        callback()

    assert not Notification.objects.filter(recipient=org.gm).exists()
    assert told(complaint) == ["prodhandler", "prodhead"]


def test_when_the_queue_is_down_the_request_tells_after_commit(
    staff_mail, register, django_capture_on_commit_callbacks, monkeypatch
):
    """The fallback: the enqueue fails (Redis or huey's file unavailable), so the hand-over is
    computed in the request after commit rather than lost."""
    from kesu.notifications import tasks

    def broken(event_id):
        raise ConnectionError("queue storage unavailable")

    monkeypatch.setattr(tasks, "tell_next", broken)
    org = staff_mail
    complaint = act(
        django_capture_on_commit_callbacks, lambda: advance(register(), org, Status.TRANSFER_PROPOSED)
    )
    assert told(complaint) == ["gm"]


def test_comments_and_reminders_are_not_hand_overs(staff_mail, register):
    org = staff_mail
    complaint = advance(register(), org, Status.TRANSFER_PROPOSED)
    before = Notification.objects.count()

    services.add_comment(complaint=complaint, by=org.clerk, comment="客户来电催促")

    assert Notification.objects.count() == before


@pytest.mark.parametrize("registrar_at_desk", [True, False])
def test_queries_per_hand_over_do_not_grow_with_the_staff(staff_mail, register, registrar_at_desk):
    """A desk step goes to the clerk who registered the complaint; when they have left the desk,
    to every desk holder (2 + 20 of them here: 5 absent ones through their deputy). Either way the
    queries do not grow with the number of people."""
    org = staff_mail
    complaint = advance(register(), org, Status.RESOLUTION_PROPOSED)
    if not registrar_at_desk:
        registrar = make_staff("former", "离职专员", org.sales)
        Complaint.objects.filter(pk=complaint.pk).update(registered_by=registrar)
    event = ComplaintEvent.objects.filter(complaint=complaint).latest("at", "id")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            handover.deliver(event_id=event.pk)
        return len(captured)

    queries()  # warm the caches a first request fills (rule book, content types)
    few = queries()
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"desk{i}", email=f"desk{i}@example.com") for i in range(25)]
    )
    people = Staff.objects.bulk_create(
        [Staff(user=u, display_name=f"专员{i}", department=org.cs) for i, u in enumerate(users)]
    )
    RoleAssignment.objects.bulk_create([RoleAssignment(staff=p, role=Role.DESK_CLERK) for p in people])
    for person in people[:5]:  # some of them absent, with deputies
        absent(person, org.clerk)

    many = queries()

    expected = 2 + 20 if not registrar_at_desk else 1
    assert Notification.objects.filter(dedup_key=f"handover:{event.pk}").count() == expected
    assert many == few, f"{few} queries with 2 desk people, {many} with 27"


def test_a_recused_general_manager_is_replaced_by_the_rule_books_substitute(
    staff_mail, register, django_capture_on_commit_callbacks
):
    """Seed 000 第四篇 二(一) 被投诉人应当回避: the GM complained about is not told; the preset's
    recusal substitute (the vice president) approves instead and is told."""
    org = staff_mail
    complaint = register()
    complaint.accused_staff.add(org.gm)

    complaint = act(
        django_capture_on_commit_callbacks, lambda: advance(complaint, org, Status.TRANSFER_PROPOSED)
    )

    assert told(complaint) == ["vp"]
    assert mailed() == ["vp@example.com"]


@dataclass(frozen=True)
class Case:
    start: str
    actor: str
    step: Callable  # (complaint, org) -> complaint
    expected: tuple[str, ...]
    accused_role: str  # a holder of this role, complained about, who would otherwise be told
    accused_department: Callable  # org -> Department


def _propose(c, org):
    return services.propose_transfer(
        complaint=c,
        by=org.clerk,
        to_department=org.production,
        to_position=org.production_manager,
        reason="转",
    )


CASES = {
    "transfer to approve": Case(
        Status.CLASSIFIED, "clerk", _propose, ("gm",), Role.GENERAL_MANAGER, lambda org: org.gm.department
    ),
    "slip to sign": Case(
        Status.TRANSFER_PROPOSED,
        "gm",
        lambda c, org: services.approve_transfer(complaint=c, by=org.gm),
        ("prodhandler", "prodhead"),
        Role.DEPARTMENT_HEAD,
        lambda org: org.production,
    ),
    "investigation": Case(
        Status.TRANSFER_APPROVED,
        "prodhead",
        lambda c, org: services.accept_transfer(
            complaint=c, by=org.production_head, handler=org.production_handler
        ),
        ("prodhandler",),
        Role.HANDLER,
        lambda org: org.production,
    ),
    "resolution": Case(
        Status.ACCEPTED,
        "prodhandler",
        lambda c, org: services.start_investigation(complaint=c, by=org.production_handler),
        ("prodhead",),
        Role.DEPARTMENT_HEAD,
        lambda org: org.production,
    ),
    "resolution for the desk": Case(
        Status.INVESTIGATING,
        "prodhandler",
        lambda c, org: services.propose_resolution(complaint=c, by=org.production_handler, resolution="换"),
        ("clerk",),  # the clerk who registered it, not the whole desk
        Role.DESK_CLERK,
        lambda org: org.cs,
    ),
    "reworked step": Case(
        Status.RESOLUTION_PROPOSED,
        "director",
        lambda c, org: services.return_for_rework(complaint=c, by=org.director, comment="补充"),
        ("prodhandler", "prodhead"),
        Role.HANDLER,
        lambda org: org.production,
    ),
    "extension to approve": Case(
        Status.INVESTIGATING,
        "prodhandler",
        lambda c, org: clock_actions.request_extension(
            complaint=c, by=org.production_handler, clock="resolution", extra_amount=2, reason="等配件"
        ),
        ("director", "gm", "prodhead", "vp"),  # the approvers, and the department's next step
        Role.VICE_PRESIDENT,
        lambda org: org.gm.department,
    ),
    "rejected transfer": Case(
        Status.TRANSFER_PROPOSED,
        "gm",
        lambda c, org: services.reject_transfer(complaint=c, by=org.gm, comment="不转"),
        ("clerk",),  # the clerk who registered it, not the whole desk
        Role.DESK_CLERK,
        lambda org: org.cs,
    ),
    "declined transfer": Case(
        Status.TRANSFER_APPROVED,
        "prodhead",
        lambda c, org: services.decline_transfer(complaint=c, by=org.production_head, comment="非本部门"),
        ("clerk",),  # the clerk who registered it, not the whole desk
        Role.DESK_CLERK,
        lambda org: org.cs,
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_each_hand_over_tells_the_next_people_once_never_the_accused_or_actor_nor_on_rollback(
    staff_mail, register, name, django_capture_on_commit_callbacks
):
    case, org = CASES[name], staff_mail
    complaint = advance(register(), org, case.start)
    accused = make_staff("accused", "被投诉人", case.accused_department(org), case.accused_role)
    accused.user.email = "accused@example.com"
    accused.user.save()
    complaint.accused_staff.add(accused)
    mail.outbox.clear()
    before = Notification.objects.count()

    # a rolled-back action tells nobody
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        case.step(complaint, org)
        raise RuntimeError("failed after the action")
    assert callbacks == [] and mail.outbox == [] and Notification.objects.count() == before

    # the action that commits tells each of the next people once, in Kesu and by e-mail
    complaint.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        complaint = case.step(complaint, org)
    assert told(complaint) == sorted(case.expected)
    assert mailed() == sorted(f"{n}@example.com" for n in case.expected)
    assert case.actor not in case.expected and "accused" not in told(complaint)


def test_a_step_the_procedure_gives_to_a_named_post_tells_its_holder_in_any_department(
    staff_mail, register, django_capture_on_commit_callbacks
):
    """The procedure (rule book data) decides who is next, not fixed roles: when the transfer is
    approved by the holder of a named post (指定岗位) in another department than the responsible
    one, that holder is told — and the general manager, who no longer takes the step, is not."""
    from kesu.complaints.models import Procedure, ProcedureStep, StepScope
    from kesu.organization.models import Position

    org = staff_mail
    post = Position.objects.create(name="品管课长", department=org.quality)
    org.quality_head.position = post
    org.quality_head.save()
    procedure = Procedure.objects.get(category__code="product_quality", severity=None)
    ProcedureStep.objects.filter(procedure=procedure, action="approve_transfer").update(
        role=Role.DEPARTMENT_HEAD, scope=StepScope.POSITION, position=post
    )

    complaint = act(
        django_capture_on_commit_callbacks, lambda: advance(register(), org, Status.TRANSFER_PROPOSED)
    )

    assert told(complaint) == ["qualityhead"]
    assert mailed() == ["qualityhead@example.com"]


def test_a_hand_over_is_written_in_the_site_language_whatever_the_actor_reads(
    staff_mail, register, django_capture_on_commit_callbacks
):
    """The desk clerk works in English; the general manager's notification is stored and read in
    the site's language (LANGUAGE_CODE, Chinese here), not in the language of the actor's page."""
    from django.utils import translation

    org = staff_mail
    complaint = register()
    with translation.override("en"):
        complaint = act(
            django_capture_on_commit_callbacks, lambda: advance(complaint, org, Status.TRANSFER_PROPOSED)
        )
    note = last_note(org.gm)
    assert "待您处理" in note.title and "Waiting for you" not in note.body
