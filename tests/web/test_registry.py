"""Apps contribute to a complaint through kesu.complaints.registry, without complaints importing
them (STYLE.md habit 17): an action registered the way kesu.deadlines registers its clock actions
is offered, performed, permission-checked and shown on the timeline like a core one."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kesu.complaints import registry
from kesu.complaints.actions import Field, perform_action
from kesu.complaints.models import Complaint
from kesu.complaints.services import lock_for_action, record_action
from kesu.complaints.workflow import ACTIONS, DESK, OPEN, Action, allowed_actions
from kesu.core.errors import ActionNotAllowed
from kesu.organization.models import Staff
from kesu.organization.selectors import capacities_of
from tests.web.conftest import opened_form


def test_the_lifecycle_order_is_today_s_with_the_clock_actions_after_reopening():
    names = list(ACTIONS)
    clock = [
        "await_customer",
        "resume_clocks",
        "record_delivery",
        "acknowledge_customer",
        "request_extension",
    ]
    clock += ["approve_extension", "reject_extension"]
    # kesu.fulfilment carries the decision out, after the clock actions
    clock += [
        "record_shipment",
        "deliver_shipment",
        "record_repair_progress",
        "file_carrier_claim",
        "settle_carrier_claim",
        "open_return_slip",
        "receive_return",
        "settle_return_mismatch",
        "issue_credit_note",
        "seal_credit_note",
        "send_credit_note_to_accounting",
        "record_receivable",
    ]
    assert names[names.index("reopen") + 1 : names.index("correct")] == clock
    assert names[-3:] == ["correct", "file_secondary", "comment"]


def flag(
    *, complaint: Complaint, by: Staff, level: str, comment: str, version: int | None = None
) -> Complaint:
    """The toy app's service: checks permission under the lock and writes its timeline entry."""
    locked, capacity = lock_for_action(complaint, "flag", by, version)
    return record_action(locked, capacity, "flag", comment=comment, data={"level": "amber", "secret": 7})


@pytest.fixture
def toy_app():
    """Register an action as an app's AppConfig.ready() would, and take it out again afterwards."""
    saved = (dict(registry.ACTIONS), dict(registry.INPUTS), dict(registry.SERVICES), dict(registry.DATA_KEYS))
    saved_kinds = dict(registry.INPUT_KINDS)
    registry.register_action(
        Action(name="flag", label="Flag for the quality team", sources=OPEN, target=None, roles=DESK),
        inputs=[Field("level", "flag_level", True), Field("comment", "text", True)],
        service=flag,
        after="classify",
    )
    registry.register_input_kind(
        "flag_level",
        registry.InputKind(parse=str.upper, choices=lambda complaint: [("amber", "Amber")], api_type=str),
    )
    registry.register_data("secret", registry.DataKey(hidden=True))
    yield
    for target, old in zip(
        (registry.ACTIONS, registry.INPUTS, registry.SERVICES, registry.DATA_KEYS), saved, strict=True
    ):
        target.clear()
        target.update(old)
    registry.INPUT_KINDS.clear()
    registry.INPUT_KINDS.update(saved_kinds)


def test_a_registered_action_is_offered_in_its_place_and_performed(toy_app, org, register, as_user):
    complaint = register()
    # given: the desk may take it, right after "classify"; a department head may not
    offered = allowed_actions(complaint=complaint, capacities=capacities_of(staff=org.clerk))
    assert offered[offered.index("classify") + 1] == "flag"
    assert "flag" not in allowed_actions(
        complaint=complaint, capacities=capacities_of(staff=org.production_head)
    )
    with pytest.raises(ActionNotAllowed):
        perform_action(complaint=complaint, action="flag", by=org.production_head, inputs={}, version=None)

    # when: the desk flags it through the web form
    client = as_user(org.clerk)
    page = client.get(reverse("complaint-detail", args=[complaint.number])).content.decode()
    assert "Flag for the quality team" in page
    assert 'value="amber"' in opened_form(client, complaint.number, "flag")
    response = client.post(
        reverse("complaint-action", args=[complaint.number, "flag"]),
        {"flag-version": complaint.version, "flag-level": "amber", "flag-comment": "看一下"},
    )
    assert response.status_code == 302

    # then: the timeline shows the app's label and data, not its internal id
    page = client.get(reverse("complaint-detail", args=[complaint.number])).content.decode()
    assert page.count("Flag for the quality team") >= 1 and "amber" in page and "secret" not in page
    assert complaint.events.filter(action="flag", data__level="amber").exists()


def test_a_missing_input_of_a_registered_action_is_a_field_error(toy_app, org, register):
    complaint = register()
    with pytest.raises(ValidationError) as error:
        perform_action(
            complaint=complaint, action="flag", by=org.clerk, inputs={"comment": "x"}, version=None
        )
    assert set(error.value.message_dict) == {"level"}
    assert not complaint.events.filter(action="flag").exists()


def test_an_action_after_an_unknown_one_is_refused():
    with pytest.raises(ValueError, match="no action 'nothing'"):
        registry.register_action(
            Action(name="orphan", label="x", sources=OPEN, target=None, roles=DESK),
            inputs=[],
            service=flag,
            after="nothing",
        )
    assert "orphan" not in registry.ACTIONS


@pytest.mark.django_db
def test_one_presenter_shows_each_app_s_entries_its_own_way():
    from django.utils import translation

    from kesu.complaints.models import ComplaintEvent
    from kesu.complaints.views import _timeline

    entries = [
        ComplaintEvent(action="escalated", data={"level": 2, "clock": "acknowledge"}),
        ComplaintEvent(
            action="approval_decided", data={"level": 1, "approval": 9, "approval_status": "approved"}
        ),
    ]
    with translation.override("en"):
        escalated, decided = _timeline(entries)
        assert str(escalated["label"]) == "Escalated"
        assert [(str(line["label"]), str(line["value"])) for line in escalated["lines"]] == [
            ("escalation level", "2"),
            ("time limit", "Acknowledge / sign"),
        ]
        assert str(decided["label"]) == "Approval decided"
        assert [(str(line["label"]), str(line["value"])) for line in decided["lines"]] == [
            ("approval level", "1"),
            ("approval status", "approved"),
        ]
