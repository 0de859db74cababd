"""Procedures as data (kesu.complaints.procedures): how the workflow reads them, what the admin
refuses, and that an edit applies to the next action without a restart."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kesu.complaints import services
from kesu.complaints.models import Category, Complaint, Procedure, ProcedureStep, Status, StepScope
from kesu.complaints.procedures import load_procedures, rules_for_class, validate_steps
from kesu.complaints.workflow import allowed_actions, authorize
from kesu.core.errors import ActionNotAllowed
from kesu.organization.models import Role
from kesu.organization.selectors import capacities_of
from kesu.rulebook import cache
from tests.conftest import advance


def _queries_for_allowed_actions(complaint: Complaint, staff) -> int:
    fresh = Complaint.objects.select_related("category", "severity").get(pk=complaint.pk)
    capacities = capacities_of(staff=staff)
    with CaptureQueriesContext(connection) as ctx:
        allowed_actions(complaint=fresh, capacities=capacities)
        authorize(complaint=fresh, action="comment", staff=staff)
    return len(ctx.captured_queries)


def test_the_procedure_is_one_query_however_many_steps(org, register):
    complaint = advance(register(), org, Status.INVESTIGATING)
    cache.bump()  # each measurement reads the procedure afresh (kesu.rulebook.cache)
    few = _queries_for_allowed_actions(complaint, org.production_handler)

    # when the class's procedure grows by many steps (more roles for every step)
    procedure = Procedure.objects.get(category__code="product_quality")
    steps = list(procedure.steps.all())
    extra = [
        ProcedureStep(procedure=procedure, order=100 + i, action=s.action, role=role, scope=StepScope.ANY)
        for i, s in enumerate(steps)
        for role in (Role.AUDITOR, Role.ADMINISTRATOR)
    ]
    ProcedureStep.objects.bulk_create(extra)
    cache.bump()  # a bulk write sends no signal (a preset load bumps, as here)
    many = _queries_for_allowed_actions(complaint, org.production_handler)

    assert len(steps) + len(extra) >= 3 * len(steps)
    assert many == few
    # and the procedure itself is read once for both calls and both objects: one query on the
    # steps table, then none while the rule book is unchanged (kept by the process)
    cache.bump()
    with CaptureQueriesContext(connection) as ctx:
        for staff in (org.clerk, org.gm):
            fresh = Complaint.objects.get(pk=complaint.pk)
            allowed_actions(complaint=fresh, capacities=capacities_of(staff=staff))
    assert sum("complaints_procedurestep" in q["sql"] for q in ctx.captured_queries) == 1
    with CaptureQueriesContext(connection) as ctx:
        allowed_actions(
            complaint=Complaint.objects.get(pk=complaint.pk), capacities=capacities_of(staff=org.gm)
        )
    assert sum("complaints_procedurestep" in q["sql"] for q in ctx.captured_queries) == 0


def _procedure(name: str, **where) -> Procedure:
    """A procedure with the skeleton's main path (a procedure without steps is never valid)."""
    procedure = Procedure.objects.create(name=name, **where)
    ProcedureStep.objects.bulk_create(
        ProcedureStep(procedure=procedure, order=i, **step) for i, step in enumerate(VALID)
    )
    return procedure


def test_a_sub_class_follows_its_parents_procedure_unless_it_has_its_own(db):
    from kesu.rulebook.services import apply_preset

    apply_preset(name="pcb")
    electrical = Category.objects.get(code="quality_electrical")
    service = Category.objects.get(code="non_quality_service")
    # seed 002: one procedure for every class; only 服务态度 adds the answer on the spot
    assert rules_for_class(electrical.pk).procedure_id == Procedure.objects.get(category=None).pk
    assert rules_for_class(service.pk).lists("answer_on_spot")
    # a procedure for the parent class covers its sub-classes
    quality = _procedure("品质类", category=Category.objects.get(code="quality"))
    assert rules_for_class(electrical.pk).procedure_id == quality.pk


def test_a_severity_procedure_comes_before_the_class_one(org):
    from kesu.complaints.models import Severity

    urgent = Severity.objects.get(code="urgent")
    quality = Category.objects.get(code="product_quality")
    procedure = _procedure("紧急质量投诉", category=quality, severity=urgent)
    assert rules_for_class(quality.pk, urgent.pk).procedure_id == procedure.pk
    assert rules_for_class(quality.pk, None).procedure_id != procedure.pk


def test_an_admin_edit_applies_to_the_next_action_without_a_restart(org, register):
    """A rule book edited in the admin changes what the next action allows."""
    complaint = advance(register(), org, Status.TRANSFER_PROPOSED)
    assert authorize(complaint=complaint, action="approve_transfer", staff=org.gm)
    with pytest.raises(ActionNotAllowed):
        authorize(complaint=complaint, action="approve_transfer", staff=org.vp)

    # when the administrator gives the approval step to the vice president, in the admin
    root = get_user_model().objects.create_superuser("root", password="pass-root")
    client = Client()
    client.force_login(root)
    procedure = Procedure.objects.get(category__code="product_quality")
    data = _admin_form(procedure)
    approval = next(i for i, s in enumerate(procedure.steps.all()) if s.action == "approve_transfer")
    data[f"steps-{approval}-role"] = Role.VICE_PRESIDENT
    response = client.post(reverse("admin:complaints_procedure_change", args=[procedure.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]

    # then the next authorize call follows it
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert authorize(complaint=complaint, action="approve_transfer", staff=org.vp)
    with pytest.raises(ActionNotAllowed):
        authorize(complaint=complaint, action="approve_transfer", staff=org.gm)


def _admin_form(procedure: Procedure) -> dict[str, str]:
    steps = list(procedure.steps.all())
    data = {
        "name": procedure.name,
        "description": procedure.description,
        "category": str(procedure.category_id or ""),
        "severity": str(procedure.severity_id or ""),
        "source": procedure.source,
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(len(steps)),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for i, step in enumerate(steps):
        data |= {
            f"steps-{i}-id": str(step.pk),
            f"steps-{i}-procedure": str(procedure.pk),
            f"steps-{i}-order": str(step.order),
            f"steps-{i}-action": step.action,
            f"steps-{i}-label": step.label,
            f"steps-{i}-role": step.role,
            f"steps-{i}-scope": step.scope,
            f"steps-{i}-position": "",
            f"steps-{i}-source": step.source,
        }
        if step.required:
            data[f"steps-{i}-required"] = "on"
    return data


def test_the_admin_refuses_a_procedure_that_cannot_close_and_saves_nothing(org):
    root = get_user_model().objects.create_superuser("root", password="pass-root")
    client = Client()
    client.force_login(root)
    procedure = Procedure.objects.get(category__code="product_quality")
    before = list(procedure.steps.values_list("pk", "action", "role"))
    data = _admin_form(procedure) | {"name": "改过的名字"}
    for i, step in enumerate(procedure.steps.all()):
        if step.action == "close":
            data[f"steps-{i}-DELETE"] = "on"

    response = client.post(reverse("admin:complaints_procedure_change", args=[procedure.pk]), data)

    assert response.status_code == 200
    assert "cannot reach closing" in response.content.decode() or "无法结案" in response.content.decode()
    procedure.refresh_from_db()
    assert procedure.name != "改过的名字"
    assert list(procedure.steps.values_list("pk", "action", "role")) == before


DESK = {"role": Role.DESK_CLERK, "scope": StepScope.ANY}
DEPT = {"role": Role.HANDLER, "scope": StepScope.DEPARTMENT}
VALID = [
    {"action": "classify", **DESK},
    {"action": "propose_transfer", **DESK},
    {"action": "accept_transfer", **DEPT},
    {"action": "start_investigation", **DEPT},
    {"action": "propose_resolution", **DEPT},
    {"action": "reply_to_customer", **DESK},
    {"action": "close", **DESK},
]


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        (VALID[:-1], "cannot reach closing"),
        ([*VALID, {"action": "close", "role": "chairman", "scope": "any"}], "Unknown role"),
        ([*VALID, {"action": "teleport", **DESK}], "Unknown step"),
        (
            [*VALID, {"action": "approve_transfer", "role": Role.GENERAL_MANAGER, "scope": "position"}],
            "nobody can take it",
        ),
        ([*VALID, {"action": "classify", **DEPT}], "can never take it"),
        ([*VALID, {"action": "close", **DESK}], "listed twice"),
        ([*VALID, {"action": "close", "required": False, **DEPT}], "cannot be optional"),
    ],
)
def test_invalid_procedures_are_refused_with_a_clear_error(steps, message):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        validate_steps(steps)
    assert message in " ".join(error.value.messages)


def test_valid_procedures_pass():
    validate_steps(VALID)
    validate_steps([{"action": "classify", **DESK}, {"action": "answer_on_spot", **DESK}])


def test_a_bad_preset_procedure_saves_nothing(org):
    before = list(ProcedureStep.objects.values_list("pk", flat=True))
    preset = {"procedures": [{"name": "坏流程", "steps": [{"action": "classify", **DESK}]}]}
    with pytest.raises(ValidationError) as error:
        from django.db import transaction

        with transaction.atomic():
            load_procedures(preset)
    assert "坏流程" in error.value.messages[0]
    assert list(ProcedureStep.objects.values_list("pk", flat=True)) == before


def test_without_a_procedure_the_skeleton_defaults_apply(org, register):
    # a database whose procedures were all deleted still works: the furniture path
    Procedure.objects.all().delete()
    complaint = register()
    assert "propose_transfer" in allowed_actions(
        complaint=complaint, capacities=capacities_of(staff=org.clerk)
    )
    complaint = services.propose_transfer(
        complaint=complaint, by=org.clerk, to_department=org.production, reason="转生产部"
    )
    assert complaint.status == Status.TRANSFER_PROPOSED


def test_the_gm_finds_the_decisions_he_approves_on_his_workbench(org, register):
    """seed 000 第一篇 4.2.3.1 3)⑥: the VP's opinion on a grievance waits for the GM's approval;
    appearance/packaging opinions need none (4.2.3.4 3)), so they are not his to approve."""
    from kesu.complaints.selectors import workbench

    grievance = advance(
        register(category=Category.objects.get(code="grievance")), org, Status.RESOLUTION_PROPOSED
    )
    packaging = advance(
        register(category=Category.objects.get(code="appearance_packaging")), org, Status.RESOLUTION_PROPOSED
    )
    awaiting = {c.pk for c in workbench(staff=org.gm).awaiting_my_approval.rows}
    assert grievance.pk in awaiting
    assert packaging.pk not in awaiting
