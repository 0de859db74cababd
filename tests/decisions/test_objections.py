"""The internal objection route (签呈) against an approved decision, PCB (seed 002 (九)12: 各部门对
客户投诉处理决议有异议时得以“签呈”专案呈报处理): the production head objects, the general manager
(the preset's decider) records the outcome; the customer's answer waits meanwhile."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kesu.approvals.services import decide_approval
from kesu.decisions import objections, services
from kesu.decisions.errors import DecisionConflict, MayNotDecide
from kesu.decisions.models import Objection, ObjectionRoute, ObjectionStatus, VersionStatus
from kesu.organization.models import Role
from kesu.rulebook.services import apply_preset
from tests.conftest import make_staff
from tests.decisions.test_wiring import decision, pcb, proposed  # noqa: F401 (pcb: the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(org, pcb):  # noqa: F811
    complaint = proposed(pcb)
    version = decision(complaint, pcb["qa"], "100.00")
    decide_approval(approval=version.approval, by=pcb["sales_head"], approve=True)
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED
    return complaint, version


def test_production_objects_and_the_gm_dismisses_it(org, pcb, approved):  # noqa: F811
    complaint, version = approved
    objection = objections.raise_objection(
        complaint=complaint, by=org.production_head, reason="责任比例应由品管部承担", decider="gm"
    )
    assert (objection.decider, objection.department, objection.status) == (
        org.gm,
        org.production,
        ObjectionStatus.PENDING,
    )
    # the customer's answer waits for the outcome
    with pytest.raises(DecisionConflict):
        services.record_countersign(
            decision=version.decision, by=org.clerk, how="phone", signed_by="刘", at=timezone.now()
        )
    with pytest.raises(DecisionConflict):  # one pending objection at a time
        objections.raise_objection(complaint=complaint, by=pcb["qa"], reason="再议", decider="gm")
    with pytest.raises(MayNotDecide):  # only the named decider
        objections.decide_objection(objection=objection, by=org.vp, uphold=False, reason="x")
    with pytest.raises(ValidationError) as error:
        objections.decide_objection(objection=objection, by=org.gm, uphold=False, reason=" ")
    assert "reason" in error.value.message_dict

    objections.decide_objection(objection=objection, by=org.gm, uphold=False, reason="维持原决议")
    objection.refresh_from_db()
    assert (objection.status, objection.outcome, objection.decided_by) == ("dismissed", "维持原决议", org.gm)
    with pytest.raises(DecisionConflict):
        objections.decide_objection(objection=objection, by=org.gm, uphold=True, reason="改")
    # the decision stands: the customer may now answer
    services.record_countersign(
        decision=version.decision, by=org.clerk, how="phone", signed_by="刘", at=timezone.now()
    )
    actions = list(complaint.events.values_list("action", flat=True))
    assert "decision_objection_raised" in actions and "decision_objection_decided" in actions


def test_an_upheld_objection_lets_the_decision_be_reworked(org, pcb, approved):  # noqa: F811
    complaint, version = approved
    objection = objections.raise_objection(complaint=complaint, by=org.production_head, reason="比例不当")
    assert objection.decider == org.gm  # the only holder of the route: named without being asked
    objections.decide_objection(objection=objection, by=org.gm, uphold=True, reason="重新判定比例")
    reworked = decision(complaint, pcb["qa"], "100.00")
    assert reworked.number == version.number + 1


def test_who_may_object_and_to_whom(org, pcb):  # noqa: F811
    complaint = proposed(pcb)
    decision(complaint, pcb["qa"], "100.00")
    with pytest.raises(DecisionConflict):  # not approved yet
        objections.raise_objection(complaint=complaint, by=org.production_head, reason="x", decider="gm")
    with pytest.raises(MayNotDecide):  # a clerk is not a department
        objections.raise_objection(complaint=complaint, by=org.clerk, reason="x", decider="gm")
    with pytest.raises(ValidationError) as error:
        objections.raise_objection(complaint=complaint, by=org.production_head, reason="", decider="gm")
    assert "reason" in error.value.message_dict


def test_two_general_managers_the_decider_must_be_named(org, pcb, approved):  # noqa: F811
    complaint, _version = approved
    make_staff("gm2", "第二总经理", org.gm.department, Role.GENERAL_MANAGER)
    with pytest.raises(ValidationError) as error:
        objections.raise_objection(complaint=complaint, by=org.production_head, reason="x")
    assert "gm2" in error.value.message_dict["decider"][0]
    with pytest.raises(ValidationError):
        objections.raise_objection(complaint=complaint, by=org.production_head, reason="x", decider="vp")
    assert not Objection.objects.exists()


def test_only_pcb_routes_objections_the_others_are_silent(org):
    for name in ("furniture", "telecom", "liquor", "lawfirm"):
        apply_preset(name=name)
        assert not ObjectionRoute.objects.filter(is_active=True).exists(), name
    apply_preset(name="pcb")
    route = ObjectionRoute.objects.get(is_active=True)
    assert route.decider_role == Role.GENERAL_MANAGER and "(九)12" in route.source


def test_the_objection_through_the_decision_page(org, pcb, approved, client):  # noqa: F811
    complaint, _version = approved
    page = f"/complaints/{complaint.number}/decision/"
    client.force_login(pcb["qa"].user)
    client.cookies["django_language"] = "en"
    assert 'id="objection-raise"' in client.get(page).content.decode()
    empty = client.post(page + "objection/", {"reason": "", "decider": "gm"})
    assert empty.status_code == 400 and not Objection.objects.exists()
    assert client.post(page + "objection/", {"reason": "比例不当", "decider": "gm"}).status_code == 302
    assert client.post(page + "objection_decision/", {"uphold": "no", "reason": "x"}).status_code == 403

    client.force_login(org.gm.user)
    html = client.get(page).content.decode()
    assert 'id="objection-decision"' in html and "比例不当" in html
    response = client.post(page + "objection_decision/", {"uphold": "no", "reason": "维持"}, follow=True)
    assert response.status_code == 200 and "维持" in response.content.decode()
    assert Objection.objects.get().status == ObjectionStatus.DISMISSED


def test_decision_show_lists_the_objections(org, pcb, approved, capsys):  # noqa: F811
    from django.core.management import call_command
    from django.utils import translation

    complaint, _version = approved
    objections.raise_objection(complaint=complaint, by=org.production_head, reason="比例不当", decider="gm")
    with translation.override("en"):
        call_command("decision", "show", complaint.number)
    assert "Objection (签呈) to v1 by 生产部 to 赵总: pending" in capsys.readouterr().out
