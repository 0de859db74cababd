"""/api/v1/complaints/{number}/decision: answers as documented (checked against the OpenAPI
document by ApiClient), field errors for bad input, nothing half-saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kesu.approvals.services import decide_approval
from kesu.decisions.models import Decision, DecisionVersion
from tests.api.conftest import ApiClient
from tests.decisions.conftest import investigated

pytestmark = pytest.mark.django_db


def body(**overrides):
    data = {
        "cause": "quality_defect",
        "shares": [
            {"party": "department", "department": "production", "share": "70.00"},
            {"party": "customer", "name": "刘先生", "share": 30},
        ],
        "remedies": [{"kind": "repair", "quantity": 1}],
        "money": {"repair_budget": "1000.00", "freight": 35.5},
        "note": "委员会一致意见",
    }
    data.update(overrides)
    return data


def url(complaint, tail=""):
    return f"/api/v1/complaints/{complaint.number}/decision{tail}"


def test_propose_approve_countersign_and_read_the_ledger(furniture, client_for):
    org = furniture
    complaint = investigated(org)
    head: ApiClient = client_for(org.production_head)
    empty = head.get(url(complaint)).json()
    assert empty["current"] is None and empty["history"] == [] and empty["ledger"] == []

    response = head.post(url(complaint), body())
    assert response.status_code == 201, response.json()
    current = response.json()["current"]
    assert current["status"] == "proposed" and current["approval"] is not None
    assert [s["share"] for s in current["shares"]] == ["70.00", "30.00"]
    assert current["money"]["freight"] == "35.50"
    ledger = {line["line"]: line for line in response.json()["ledger"]}
    assert [(p["label"], p["amount"]) for p in ledger["repair_budget"]["parts"]] == [
        ("生产部", "700.00"),
        ("刘先生", "300.00"),
    ]
    assert [p["amount"] for p in ledger["freight"]["parts"]] == ["24.85", "10.65"]

    assert head.post(url(complaint), body()).status_code == 409  # waits for approval

    decide_approval(approval=DecisionVersion.objects.get().approval, by=org.gm, approve=True)
    at = (timezone.localtime() - timedelta(hours=1)).isoformat()
    signed = client_for(org.clerk).post(
        url(complaint, "/countersign"), {"how": "phone", "signed_by": "刘先生", "at": at}
    )
    assert signed.status_code == 200
    result = signed.json()
    assert result["current"]["customer_answer"] == "signed"
    assert "300.00" in result["approved_text"]
    assert client_for(org.clerk).post(url(complaint, "/refusal"), {"reason": "x"}).status_code == 409


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"shares": [{"party": "department", "department": "production", "share": "99.99"}]}, "shares"),
        (
            {"shares": [{"party": "department", "department": "production", "share": "100.01"}]},
            "shares.0.share",
        ),
        (
            {
                "shares": [
                    {"party": "department", "department": "production", "share": "50"},
                    {"party": "customer", "share": "50.01"},
                ]
            },
            "shares",
        ),
        ({"money": {"loss_amount": "-5"}}, "money.loss_amount"),
        ({"money": {"loss_amount": -5}}, "money.loss_amount"),
        ({"money": {"compensation": "lots"}}, "money.compensation"),
        ({"money": {"freight": "1.001"}}, "money.freight"),
        ({"money": {"freight": "NaN"}}, "money.freight"),
        ({"remedies": [{"kind": "repair", "amount": "-1"}]}, "remedies.0.amount"),
        ({"remedies": [{"kind": "teleport"}]}, "remedies.0.kind"),
        ({"shares": [{"party": "alien", "share": "100"}]}, "shares.0.party"),
        ({"shares": [{"party": "carrier", "share": "100"}]}, "shares.0.name"),
        ({"shares": [{"party": "staff", "staff": "nobody", "share": "100"}]}, "shares.0.staff"),
        ({"cause": "unknown"}, "cause"),
        ({"note": "x" * 4001}, "note"),
        ({"shares": [{"party": "carrier", "name": "x" * 101, "share": "100"}]}, "shares.0.name"),
        ({"shares": []}, "shares"),
    ],
)
def test_bad_input_is_422_with_the_field_and_nothing_is_saved(furniture, client_for, change, field):
    org = furniture
    complaint = investigated(org)
    events = complaint.events.count()
    response = client_for(org.production_head).post(url(complaint), body(**change))
    assert response.status_code == 422, response.json()
    assert field in response.json()["errors"], response.json()
    assert not Decision.objects.exists() and not DecisionVersion.objects.exists()
    assert complaint.events.count() == events


def test_the_limits_of_the_answers_texts(furniture, client_for):
    """signed_by (100) and the refusal reason (4 000): one character more is refused."""
    org = furniture
    complaint = investigated(org)
    head = client_for(org.production_head)
    head.post(url(complaint), body())
    decide_approval(approval=DecisionVersion.objects.get().approval, by=org.gm, approve=True)
    now = timezone.localtime().isoformat()
    too_long = head.post(url(complaint, "/countersign"), {"how": "memo", "signed_by": "x" * 101, "at": now})
    assert too_long.status_code == 422 and "signed_by" in too_long.json()["errors"]
    desk = client_for(org.clerk)  # a refusal files a new complaint: the desk registers it
    assert desk.post(url(complaint, "/refusal"), {"reason": "x" * 4001}).json()["errors"].keys() == {"reason"}
    refused = desk.post(url(complaint, "/refusal"), {"reason": "x" * 4000})
    assert refused.status_code == 200 and refused.json()["refiled"]


def test_who_may_not_propose_gets_403_and_strangers_404(furniture, client_for):
    org = furniture
    complaint = investigated(org, accused=(org.director,))
    refused = client_for(org.director).post(url(complaint), body())
    assert refused.status_code == 403 and "回避" in refused.json()["detail"]
    assert (
        client_for(org.production_head)
        .post(
            url(complaint, "/countersign"),
            {"how": "memo", "signed_by": "x", "at": timezone.localtime().isoformat()},
        )
        .status_code
        == 409
    )  # no decision yet
    assert client_for(org.production_head).get("/api/v1/complaints/NOPE-1/decision").status_code == 404
    assert client_for(None).get(url(complaint)).status_code == 401
    assert not DecisionVersion.objects.exists()


def test_the_decision_schemas_do_not_replace_another_apps_in_the_document():
    """OpenAPI components are keyed by class name: a clash would silently document one app's
    answer with another's schema (approvals has DecisionOut)."""
    from tests.api.conftest import openapi_document

    components = openapi_document()["components"]["schemas"]
    assert "approve" in components["DecisionOut"]["properties"]
    assert "ledger" in components["HandlingDecisionOut"]["properties"]


def test_reading_a_decision_costs_the_same_queries_for_one_version_or_three(furniture, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    org = furniture
    complaint = investigated(org)
    head = client_for(org.production_head)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert head.get(url(complaint)).status_code == 200
        return len(captured)

    shares = [
        {"party": "staff", "staff": "prodhandler", "share": "40"},
        {"party": "department", "department": "production", "share": "60"},
    ]
    head.post(url(complaint), body(shares=shares))
    one = queries()
    for _round in range(2):
        decide_approval(
            approval=DecisionVersion.objects.order_by("-number").first().approval,
            by=org.gm,
            approve=False,
            reason="重议",
        )
        assert head.post(url(complaint), body(shares=shares)).status_code == 201
    assert DecisionVersion.objects.count() == 3
    assert queries() == one
