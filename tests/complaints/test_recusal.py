"""Recusal (回避): nobody complained about is named for anything or acts, and when every holder of
a role is recused the rule book's substitute decides (seed 000 第四篇 二(一) 被投诉人应当回避).

The first tests are generated from the registries, so that a new action with a person among its
inputs, or a new service that takes a person, is covered (or fails here until it is)."""

from __future__ import annotations

import inspect
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kesu.complaints import actions, selectors, services, workflow
from kesu.complaints.models import Complaint, Status
from kesu.core.errors import ActionNotAllowed
from kesu.deadlines import clock_actions
from kesu.organization.models import Role, Staff
from kesu.organization.selectors import capacities_of
from kesu.rulebook.models import RecusalSubstitute
from tests.conftest import advance, intake, make_staff

pytestmark = pytest.mark.django_db

# The main path, in order: a generated case starts the complaint at the first of these statuses
# from which its action may be taken.
MAIN_PATH = [
    Status.CLASSIFIED,
    Status.TRANSFER_PROPOSED,
    Status.TRANSFER_APPROVED,
    Status.ACCEPTED,
    Status.INVESTIGATING,
    Status.RESOLUTION_PROPOSED,
    Status.REPLIED,
    Status.FOLLOWED_UP,
    Status.CLOSED,
]
PERSONAS = ["clerk", "director", "gm", "vp", "production_head", "production_handler", "quality_head"]

STAFF_INPUTS = [
    (action, field.name)
    for action, fields in actions.ACTION_INPUTS.items()
    for field in fields
    if field.kind == "staff"
]


def _sample(kind: str, org) -> object:
    """A valid raw value of each input kind, so that only the person named can be refused."""
    return {
        "text": "说明",
        "category": "product_quality",
        "severity": "normal",
        "department": "production",
        "position": str(org.production_manager.pk),
        "channel": "phone",
        "satisfaction": "satisfied",
        "datetime": timezone.now().isoformat(),
        "clock": "resolution",
        "decimal": "1",
        "changes": {"complainant_phone": "13900000000"},
    }.get(kind, "x")


def _reach(org, action: str, accused: list[Staff]) -> Complaint:
    spec = workflow.ACTIONS[action]
    start = next((s for s in MAIN_PATH if s in spec.sources), None)
    assert start is not None, f"teach this test a path to a status where {action} may be taken"
    complaint = services.register_complaint(by=org.clerk, intake=intake())
    complaint = advance(complaint, org, start)
    complaint.accused_staff.set(accused)  # as registered; set late to let the path run
    return complaint


def test_the_registry_has_person_inputs_to_check():
    assert ("accept_transfer", "handler") in STAFF_INPUTS


@pytest.mark.parametrize(("action", "field"), STAFF_INPUTS, ids=[f"{a}.{f}" for a, f in STAFF_INPUTS])
def test_no_action_names_an_accused_person(org, action, field):
    # given a complaint against a member of the department that handles it, where the action may
    # be taken, and someone who may take it
    complaint = _reach(org, action, [org.production_handler])
    actor = next(
        getattr(org, p)
        for p in PERSONAS
        if action
        in workflow.allowed_actions(complaint=complaint, capacities=capacities_of(staff=getattr(org, p)))
    )
    inputs = {f.name: _sample(f.kind, org) for f in actions.ACTION_INPUTS[action]}
    inputs[field] = org.production_handler.user.username

    # when that person is named
    with pytest.raises(ValidationError) as error:
        actions.perform_action(complaint=complaint, action=action, by=actor, inputs=inputs, version=None)

    # then the field is refused, naming the person, and nothing changed
    assert field in error.value.message_dict
    assert "周师傅" in error.value.message_dict[field][0]
    assert Complaint.objects.get(pk=complaint.pk).version == complaint.version


def _takes_a_person(function) -> list[str]:
    return [
        name
        for name, parameter in inspect.signature(function).parameters.items()
        if name != "by" and "Staff" in str(parameter.annotation)
    ]


# Every service parameter that names a person, and the test below that proves an accused person
# is refused there. A new one fails test_every_service_taking_a_person_is_checked until added.
CHECKED = {
    "accept_transfer.handler": "test_the_accused_is_never_the_handler",
    "register_complaint.accused_staff": "test_the_accused_does_not_register_the_complaint_about_themselves",
    "register_complaint_idempotently.accused_staff": "test_the_accused_does_not_register_the_complaint_about_themselves",
}


def test_every_service_taking_a_person_is_checked():
    found = {
        f"{name}.{parameter}"
        for module in (services, clock_actions)
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__ and not name.startswith("_")
        for parameter in _takes_a_person(function)
    }
    assert found == set(CHECKED), "add a recusal test for each service parameter that names a person"
    assert set(CHECKED.values()) <= set(globals())


def test_the_accused_is_never_the_handler(org, register):
    # given a transfer approved to production, where the handler is complained about
    complaint = advance(register(), org, Status.TRANSFER_APPROVED)
    complaint.accused_staff.add(org.production_handler)

    # when the department head names him handler in the service directly
    with pytest.raises(ValidationError) as error:
        services.accept_transfer(complaint=complaint, by=org.production_head, handler=org.production_handler)

    # then the handler field is refused and the transfer is not signed
    assert set(error.value.message_dict) == {"handler"}
    complaint.refresh_from_db()
    assert complaint.status == Status.TRANSFER_APPROVED and complaint.handler is None
    # a colleague may be named
    services.accept_transfer(complaint=complaint, by=org.production_head, handler=org.production_head)


@pytest.mark.parametrize("idempotent", [False, True])
def test_the_accused_does_not_register_the_complaint_about_themselves(org, idempotent):
    register = services.register_complaint_idempotently if idempotent else services.register_complaint
    extra = {"key": "k1", "request_digest": "d"} if idempotent else {}
    with pytest.raises(ValidationError) as error:
        register(by=org.clerk, intake=intake(), accused_staff=[org.clerk], **extra)
    assert "accused_staff" in error.value.message_dict
    assert not Complaint.objects.exists()
    # a colleague registers it
    colleague = make_staff("clerk2", "韩专员", org.cs, Role.DESK_CLERK)
    register(
        by=colleague, intake=intake(), accused_staff=[org.clerk], **{**extra, "key": "k2"} if extra else {}
    )
    assert Complaint.objects.count() == 1


def test_a_correction_cannot_make_anyone_accused():
    """The accused are fixed at registration: a correction cannot add one (and so cannot make the
    current handler accused behind the department's back)."""
    from kesu.complaints.models import Complaint as model

    people = [
        name
        for name in services.CORRECTABLE_FIELDS
        if model._meta.get_field(name).is_relation and model._meta.get_field(name).related_model is Staff
    ]
    assert people == [] and "accused_staff" not in services.CORRECTABLE_FIELDS


@pytest.mark.parametrize("status", MAIN_PATH, ids=str)
def test_an_accused_person_holding_every_role_may_do_nothing(org, register, status):
    # given someone in the handling department who holds every role, complained about
    everyone = make_staff("all", "全能", org.production, *Role.values)
    complaint = advance(register(), org, status)
    complaint.accused_staff.add(everyone)
    # then they are offered nothing, and every action is refused
    assert workflow.allowed_actions(complaint=complaint, capacities=capacities_of(staff=everyone)) == []
    for action in workflow.ACTIONS:
        with pytest.raises(ActionNotAllowed):
            workflow.authorize(complaint=complaint, action=action, staff=everyone)


# ---------------------------------------------------------------------------------------------
# A complaint about the general manager (furniture preset: the vice president decides instead)


def _about_the_gm(org) -> Complaint:
    complaint = services.register_complaint(by=org.clerk, intake=intake(), accused_staff=[org.gm])
    return services.propose_transfer(
        complaint=complaint, by=org.clerk, to_department=org.production, reason="质量问题，转生产部"
    )


def _away(person: Staff, deputy: Staff) -> None:
    person.deputy = deputy
    person.absent_from = timezone.now() - timedelta(hours=1)
    person.absent_until = timezone.now() + timedelta(days=1)
    person.save()


def test_furniture_preset_lets_the_vice_president_decide_for_a_recused_gm():
    rule = RecusalSubstitute.objects.get(role=Role.GENERAL_MANAGER)
    assert (rule.substitute_role, rule.substitute, rule.deputy_stands_in) == (
        Role.VICE_PRESIDENT,
        None,
        False,
    )
    assert "seed 000" in rule.source and "被投诉人应当回避" in rule.source


def test_complaint_about_the_gm_goes_to_the_substitute_who_approves(org):
    # given the GM away with the director as his deputy, and a transfer proposed on a complaint about him
    _away(org.gm, org.director)
    complaint = _about_the_gm(org)

    # then neither the GM nor his deputy may approve or reject it; the vice president may
    for person in (org.gm, org.director):
        allowed = workflow.allowed_actions(complaint=complaint, capacities=capacities_of(staff=person))
        assert "approve_transfer" not in allowed and "reject_transfer" not in allowed
        with pytest.raises(ActionNotAllowed):
            services.approve_transfer(complaint=complaint, by=person)
    allowed = workflow.allowed_actions(complaint=complaint, capacities=capacities_of(staff=org.vp))
    assert {"approve_transfer", "reject_transfer"} <= set(allowed)

    # and it waits in the vice president's queue, not the GM's
    assert complaint in selectors.workbench(staff=org.vp).awaiting_my_approval.rows
    assert complaint not in selectors.workbench(staff=org.gm).awaiting_my_approval.rows

    # when the vice president approves, the slip and the timeline say who decided, and for whom
    complaint = services.approve_transfer(complaint=complaint, by=org.vp, comment="总经理回避，由副总审批")
    assert complaint.status == Status.TRANSFER_APPROVED
    assert complaint.transfer_slips.get().approved_by == org.vp
    event = complaint.events.last()
    assert (event.actor, event.acting_for, event.data["stands_in_for"]) == (
        org.vp,
        None,
        Role.GENERAL_MANAGER,
    )


def test_the_gms_deputy_stands_in_only_if_the_rule_book_says_so(org):
    _away(org.gm, org.director)
    complaint = _about_the_gm(org)
    rule = RecusalSubstitute.objects.get(role=Role.GENERAL_MANAGER)
    rule.substitute_role, rule.deputy_stands_in = "", True
    rule.save()

    services.approve_transfer(complaint=complaint, by=org.director)
    assert complaint.events.last().data["stands_in_for"] == Role.GENERAL_MANAGER
    # the vice president is no longer named
    other = _about_the_gm(org)
    assert "approve_transfer" not in workflow.allowed_actions(
        complaint=other, capacities=capacities_of(staff=org.vp)
    )


def test_an_accused_substitute_does_not_stand_in(org):
    complaint = services.register_complaint(by=org.clerk, intake=intake(), accused_staff=[org.gm, org.vp])
    complaint = services.propose_transfer(
        complaint=complaint, by=org.clerk, to_department=org.production, reason="转生产部"
    )
    # the vice president is recused too, so nobody may approve, and the desk is told so
    (stand_in,) = workflow.stand_ins(complaint)
    assert stand_in.role == Role.GENERAL_MANAGER and stand_in.configured
    assert stand_in.substitutes == () and stand_in.blocked == ("approve_transfer", "reject_transfer")
    with pytest.raises(ActionNotAllowed) as error:
        services.approve_transfer(complaint=complaint, by=org.vp)
    assert "回避" in error.value.reason


def test_a_named_person_without_any_role_can_be_the_substitute(org):
    # given the board chairman (董事长), who holds no role in the complaint process, named in the rule book
    chairman = make_staff("chairman", "董事长", org.cs)
    RecusalSubstitute.objects.filter(role=Role.GENERAL_MANAGER).update(
        substitute_role="", substitute=chairman
    )
    complaint = _about_the_gm(org)

    # then he sees it, finds it awaiting his approval, and approves it
    assert complaint in selectors.complaints_visible_to(staff=chairman)
    assert complaint in selectors.workbench(staff=chairman).awaiting_my_approval.rows
    assert services.approve_transfer(complaint=complaint, by=chairman).status == Status.TRANSFER_APPROVED
    # but only where the GM is recused
    ordinary = services.register_complaint(by=org.clerk, intake=intake())
    assert ordinary not in selectors.complaints_visible_to(staff=chairman)


def test_without_a_substitute_the_complaint_says_nobody_can_approve(org):
    RecusalSubstitute.objects.all().delete()
    complaint = _about_the_gm(org)
    (stand_in,) = workflow.stand_ins(complaint)
    assert stand_in.role == Role.GENERAL_MANAGER and stand_in.recused == (org.gm,)
    assert stand_in.substitutes == () and not stand_in.configured
    assert "approve_transfer" in stand_in.blocked
    assert "rule book" in stand_in.notice or "制度" in stand_in.notice


def test_no_recusal_no_notice_and_no_extra_queries(org, register, django_assert_num_queries):
    complaint = advance(register(), org, Status.TRANSFER_PROPOSED)
    complaint = Complaint.objects.get(pk=complaint.pk)
    with django_assert_num_queries(1):  # the accused, and nothing else
        assert workflow.stand_ins(complaint) == []


def test_the_deputy_of_an_absent_substitute_acts_for_him(org):
    # given the vice president away, with the director as his deputy
    _away(org.vp, org.director)
    complaint = _about_the_gm(org)

    # then the director finds it in his queue and approves it for the vice president
    assert complaint in selectors.workbench(staff=org.director).awaiting_my_approval.rows
    complaint = services.approve_transfer(complaint=complaint, by=org.director)
    event = complaint.events.last()
    assert (event.actor, event.acting_for, event.data["stands_in_for"]) == (
        org.director,
        org.vp,
        Role.GENERAL_MANAGER,
    )


def test_an_accused_deputy_does_not_act_for_his_principal(org, register):
    # given the director away with the clerk as deputy, and a complaint about the clerk
    _away(org.director, org.clerk)
    complaint = advance(register(), org, Status.RESOLUTION_PROPOSED)
    complaint.accused_staff.add(org.clerk)

    # then the clerk may not return it for rework in the director's name
    assert workflow.allowed_actions(complaint=complaint, capacities=capacities_of(staff=org.clerk)) == []
    with pytest.raises(ActionNotAllowed) as error:
        services.return_for_rework(complaint=complaint, by=org.clerk, comment="代主任退回")
    assert "回避" in error.value.reason
