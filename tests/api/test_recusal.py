"""The API's complaint detail tells who decides for a recused role (回避); naming an accused
handler is a field-level 422."""

from __future__ import annotations

from kesu.complaints import services
from kesu.complaints.models import Status
from kesu.rulebook.models import RecusalSubstitute
from tests.conftest import advance, intake


def _about_the_gm(org):
    complaint = services.register_complaint(by=org.clerk, intake=intake(), accused_staff=[org.gm])
    return services.propose_transfer(
        complaint=complaint, by=org.clerk, to_department=org.production, reason="转交"
    )


def test_detail_names_the_substitute(org, client_for):
    complaint = _about_the_gm(org)
    data = client_for(org.clerk).get(f"/api/v1/complaints/{complaint.number}").json()
    (recusal,) = data["recusal"]
    assert recusal["role"] == "general_manager"
    assert recusal["recused"] == [{"username": "gm", "name": "赵总"}]
    assert recusal["substitutes"] == [{"username": "vp", "name": "钱副总"}]
    assert recusal["blocked_actions"] == [] and "钱副总" in recusal["notice"]

    # the vice president approves over the API
    response = client_for(org.vp).post(
        f"/api/v1/complaints/{complaint.number}/actions",
        {"action": "approve_transfer", "version": complaint.version},
    )
    assert response.status_code == 200 and response.json()["status"] == Status.TRANSFER_APPROVED


def test_detail_warns_when_nobody_may_decide(org, client_for):
    RecusalSubstitute.objects.all().delete()
    complaint = _about_the_gm(org)
    (recusal,) = client_for(org.clerk).get(f"/api/v1/complaints/{complaint.number}").json()["recusal"]
    assert recusal["substitutes"] == []
    assert recusal["blocked_actions"] == ["approve_transfer", "reject_transfer"]


def test_an_accused_handler_is_a_field_error(org, register, client_for):
    complaint = advance(register(), org, Status.TRANSFER_APPROVED)
    complaint.accused_staff.add(org.production_handler)
    response = client_for(org.production_head).post(
        f"/api/v1/complaints/{complaint.number}/actions",
        {"action": "accept_transfer", "version": complaint.version, "inputs": {"handler": "prodhandler"}},
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"inputs.handler"}


def test_a_clerk_does_not_register_a_complaint_about_himself(org, clerk_api):
    from kesu.complaints.models import Complaint
    from tests.api.conftest import complaint_body

    response = clerk_api.post("/api/v1/complaints", complaint_body(accused_staff=["clerk"]))
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"accused_staff"}
    assert not Complaint.objects.exists()
