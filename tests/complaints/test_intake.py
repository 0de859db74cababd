"""The one intake parser behind the registration form, the API and `kesu register`."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from kesu.complaints.intake import parse_intake
from kesu.complaints.models import Category, Complaint

PLAIN = {
    "channel": "phone",
    "received_at": "2025-03-01T09:30",
    "complainant_name": "刘先生",
    "description": "沙发扶手开裂，要求更换。",
    "category": "product_quality",
    "severity": "normal",
    "shipped_on": "2025-02-20",
    "quantity": "3",
    "accused_staff": ["prodhandler"],
}


def test_plain_input_becomes_the_intake_with_records(org):
    intake, accused = parse_intake(PLAIN)
    assert intake.category == Category.objects.get(code="product_quality")
    assert intake.severity.code == "normal"
    assert timezone.is_aware(intake.received_at) and intake.shipped_on == date(2025, 2, 20)
    assert intake.quantity == 3 and accused == [org.production_handler]


def test_every_wrong_field_is_named_at_once(org):
    raw = PLAIN | {
        "channel": "pigeon",
        "received_at": "yesterday",
        "description": " ",
        "customer": "NOBODY",
        "category": "x" * 500,
        "quantity": -1,
        "accused_staff": ["ghost"],
    }
    with pytest.raises(ValidationError) as error:
        parse_intake(raw)
    assert set(error.value.message_dict) == {
        "channel",
        "received_at",
        "description",
        "customer",
        "category",
        "quantity",
        "accused_staff",
    }


def test_a_retired_class_is_refused_everywhere(org):
    Category.objects.filter(code="product_quality").update(is_active=False)
    with pytest.raises(ValidationError) as error:
        parse_intake(PLAIN)
    assert set(error.value.message_dict) == {"category"}


def test_the_cli_reports_the_parser_s_field_errors(org):
    with pytest.raises(CommandError) as error:
        call_command(
            "register",
            "--as=clerk",
            "--channel=phone",
            "--complainant=刘先生",
            "--description=扶手开裂",
            "--category=nothing",
            "--received-at=2025-13-01T09:00",
        )
    lines = str(error.value).splitlines()
    assert [line.split(":")[0] for line in lines] == ["received_at", "category"]
    assert not Complaint.objects.exists()
