"""The API against its own OpenAPI document: the document is valid, declares the bearer scheme,
and (through tests.api.conftest.ApiClient) every response of every API test matches it."""

from __future__ import annotations

from django.test import Client
from openapi_spec_validator import validate

from tests.api.conftest import ApiClient, assert_documented, complaint_body, openapi_document


def test_the_document_is_valid_openapi():
    validate(openapi_document())


def test_the_document_lists_every_endpoint_behind_the_bearer_scheme():
    document = openapi_document()
    operations = {(method.upper(), path) for path, item in document["paths"].items() for method in item}

    assert operations == {
        ("POST", "/api/v1/complaints"),
        ("GET", "/api/v1/complaints"),
        ("GET", "/api/v1/complaints/{number}"),
        ("POST", "/api/v1/complaints/{number}/actions"),
        ("GET", "/api/v1/reference"),
        ("GET", "/api/v1/figures"),
        ("GET", "/api/v1/statistics"),
        ("POST", "/api/v1/exports"),
        ("GET", "/api/v1/exports"),
        ("GET", "/api/v1/exports/{export_id}"),
        ("GET", "/api/v1/complaints/{number}/tasks"),
        ("POST", "/api/v1/complaints/{number}/tasks"),
        ("GET", "/api/v1/tasks"),
        ("POST", "/api/v1/tasks/{task_id}/assign"),
        ("POST", "/api/v1/tasks/{task_id}/complete"),
        ("POST", "/api/v1/tasks/{task_id}/cancel"),
        ("POST", "/api/v1/complaints/{number}/distributions"),
        ("POST", "/api/v1/distributions/{distribution_id}/acknowledge"),
        ("GET", "/api/v1/notifications"),
        ("POST", "/api/v1/notifications/read"),
        ("POST", "/api/v1/notifications/{notification_id}/read"),
        ("GET", "/api/v1/approvals"),
        ("POST", "/api/v1/approvals/{approval_id}/decision"),
        ("GET", "/api/v1/complaints/{number}/decision"),
        ("POST", "/api/v1/complaints/{number}/decision"),
        ("POST", "/api/v1/complaints/{number}/decision/countersign"),
        ("POST", "/api/v1/complaints/{number}/decision/refusal"),
        ("GET", "/api/v1/complaints/{number}/fulfilment"),
        ("GET", "/api/v1/cost-figures"),
        ("GET", "/api/v1/customers"),
        ("POST", "/api/v1/customers"),
        ("GET", "/api/v1/customers/{number}"),
        ("GET", "/api/v1/customers/{number}/timeline"),
        ("POST", "/api/v1/customers/{number}/contacts"),
        ("POST", "/api/v1/customers/{number}/corrections"),
        ("POST", "/api/v1/customers/{number}/classification"),
        ("GET", "/api/v1/customer-profile-fields"),
        ("GET", "/api/v1/customer-duplicates"),
        ("POST", "/api/v1/customers/{number}/confidentiality"),
        ("POST", "/api/v1/customers/{number}/grants"),
        ("POST", "/api/v1/archive-access-requests"),
        ("GET", "/api/v1/archive-access-requests"),
        ("POST", "/api/v1/archive-access-requests/{request_id}/decision"),
        ("POST", "/api/v1/archive-access-requests/{request_id}/lent"),
        ("POST", "/api/v1/archive-access-requests/{request_id}/returned"),
        ("POST", "/api/v1/customers/{number}/correction-requests"),
        ("GET", "/api/v1/customers/{number}/correction-requests"),
        ("POST", "/api/v1/correction-requests/{correction_id}/steps"),
        ("POST", "/api/v1/complaints/{number}/decision/objections"),
        ("POST", "/api/v1/decision-objections/{objection_id}/decision"),
        ("GET", "/api/v1/complaints/{number}/committee"),
        ("POST", "/api/v1/complaints/{number}/committee"),
        ("POST", "/api/v1/complaints/{number}/committee/evidence"),
        ("POST", "/api/v1/complaints/{number}/committee/determination"),
        ("POST", "/api/v1/complaints/{number}/committee/agreement"),
        ("GET", "/api/v1/assessment/months"),
        ("GET", "/api/v1/assessment/months/{month}"),
        ("POST", "/api/v1/assessment/months/{month}/draft"),
        ("POST", "/api/v1/assessment/months/{month}/approve"),
        ("POST", "/api/v1/assessment/months/{month}/publish"),
        ("POST", "/api/v1/assessment/months/{month}/findings"),
        ("POST", "/api/v1/assessment/lines/{line_id}/appeals"),
        ("POST", "/api/v1/assessment/appeals/{appeal_id}/decision"),
        ("GET", "/api/v1/assessment/months/{month}/xlsx"),
        ("POST", "/api/v1/assessment/months/{month}/reviews"),
        # the customer archive's ownership (issue 11 §3) and retention (§5)
        ("GET", "/api/v1/customers/{number}/ownership"),
        ("POST", "/api/v1/customers/{number}/ownership/registrations"),
        ("POST", "/api/v1/customers/{number}/ownership/credit-splits"),
        ("POST", "/api/v1/customers/{number}/ownership/disputes"),
        ("POST", "/api/v1/ownership-disputes/{dispute_id}/decision"),
        ("GET", "/api/v1/archive-handovers/pending/{username}"),
        ("POST", "/api/v1/archive-handovers"),
        ("GET", "/api/v1/archive-handovers/{handover_id}"),
        ("POST", "/api/v1/archive-handovers/{handover_id}/acknowledgement"),
        ("GET", "/api/v1/archive-retention/periods"),
        ("GET", "/api/v1/archive-retention/due"),
        ("GET", "/api/v1/archive-destructions"),
        ("POST", "/api/v1/archive-destructions"),
        ("GET", "/api/v1/archive-destructions/{destruction_id}"),
        ("POST", "/api/v1/archive-destructions/{destruction_id}/review"),
        ("POST", "/api/v1/archive-destructions/{destruction_id}/approval"),
        ("POST", "/api/v1/archive-destructions/{destruction_id}/execution"),
    }
    assert document["components"]["securitySchemes"]["BearerTokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    for item in document["paths"].values():
        for operation in item.values():
            assert {"BearerTokenAuth": []} in operation["security"]
            assert "401" in operation["responses"]


def test_no_docs_page_that_would_load_from_a_cdn():
    assert Client().get("/api/v1/docs").status_code == 404


def test_every_endpoint_answers_as_documented(org, register, clerk_api, client_for):
    """One pass over each endpoint and status; ApiClient asserts each body against the document."""
    complaint = register()
    number = complaint.number
    outsider = client_for(org.outsider)
    anonymous = ApiClient(None)
    actions = f"/api/v1/complaints/{number}/actions"
    comment = {"action": "comment", "version": 1, "inputs": {"comment": "记"}}

    statuses = [
        clerk_api.post("/api/v1/complaints", complaint_body()).status_code,  # 201
        clerk_api.post("/api/v1/complaints", complaint_body(channel="x")).status_code,  # 422
        outsider.post("/api/v1/complaints", complaint_body()).status_code,  # 403
        anonymous.post("/api/v1/complaints", complaint_body()).status_code,  # 401
        clerk_api.get("/api/v1/complaints", {"limit": 1}).status_code,  # 200
        clerk_api.get("/api/v1/complaints", {"limit": 999}).status_code,  # 422
        clerk_api.get(f"/api/v1/complaints/{number}").status_code,  # 200
        outsider.get(f"/api/v1/complaints/{number}").status_code,  # 404
        clerk_api.post(actions, comment).status_code,  # 200
        clerk_api.post(actions, comment).status_code,  # 409 (version 1 is stale now)
        clerk_api.post(actions, {"action": "approve_transfer", "version": 2}).status_code,  # 403
        clerk_api.post(actions, {"action": "comment", "version": 2}).status_code,  # 422
        outsider.post(actions, {"action": "comment", "version": 2}).status_code,  # 404
        clerk_api.get("/api/v1/reference").status_code,  # 200
        anonymous.get("/api/v1/reference").status_code,  # 401
    ]

    assert statuses == [201, 422, 403, 401, 200, 422, 200, 404, 200, 409, 403, 422, 404, 200, 401]


def test_a_response_that_breaks_the_document_is_caught(org, register, clerk_api):
    """The checker itself can fail: a body missing a documented field does not pass."""

    class Fake:
        status_code = 200

        @staticmethod
        def json():
            return {"items": [], "count": 0}  # count_capped and next_offset missing

    try:
        assert_documented("GET", "/api/v1/complaints", Fake())
    except AssertionError:
        return
    raise AssertionError("the OpenAPI check accepted a body without required fields")
