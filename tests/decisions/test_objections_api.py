"""The objection (签呈) endpoints: raise and decide, as documented; the limits of their texts."""

from __future__ import annotations

import pytest

from tests.decisions.test_objections import approved  # noqa: F401 (the fixture)
from tests.decisions.test_wiring import pcb  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def test_raise_and_decide_an_objection(org, pcb, approved, client_for):  # noqa: F811
    complaint, _version = approved
    head = client_for(pcb["qa"])  # quality management, the responsible department
    url = f"/api/v1/complaints/{complaint.number}/decision/objections"
    assert head.post(url, {"reason": "x" * 4001, "decider": "gm"}).json()["errors"].keys() == {"reason"}
    assert client_for(org.clerk).post(url, {"reason": "x"}).status_code == 403
    raised = head.post(url, {"reason": "x" * 4000, "decider": "gm"})
    assert raised.status_code == 201, raised.json()
    (objection,) = raised.json()["objections"]
    assert objection["status"] == "pending" and objection["decider"]["username"] == "gm"
    assert head.post(url, {"reason": "再议", "decider": "gm"}).status_code == 409

    decide = f"/api/v1/decision-objections/{objection['id']}/decision"
    assert head.post(decide, {"uphold": True, "reason": "x"}).status_code == 403
    gm = client_for(org.gm)
    assert gm.post(decide, {"uphold": True, "reason": "x" * 4001}).json()["errors"].keys() == {"reason"}
    decided = gm.post(decide, {"uphold": False, "reason": "x" * 4000})
    assert decided.status_code == 200 and decided.json()["objections"][0]["status"] == "dismissed"
    assert gm.post(decide, {"uphold": False, "reason": "x"}).status_code == 409
    assert (
        gm.post("/api/v1/decision-objections/999999/decision", {"uphold": False, "reason": "x"}).status_code
        == 404
    )
