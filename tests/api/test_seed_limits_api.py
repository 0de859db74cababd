"""Seed limits over the API: a field error, never a 500 (seed 000 第三篇 三)."""

from __future__ import annotations

import time_machine

from kesu.complaints import services
from kesu.complaints.models import Category
from kesu.deadlines.models import ExtensionRequest
from kesu.rulebook.services import apply_preset
from tests.conftest import intake, local


def test_an_extension_over_the_cap_is_a_422_naming_the_field(org, client_for):
    """Liquor: 3 working days, special cases at most 7 — a +30 request is refused on the field."""
    apply_preset(name="liquor")
    with time_machine.travel(local(2026, 11, 16, 8, 5), tick=False):
        liquor_phone = services.register_complaint(
            by=org.clerk,
            intake=intake(received_at=local(2026, 11, 16, 8), category=Category.objects.get(code="quality")),
        )
    response = client_for(org.clerk).post(
        f"/api/v1/complaints/{liquor_phone.number}/actions",
        {
            "action": "request_extension",
            "version": liquor_phone.version,
            "inputs": {"clock": "resolution", "extra_amount": 30, "reason": "特殊情况"},
        },
    )
    assert response.status_code == 422
    assert any("extra_amount" in field for field in response.json()["errors"])
    assert not ExtensionRequest.objects.exists()
