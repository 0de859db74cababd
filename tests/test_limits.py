"""The documented limits (kesu.core.limits): README lists exactly them, every one is enforced
somewhere a person or a client types, and the model fields carry them (so the admin does too)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from kesu.core import limits
from kesu.core.limits import LIMITS, BoundedTextField
from tests.limit_surfaces import (
    SPECIAL,
    action_input_limits,
    assignment_limits,
    intake_form_limits,
    registration_limits,
)

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _readme_limits() -> dict[str, int]:
    section = README.split("### Limits", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| ([\d ,]+) \|", section, re.MULTILINE)
    return {name: int(re.sub(r"[ ,]", "", number)) for name, number in rows}


def test_the_readme_table_lists_exactly_the_limits():
    assert _readme_limits() == {limit.name: limit.max_length for limit in LIMITS}


def test_the_description_limit_is_the_agreed_one():
    assert limits.max_length("description") == 10_000


@pytest.mark.parametrize("limit", LIMITS, ids=lambda limit: limit.name)
def test_every_limit_is_enforced_where_it_is_entered(limit):
    surfaces = (
        {lim.name for lim in registration_limits()}
        | {lim.name for lim in intake_form_limits()}
        | {lim.name for _action, lim in action_input_limits()}
        | {lim.name for _schema, lim, _max in assignment_limits()}
        | SPECIAL
    )
    assert limit.name in surfaces, f"no form, schema or action input takes {limit.name}"


BOUNDED = [
    field
    for model in apps.get_models()
    for field in model._meta.get_fields()
    if isinstance(field, BoundedTextField)
]


def test_the_long_texts_are_bounded():
    names = {f"{field.model.__name__}.{field.name}" for field in BOUNDED}
    assert {
        "Complaint.description",
        "Complaint.requested_remedy",
        "Complaint.resolution",
        "Complaint.reply",
        "TransferSlip.reason",
        "ComplaintClock.late_reason",
        "ExtensionRequest.reason",
    } <= names


@pytest.mark.parametrize("field", BOUNDED, ids=lambda f: f"{f.model.__name__}.{f.name}")
def test_a_bounded_text_refuses_one_character_too_many_in_full_clean_and_the_admin(field):
    assert field.max_length in {limit.max_length for limit in LIMITS}
    field.clean("x" * field.max_length, None)
    with pytest.raises(ValidationError):
        field.clean("x" * (field.max_length + 1), None)
    assert field.formfield().max_length == field.max_length  # what the admin's form enforces


@pytest.mark.parametrize(
    ("schema", "limit", "max_length"), assignment_limits(), ids=lambda v: getattr(v, "name", str(v))
)
def test_a_department_task_input_has_the_documented_limit(schema, limit, max_length):
    assert max_length == limit.max_length, f"{schema}.{limit.name}"


@pytest.mark.parametrize("limit", registration_limits(), ids=lambda limit: limit.name)
def test_the_complaint_model_field_has_the_documented_limit(limit):
    from kesu.complaints.models import Complaint

    field = next((f for f in Complaint._meta.get_fields() if f.name == limit.name), None)
    if field is not None and getattr(field, "max_length", None) is not None:
        assert field.max_length == limit.max_length
