"""POST /api/v1/complaints/{number}/actions and GET /api/v1/reference."""

from __future__ import annotations

import pytest

from kesu.complaints.actions import ACTION_INPUTS
from kesu.complaints.models import Complaint
from kesu.complaints.workflow import ACTIONS
from tests.conftest import advance


def _url(complaint: Complaint) -> str:
    return f"/api/v1/complaints/{complaint.number}/actions"


def test_the_main_path_over_the_api(org, register, client_for):
    # given: a classified complaint and a client per person on the path
    complaint = register()
    clerk, gm, head, handler = (
        client_for(s) for s in (org.clerk, org.gm, org.production_head, org.production_handler)
    )
    steps = [
        (
            clerk,
            "propose_transfer",
            {"to_department": "production", "to_position": org.production_manager.pk, "reason": "质量问题"},
        ),
        (gm, "approve_transfer", {"comment": "同意"}),
        (head, "accept_transfer", {"handler": "prodhandler"}),
        (handler, "start_investigation", {}),
        (handler, "propose_resolution", {"resolution": "更换扶手"}),
        (clerk, "reply_to_customer", {"reply": "已安排", "channel": "phone", "satisfaction": "satisfied"}),
        # a quality complaint is visited after the repaired goods are delivered (seed 000 4.4 1)
        (clerk, "record_delivery", {}),
        (clerk, "record_follow_up", {"comment": "满意", "satisfaction": "very_satisfied"}),
        (clerk, "close", {}),
    ]
    version = 1
    for api, action, inputs in steps:
        # when
        response = api.post(_url(complaint), {"action": action, "version": version, "inputs": inputs})
        # then
        assert response.status_code == 200, (action, response.json())
        assert response.json()["version"] == version + 1
        version = response.json()["version"]

    data = response.json()
    assert data["status"] == "closed" and data["closed_at"] is not None
    assert data["handler"]["username"] == "prodhandler"
    assert [e["action"] for e in data["timeline"]][-1] == "close"
    assert "file_secondary" in data["allowed_actions"] and "close" not in data["allowed_actions"]


def test_filing_a_secondary_complaint_is_201_with_the_new_complaint(org, register, clerk_api):
    complaint = advance(register(), org, "replied")

    response = clerk_api.post(
        _url(complaint),
        {
            "action": "file_secondary",
            "version": complaint.version,
            "inputs": {
                "description": "修好后又裂了",
                "received_at": "2024-05-03T10:00:00+08:00",
                "channel": "phone",
            },
        },
    )

    assert response.status_code == 201
    assert response.json()["number"] != complaint.number
    assert response.json()["parent"] == complaint.number


def test_a_stale_version_is_409_with_the_current_version(org, register, clerk_api):
    complaint = register()
    clerk_api.post(_url(complaint), {"action": "comment", "version": 1, "inputs": {"comment": "first"}})

    response = clerk_api.post(
        _url(complaint), {"action": "comment", "version": 1, "inputs": {"comment": "second"}}
    )

    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert complaint.events.filter(action="comment").count() == 1


def test_an_action_not_allowed_is_403_naming_the_allowed_ones(org, register, clerk_api, client_for):
    complaint = register()

    as_clerk = clerk_api.post(_url(complaint), {"action": "approve_transfer", "version": 1})
    as_gm = client_for(org.gm).post(_url(complaint), {"action": "propose_transfer", "version": 1})
    unknown = clerk_api.post(_url(complaint), {"action": "teleport", "version": 1})

    assert as_clerk.status_code == 403
    assert as_clerk.json()["action"] == "approve_transfer"
    assert set(as_clerk.json()["allowed_actions"]) >= {"propose_transfer", "comment"}
    assert as_gm.status_code == 403 and "propose_transfer" not in as_gm.json()["allowed_actions"]
    # an action that does not exist is bad input, not a refusal: 422 naming the field
    assert unknown.status_code == 422 and "propose_transfer" in unknown.json()["errors"]["action"][0]
    complaint.refresh_from_db()
    assert complaint.version == 1


def test_the_person_complained_about_is_recused(org, register, client_for):
    complaint = advance(register(), org, "transfer_approved")
    complaint.accused_staff.add(org.production_head)

    response = client_for(org.production_head).post(
        _url(complaint), {"action": "accept_transfer", "version": complaint.version}
    )

    assert response.status_code == 403
    assert "accept_transfer" not in response.json()["allowed_actions"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (
            {"action": "propose_transfer", "version": 1, "inputs": {}},
            {"inputs.to_department", "inputs.reason"},
        ),
        (
            {
                "action": "propose_transfer",
                "version": 1,
                "inputs": {"to_department": "nowhere", "reason": "x"},
            },
            {"inputs.to_department"},
        ),
        ({"action": "comment", "version": 1, "inputs": {"comment": 42}}, {"inputs.comment"}),
        ({"action": "comment", "inputs": {"comment": "x"}}, {"version"}),
        ({"action": "comment", "version": "one"}, {"version"}),
        ({"version": 1}, {"action"}),
        ({"action": "comment", "version": 1, "inputs": ["x"]}, {"inputs"}),
        (
            {
                "action": "correct",
                "version": 1,
                "inputs": {"changes": {"quantity": "many"}, "reason": "typo"},
            },
            {"inputs.changes.quantity"},
        ),
    ],
)
def test_bad_action_input_is_422_naming_the_fields(org, register, clerk_api, body, fields):
    complaint = register()

    response = clerk_api.post(_url(complaint), body)

    assert response.status_code == 422
    assert set(response.json()["errors"]) == fields
    complaint.refresh_from_db()
    assert complaint.version == 1


def test_a_correction_keeps_the_old_value(org, register, clerk_api):
    complaint = register()

    response = clerk_api.post(
        _url(complaint),
        {
            "action": "correct",
            "version": 1,
            "inputs": {"changes": {"complainant_phone": "13900000000"}, "reason": "记错"},
        },
    )

    assert response.status_code == 200
    assert response.json()["complainant_phone"] == "13900000000"
    assert response.json()["timeline"][-1]["data"]["changes"]["complainant_phone"]["old"] == "13800000000"


def test_actions_on_an_invisible_or_unknown_complaint_are_404(org, register, client_for, clerk_api):
    complaint = register()

    outsider = client_for(org.outsider).post(
        _url(complaint), {"action": "comment", "version": 1, "inputs": {"comment": "x"}}
    )
    unknown = clerk_api.post("/api/v1/complaints/000/actions", {"action": "comment", "version": 1})

    assert outsider.status_code == 404 and unknown.status_code == 404
    assert complaint.events.count() == 1


def test_actions_wrong_method_is_405(org, register, clerk_api):
    assert clerk_api.get(_url(register())).status_code == 405


# ---------------------------------------------------------------------------------------------
# Reference


def test_the_reference_has_what_a_client_needs_to_build_forms(org, clerk_api, client_for):
    data = clerk_api.get("/api/v1/reference").json()

    assert {c["code"] for c in data["classes"]} >= {"grievance", "product_quality"}
    assert [s["code"] for s in data["severities"]] == ["extra_urgent", "urgent", "normal"]
    assert {c["value"] for c in data["channels"]} >= {"phone", "api"}
    assert {s["value"] for s in data["statuses"] if s["terminal"]} == {"closed", "not_upheld", "withdrawn"}
    assert {d["code"] for d in data["departments"]} >= {"cs", "production"}
    manager = {"id": org.production_manager.pk, "name": "生产经理", "department": "production"}
    assert manager in data["positions"]
    assert {a["name"] for a in data["actions"]} == set(ACTIONS)
    transfer = next(a for a in data["actions"] if a["name"] == "propose_transfer")
    assert transfer["inputs"] == [
        {"name": f.name, "kind": f.kind, "required": f.required, "max_length": f.max_length}
        for f in ACTION_INPUTS["propose_transfer"]
    ]
    # everyone signed in may read it
    assert client_for(org.outsider).get("/api/v1/reference").status_code == 200


def test_reference_wrong_method_is_405(org, clerk_api):
    assert clerk_api.post("/api/v1/reference", {}).status_code == 405
