"""Property-based fuzzing of /api/v1/ from its own OpenAPI document (schemathesis): valid and
invalid requests for every operation, as a staff member who may register and act (the CS
director). Never a server error; every answer's status, content type and body as the document
says. Bounded: schemathesis' coverage phase (boundary values, wrong types, unexpected methods)
plus a fixed number of generated examples per operation; the actions operation, whose inputs are
a union of one schema per action, skips the coverage phase (a thousand requests) for more
generated examples."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kesu.api import api
from kesu.complaints.models import Complaint
from tests.conftest import advance

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ACTIONS = r"/actions$"

# The document as the API serves it (built from the code; no database needed).
DOCUMENT = json.loads(json.dumps(api.get_openapi_schema()))
schema = schemathesis.openapi.from_dict(DOCUMENT).exclude(path_regex=ACTIONS)
actions_schema = schemathesis.openapi.from_dict(
    DOCUMENT, config=SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
).include(path_regex=ACTIONS)


@pytest.fixture
def app(db):
    # Requests go through the WSGI app in this process, inside the test's transaction: as in
    # Django's test client, a finished request must not close the test's database connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_target(org, register, token_for) -> dict[str, Any]:
    """Two complaints the director may act on (one fresh, one further along) and a token."""
    fresh = register()
    replied = advance(register(), org, "replied")
    return {"token": token_for(org.director), "numbers": [fresh.number, replied.number]}


def _call_and_check(case: Any, app: Any, target: dict[str, Any]) -> None:
    if "number" in (case.path_parameters or {}):
        # A real complaint, so an action gets past the 404 (unknown numbers, NUL and surrogates
        # in the path are in tests/api/test_hostile_input.py), and in a well-formed body its
        # current version, so it gets past the 409 to the action itself.
        number = target["numbers"][len(str(case.path_parameters["number"])) % 2]
        case.path_parameters["number"] = number
        if isinstance(case.body, dict) and isinstance(case.body.get("version"), int):
            case.body["version"] = Complaint.objects.get(number=number).version
    response = case.call(app=app, headers={"Authorization": f"Bearer {target['token']}"})
    case.validate_response(response, checks=CHECKS)


BOUNDS = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@schema.parametrize()
@BOUNDS
def test_the_api_answers_as_documented(case, app, fuzz_target):
    _call_and_check(case, app, fuzz_target)


@actions_schema.parametrize()
@settings(BOUNDS, max_examples=150)
def test_actions_answer_as_documented(case, app, fuzz_target):
    _call_and_check(case, app, fuzz_target)
