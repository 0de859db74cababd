"""Never a 500: input that would overflow or that the database cannot store gets a 422 naming
the field (or a 404 for a path that names nothing)."""

from __future__ import annotations

import pytest

from kesu.complaints.models import Complaint
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
        ({"description": "x", "channel": "phone", "received_at": "0001-01-01T00:00:00+08:00"}, "received_at"),
        ({"description": "x", "channel": "phone", "received_at": "2024-13-45T10:00:00"}, "received_at"),
        ({"description": "x\x00", "channel": "phone", "received_at": "2024-05-01T10:00:00"}, "inputs"),
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
