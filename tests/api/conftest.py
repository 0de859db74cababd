"""API test helpers: a client per persona with a real bearer token, and a check of every response
against the API's own OpenAPI document (status documented, body matching the documented schema)."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import pytest
from django.test import Client
from openapi_schema_validator import OAS31Validator, oas31_format_checker

from kesu.organization.models import ApiToken, Staff

BASE = "/api/v1"


@cache
def openapi_document() -> dict[str, Any]:
    client = Client()
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operation(method: str, path: str) -> dict[str, Any] | None:
    """The documented operation for a concrete request path (``{number}`` matches one segment)."""
    for template, operations in openapi_document()["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method.lower() in operations:
            return operations[method.lower()]
    return None


def assert_documented(method: str, path: str, response: Any) -> None:
    """The response's status is documented for the operation and its JSON body matches the schema."""
    operation = _operation(method, path)
    assert operation is not None, f"{method} {path} is not in the OpenAPI document"
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, (
        f"{method} {path} answered {response.status_code}, documented: {sorted(operation['responses'])}"
    )
    content = documented["content"]
    if "application/json" not in content:  # a file (an Excel export): its documented type
        assert response["Content-Type"] in content, (
            f"{method} {path} {response.status_code}: {response['Content-Type']} not in {sorted(content)}"
        )
        return
    schema = content["application/json"]["schema"]
    validator = OAS31Validator(
        {**schema, "components": openapi_document()["components"]}, format_checker=oas31_format_checker
    )
    errors = sorted(validator.iter_errors(response.json()), key=str)
    assert not errors, f"{method} {path} {response.status_code}: {errors[0]}"


class ApiClient:
    """django.test.Client speaking JSON with a bearer token; every answer is checked against the
    OpenAPI document unless it is a 405 (wrong method: no operation to document it)."""

    def __init__(self, token: str | None) -> None:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        self.client = Client(**headers)

    def _checked(self, method: str, path: str, response: Any) -> Any:
        if response.status_code != 405 and path.startswith(BASE):
            assert_documented(method, path.split("?")[0], response)
        return response

    def get(self, path: str, params: dict[str, Any] | None = None, **extra: Any) -> Any:
        return self._checked("GET", path, self.client.get(path, params or {}, **extra))

    def post(self, path: str, body: Any = None, *, raw: str | None = None, **extra: Any) -> Any:
        data = raw if raw is not None else json.dumps(body if body is not None else {}, default=str)
        return self._checked(
            "POST", path, self.client.post(path, data, content_type="application/json", **extra)
        )

    def put(self, path: str, body: Any = None) -> Any:
        return self._checked(
            "PUT", path, self.client.put(path, json.dumps(body or {}), content_type="application/json")
        )

    def delete(self, path: str) -> Any:
        return self._checked("DELETE", path, self.client.delete(path))


@pytest.fixture
def token_for(org):
    """token_for(staff) → a fresh bearer token for that person."""

    def issue(staff: Staff) -> str:
        return ApiToken.issue(staff=staff, name="test")[1]

    return issue


@pytest.fixture
def client_for(token_for):
    """client_for(staff) → an ApiClient authenticated as that person; client_for(None) → anonymous."""

    def make(staff: Staff | None) -> ApiClient:
        return ApiClient(token_for(staff) if staff is not None else None)

    return make


@pytest.fixture
def clerk_api(org, client_for) -> ApiClient:
    return client_for(org.clerk)


def complaint_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "phone",
        "received_at": "2024-05-01T09:30:00+08:00",
        "complainant_name": "刘先生",
        "complainant_phone": "13800000000",
        "description": "沙发扶手开裂，要求更换。",
        "category": "product_quality",
        "severity": "urgent",
        "quantity": 10,
        "defective_quantity": 2,
    }
    body.update(overrides)
    return body
