"""The bad-input corpus for the API: every documented limit at and one over its maximum, and
values no field may take (NUL, a lone surrogate, huge integers, the wrong JSON type) in every
registration field and list filter. Never a 500, never a half-written record; a 422 names the field."""

from __future__ import annotations

import pytest

from kesu.complaints.models import Complaint
from kesu.complaints.schemas import ComplaintIn, ComplaintListParams
from kesu.core import limits
from tests.api.conftest import complaint_body
from tests.limit_surfaces import action_input_limits, other_inputs, registration_limits


def _length_errors(response, field: str) -> list[str]:
    return [m for m in response.json().get("errors", {}).get(field, []) if "at most" in m]


def _value(limit: limits.Limit, length: int) -> object:
    text = "字" * length
    return [text] if limit.name == "accused_staff" else text


def _field(limit: limits.Limit) -> str:
    return "accused_staff.0" if limit.name == "accused_staff" else limit.name


@pytest.mark.parametrize("limit", registration_limits(), ids=lambda limit: limit.name)
def test_registration_at_the_limit_is_not_refused_for_its_length(org, clerk_api, limit):
    response = clerk_api.post(
        "/api/v1/complaints", complaint_body(**{limit.name: _value(limit, limit.max_length)})
    )

    assert response.status_code in {201, 422}
    assert not _length_errors(response, _field(limit))
    if response.status_code == 201 and isinstance(_value(limit, 1), str):
        stored = Complaint.objects.get(number=response.json()["number"])
        assert len(getattr(stored, limit.name)) == limit.max_length


@pytest.mark.parametrize("limit", registration_limits(), ids=lambda limit: limit.name)
def test_registration_one_over_the_limit_is_422(org, clerk_api, limit):
    response = clerk_api.post(
        "/api/v1/complaints", complaint_body(**{limit.name: _value(limit, limit.max_length + 1)})
    )

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [_field(limit)]
    assert _length_errors(response, _field(limit))
    assert Complaint.objects.count() == 0


def test_registration_documents_every_limit_as_max_length(org):
    from tests.api.conftest import openapi_document

    schema = openapi_document()["components"]["schemas"]["ComplaintIn"]["properties"]
    for limit in registration_limits():
        prop = schema[limit.name]
        text = prop.get("items", prop)
        options = text.get("anyOf", [text])
        assert any(o.get("maxLength") == limit.max_length for o in options), limit.name


@pytest.mark.parametrize(("action", "limit"), action_input_limits(), ids=lambda v: getattr(v, "name", v))
def test_an_action_input_one_over_the_limit_is_422(org, register, clerk_api, action, limit):
    complaint = register()
    inputs = {**other_inputs(action, limit.name), limit.name: "x" * (limit.max_length + 1)}

    response = clerk_api.post(
        f"/api/v1/complaints/{complaint.number}/actions", {"action": action, "version": 1, "inputs": inputs}
    )

    assert response.status_code == 422
    assert _length_errors(response, f"inputs.{limit.name}")
    complaint.refresh_from_db()
    assert complaint.version == 1


def test_a_comment_at_the_limit_is_kept_whole(org, register, clerk_api):
    complaint = register()
    text = "评" * limits.max_length("comment")

    response = clerk_api.post(
        f"/api/v1/complaints/{complaint.number}/actions",
        {"action": "comment", "version": 1, "inputs": {"comment": text}},
    )

    assert response.status_code == 200
    assert response.json()["timeline"][-1]["comment"] == text


@pytest.mark.parametrize("length", [limits.SEARCH, limits.SEARCH + 1])
def test_the_search_limit(org, clerk_api, length):
    response = clerk_api.get("/api/v1/complaints", {"q": "x" * length})

    assert response.status_code == (200 if length <= limits.SEARCH else 422)


@pytest.mark.parametrize("length", [limits.IDEMPOTENCY_KEY, limits.IDEMPOTENCY_KEY + 1])
def test_the_idempotency_key_limit(org, clerk_api, length):
    response = clerk_api.post("/api/v1/complaints", complaint_body(), HTTP_IDEMPOTENCY_KEY="k" * length)

    assert response.status_code == (201 if length <= limits.IDEMPOTENCY_KEY else 422)


# ---------------------------------------------------------------------------------------------
# Values no field may take

BAD_TEXTS = ["\x00", "a\ud800b", 10**30, True, ["x"], {"x": 1}, 1.5]
TEXT_FIELDS = [
    name
    for name, info in ComplaintIn.model_fields.items()
    if "str" in repr(info.annotation) and name != "accused_staff"
]


@pytest.mark.parametrize("value", BAD_TEXTS, ids=repr)
@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_no_registration_text_takes_a_bad_value(org, clerk_api, field, value):
    response = clerk_api.post("/api/v1/complaints", complaint_body(**{field: value}))

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize("value", [10**30, -1, True, 1.5, "3", [3], None])
@pytest.mark.parametrize("field", ["quantity", "defective_quantity"])
def test_no_quantity_takes_a_bad_value(org, clerk_api, field, value):
    response = clerk_api.post("/api/v1/complaints", complaint_body(**{field: value}))

    if value is None:
        assert response.status_code == 201  # null: not given
    else:
        assert response.status_code == 422 and list(response.json()["errors"]) == [field]


@pytest.mark.parametrize("value", ["\x00", "9" * 40, "-1", "0", "true", "2024-02-30", "\ufffd"])
@pytest.mark.parametrize("param", list(ComplaintListParams.model_fields))
def test_no_list_filter_answers_500(org, register, clerk_api, param, value):
    register()

    response = clerk_api.get("/api/v1/complaints", {param: value})

    assert response.status_code in {200, 422}
    if response.status_code == 422:
        assert list(response.json()["errors"]) == [param]


def test_reference_tells_each_action_input_its_limit(org, clerk_api):
    actions = {a["name"]: a for a in clerk_api.get("/api/v1/reference").json()["actions"]}

    comment = next(i for i in actions["comment"]["inputs"] if i["name"] == "comment")
    description = next(i for i in actions["file_secondary"]["inputs"] if i["name"] == "description")
    channel = next(i for i in actions["file_secondary"]["inputs"] if i["name"] == "channel")
    assert (comment["max_length"], description["max_length"]) == (limits.HANDLING_TEXT, limits.DESCRIPTION)
    assert channel["max_length"] is None
