"""Never a 500: input that would overflow or that the database cannot store gets a 422 naming
the field (or a 404 for a path that names nothing)."""

from __future__ import annotations

import pytest

from kesu.complaints.models import Complaint
from kesu.complaints.schemas import ComplaintIn
from tests.api.conftest import complaint_body
from tests.conftest import advance


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"received_at": "0001-01-01T00:00:00+08:00"}, "received_at"),  # overflows converting to UTC
        ({"received_at": "9999-12-31T23:59:59-12:00"}, "received_at"),
        ({"shipped_on": "0001-01-01"}, "shipped_on"),
        ({"quantity": 10**20}, "quantity"),  # beyond the integer column
        ({"description": "裂\x00缝"}, "description"),  # PostgreSQL cannot store NUL
        ({"customer": "\x00"}, "customer"),
        ({"accused_staff": ["\x00"]}, "accused_staff.0"),
    ],
)
def test_registration(org, clerk_api, overrides, field):
    response = clerk_api.post("/api/v1/complaints", complaint_body(**overrides))

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "\x00"}, "q"),
        ({"received_from": "0001-01-01"}, "received_from"),
        ({"received_to": "9999-12-31"}, "received_to"),
        ({"offset": 10**30}, "offset"),
    ],
)
def test_list(org, clerk_api, params, field):
    response = clerk_api.get("/api/v1/complaints", params)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


def test_a_huge_department_id_matches_nothing(org, register, clerk_api):
    register()

    response = clerk_api.get("/api/v1/complaints", {"department": "9" * 30})

    assert response.status_code == 200 and response.json()["items"] == []


def test_a_number_with_nul_is_404(org, clerk_api):
    assert clerk_api.get("/api/v1/complaints/%00").status_code == 404


@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        (
            {"description": "x", "channel": "phone", "received_at": "0001-01-01T00:00:00+08:00"},
            "inputs.received_at",
        ),
        (
            {"description": "x", "channel": "phone", "received_at": "2024-13-45T10:00:00"},
            "inputs.received_at",
        ),
        (
            {"description": "x\x00", "channel": "phone", "received_at": "2024-05-01T10:00:00"},
            "inputs.description",
        ),
    ],
)
def test_action_inputs(org, register, clerk_api, inputs, field):
    complaint = advance(register(), org, "replied")

    response = clerk_api.post(
        f"/api/v1/complaints/{complaint.number}/actions",
        {"action": "file_secondary", "version": complaint.version, "inputs": inputs},
    )

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert Complaint.objects.count() == 1


def test_a_correction_to_a_far_off_date_is_422(org, register, clerk_api):
    complaint = register()

    response = clerk_api.post(
        f"/api/v1/complaints/{complaint.number}/actions",
        {
            "action": "correct",
            "version": 1,
            "inputs": {"changes": {"shipped_on": "0001-01-01"}, "reason": "x"},
        },
    )

    assert response.status_code == 422
    complaint.refresh_from_db()
    assert complaint.version == 1 and complaint.shipped_on is None


# ---------------------------------------------------------------------------------------------
# Issue 6, item 3: a lone surrogate anywhere; the wrong type in a correction.

SURROGATE = "\ud800"  # JSON can carry it ("\\ud800"); it is not UTF-8, so no database can store it

REGISTRATION_TEXTS = [
    name
    for name, info in ComplaintIn.model_fields.items()
    if name not in {"channel", "received_at", "accused_staff"} and "str" in repr(info.annotation)
]


def test_every_registration_text_is_found():
    assert {"description", "complainant_name", "customer", "category", "requested_remedy"} <= set(
        REGISTRATION_TEXTS
    )


@pytest.mark.parametrize("field", [*REGISTRATION_TEXTS, "accused_staff"])
def test_a_lone_surrogate_in_a_registration_text_is_422(org, clerk_api, field):
    value = [SURROGATE] if field == "accused_staff" else f"a{SURROGATE}"

    response = clerk_api.post("/api/v1/complaints", complaint_body(**{field: value}))

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field if field != "accused_staff" else "accused_staff.0"]
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize(
    ("action", "inputs", "field"),
    [
        ("comment", {"comment": SURROGATE}, "inputs.comment"),
        ("classify", {"category": SURROGATE}, "inputs.category"),
        ("propose_transfer", {"to_department": SURROGATE, "reason": "x"}, "inputs.to_department"),
        (
            "correct",
            {"changes": {"complainant_name": SURROGATE}, "reason": "x"},
            "inputs.changes.complainant_name",
        ),
    ],
)
def test_a_lone_surrogate_in_an_action_input_is_422(org, register, clerk_api, action, inputs, field):
    complaint = register()

    response = clerk_api.post(
        f"/api/v1/complaints/{complaint.number}/actions", {"action": action, "version": 1, "inputs": inputs}
    )

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    complaint.refresh_from_db()
    assert complaint.version == 1


def test_a_lone_surrogate_in_a_number_is_404(org, clerk_api):
    assert clerk_api.get("/api/v1/complaints/%ED%A0%80").status_code == 404


@pytest.mark.parametrize("value", [20240501, 2.5, True, ["2024-05-01"], {"day": "2024-05-01"}])
@pytest.mark.parametrize("field", ["shipped_on", "received_at"])
def test_a_correction_with_the_wrong_type_for_a_date_is_422(org, register, clerk_api, field, value):
    complaint = register()

    response = clerk_api.post(
        f"/api/v1/complaints/{complaint.number}/actions",
        {"action": "correct", "version": 1, "inputs": {"changes": {field: value}, "reason": "x"}},
    )

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [f"inputs.changes.{field}"]
    complaint.refresh_from_db()
    assert complaint.version == 1


# ---------------------------------------------------------------------------------------------
# Issue 6, item 4: strict types; the wrong type is a 422 naming the field, never a conversion.


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"quantity": True}, "quantity"),
        ({"quantity": 2.7}, "quantity"),
        ({"quantity": "2"}, "quantity"),
        ({"complainant_name": ["x"]}, "complainant_name"),
        ({"complainant_name": 7}, "complainant_name"),
        ({"received_at": 123}, "received_at"),
        ({"received_at": "123"}, "received_at"),
        ({"shipped_on": 0}, "shipped_on"),
        ({"accused_staff": "clerk"}, "accused_staff"),
    ],
)
def test_registration_refuses_the_wrong_type(org, clerk_api, overrides, field):
    response = clerk_api.post("/api/v1/complaints", complaint_body(**overrides))

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize("field", ["received_from", "received_to"])
@pytest.mark.parametrize("value", ["0", "1714521600", "2024-5-1"])
def test_a_list_date_filter_must_be_an_iso_date(org, clerk_api, field, value):
    response = clerk_api.get("/api/v1/complaints", {field: value})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize(
    ("action", "inputs", "field"),
    [
        ("comment", {"comment": ["x"]}, "inputs.comment"),
        ("propose_transfer", {"to_department": "x", "to_position": "1", "reason": "x"}, "inputs.to_position"),
        (
            "propose_transfer",
            {"to_department": "x", "to_position": True, "reason": "x"},
            "inputs.to_position",
        ),
        (
            "request_extension",
            {"clock": "resolution", "extra_amount": True, "reason": "x"},
            "inputs.extra_amount",
        ),
        ("record_delivery", {"delivered_at": 1714521600}, "inputs.delivered_at"),
        ("correct", {"changes": {"quantity": 2.7}, "reason": "x"}, "inputs.changes.quantity"),
        ("correct", {"changes": {"quantity": True}, "reason": "x"}, "inputs.changes.quantity"),
        (
            "correct",
            {"changes": {"complainant_name": ["x"]}, "reason": "x"},
            "inputs.changes.complainant_name",
        ),
        ("comment", {"comment": "x", "unknown": "y"}, "inputs.unknown"),
    ],
)
def test_action_inputs_refuse_the_wrong_type(org, register, clerk_api, action, inputs, field):
    complaint = register()

    response = clerk_api.post(
        f"/api/v1/complaints/{complaint.number}/actions", {"action": action, "version": 1, "inputs": inputs}
    )

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    complaint.refresh_from_db()
    assert complaint.version == 1


def test_the_version_must_be_a_whole_number(org, register, clerk_api):
    complaint = register()

    response = clerk_api.post(
        f"/api/v1/complaints/{complaint.number}/actions",
        {"action": "comment", "version": True, "inputs": {"comment": "x"}},
    )

    assert response.status_code == 422 and list(response.json()["errors"]) == ["version"]
