"""The shared action entry point that the web UI, the API and the CLI call."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kesu.complaints.actions import ACTION_INPUTS, perform_action
from kesu.complaints.models import Status
from kesu.complaints.workflow import ACTIONS
from kesu.core.errors import ActionNotAllowed


def test_every_workflow_action_declares_its_inputs():
    assert set(ACTION_INPUTS) == set(ACTIONS)


def test_inputs_by_code_and_username(org, register):
    complaint = register()
    complaint = perform_action(
        complaint=complaint,
        action="propose_transfer",
        by=org.clerk,
        inputs={
            "to_department": "production",
            "to_position": str(org.production_manager.pk),
            "reason": "转生产部",
        },
        version=complaint.version,
    )
    assert complaint.status == Status.TRANSFER_PROPOSED
    complaint = perform_action(
        complaint=complaint, action="approve_transfer", by=org.gm, inputs={}, version=None
    )
    complaint = perform_action(
        complaint=complaint,
        action="accept_transfer",
        by=org.production_head,
        inputs={"handler": "prodhandler"},
        version=None,
    )
    assert complaint.handler == org.production_handler


def test_field_errors_name_each_field(org, register):
    complaint = register()
    with pytest.raises(ValidationError) as error:
        perform_action(
            complaint=complaint,
            action="propose_transfer",
            by=org.clerk,
            inputs={"to_department": "nowhere"},
            version=None,
        )
    assert set(error.value.message_dict) == {"to_department", "reason"}
    complaint.refresh_from_db()
    assert complaint.status == Status.CLASSIFIED


def test_permission_is_checked_before_inputs(org, register):
    complaint = register()
    with pytest.raises(ActionNotAllowed):
        perform_action(
            complaint=complaint, action="propose_transfer", by=org.outsider, inputs={}, version=None
        )


def test_unknown_action_names_the_allowed_ones(org, register):
    complaint = register()
    with pytest.raises(ActionNotAllowed) as error:
        perform_action(complaint=complaint, action="teleport", by=org.clerk, inputs={}, version=None)
    assert "propose_transfer" in error.value.allowed


def test_correction_through_raw_values(org, register):
    complaint = register(quantity=5)
    complaint = perform_action(
        complaint=complaint,
        action="correct",
        by=org.clerk,
        inputs={"changes": {"quantity": "8", "shipped_on": "2026-11-01"}, "reason": "核对订单"},
        version=None,
    )
    complaint.refresh_from_db()
    assert complaint.quantity == 8
    assert str(complaint.shipped_on) == "2026-11-01"
