"""One error format: every answer under /api/ is JSON ``{"detail": "…", "errors": {…}}``, also
when no endpoint ran (unknown path, wrong method, oversize or over-deep body, a crash)."""

from __future__ import annotations

import pytest
from django.test import Client

from kesu.api import api
from kesu.complaints import selectors
from tests.api.conftest import complaint_body


@pytest.fixture
def raw(org, token_for) -> Client:
    """A client that returns whatever the server answers, 500 included, unchecked."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_for(org.clerk)}", raise_request_exception=False)


def assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], dict)
    return body


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing", "/api/v1/complaints/x/nothing", "/api/nothing", "/api/v1/"]
)
def test_an_unknown_api_path_is_a_json_404(raw, path):
    assert_error_shape(raw.get(path), 404)


@pytest.mark.parametrize(("method", "path"), [("delete", "/api/v1/complaints"), ("put", "/api/v1/reference")])
def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(raw, method, path):
    response = getattr(raw, method)(path)

    body = assert_error_shape(response, 405)
    assert response["Allow"] and response["Allow"] in body["detail"]


def test_an_over_deep_body_is_a_422_on_the_body(raw):
    response = raw.post("/api/v1/complaints", "[" * 100_000 + "]" * 100_000, content_type="application/json")

    body = assert_error_shape(response, 422)
    assert list(body["errors"]) == ["body"]


def test_an_oversize_body_is_a_json_413(raw, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000

    response = raw.post(
        "/api/v1/complaints", complaint_body(description="x" * 20_000), content_type="application/json"
    )

    assert_error_shape(response, 413)


def test_a_crash_is_a_json_500(raw, monkeypatch):
    def crash(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "complaints_visible_to", crash)

    assert_error_shape(raw.get("/api/v1/complaints"), 500)


def test_401_403_and_409_carry_errors_too(org, register, raw):
    complaint = register()
    url = f"/api/v1/complaints/{complaint.number}/actions"

    assert_error_shape(Client().get("/api/v1/complaints"), 401)
    assert_error_shape(
        raw.post(url, {"action": "approve_transfer", "version": 1}, content_type="application/json"), 403
    )
    stale = {"action": "comment", "version": 7, "inputs": {"comment": "x"}}
    assert_error_shape(raw.post(url, stale, content_type="application/json"), 409)


def test_pages_outside_the_api_keep_their_html_errors(raw):
    response = raw.get("/no-such-page/")

    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/api/v1/figures", "/api/v1/complaints"])
def test_a_host_header_django_refuses_is_a_documented_json_400(raw, path):
    # given a Host header that is not in ALLOWED_HOSTS (what the fuzzer once sent)
    response = raw.get(path, HTTP_HOST="\x7f-not-a-host")

    # then the answer is the one error shape, and the OpenAPI document lists it for the operation
    assert_error_shape(response, 400)
    operation = api.get_openapi_schema()["paths"][path]["get"]
    assert 400 in operation["responses"] or "400" in operation["responses"]
