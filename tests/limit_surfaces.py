"""Where each documented limit (kesu.core.limits) is entered, found from the code itself, so the
tests parametrised over it cover a new limit, or a new input with a limit, without being edited."""

from __future__ import annotations

from django import forms

from kesu.assignments import schemas as assignment_schemas
from kesu.complaints.actions import ACTION_INPUTS
from kesu.complaints.forms import IntakeForm
from kesu.complaints.schemas import ComplaintIn
from kesu.core.limits import LIMITS, Limit

# Limits checked by a test of their own rather than through a form or schema found here.
SPECIAL = {"q", "attachment name", "Idempotency-Key"}
# The complaint list's saved filters, checked by tests/web/test_desk.py.
SPECIAL |= {"filter name"}
# The decision's inputs, checked by tests/decisions/test_api.py.
SPECIAL |= {"decision note", "party name", "signed_by", "refusal reason"}
# The customer archive's inputs, checked by tests/archive/test_limits_and_bad_input.py.
SPECIAL |= {
    "customer_name",
    "phone",
    "contact_name",
    "contact_title",
    "email",
    "summary",
    "profile text",
    "profile long text",
    "lookup",
}
# The objection's (tests/decisions/test_objections_api.py) and the committee's
# (tests/committees/test_api.py).
SPECIAL |= {"objection reason", "objection outcome"}
SPECIAL |= {"evidence facts", "customer statement", "delivery memo", "agreement comment"}
# An assessment finding's evidence, checked by tests/accountability/test_api.py.
SPECIAL |= {"evidence"}


def registration_limits() -> list[Limit]:
    """Limits on a field of POST /api/v1/complaints."""
    return [limit for limit in LIMITS if limit.name in ComplaintIn.model_fields]


def intake_form_limits() -> list[Limit]:
    """Limits on a text field of the web intake form."""
    return [
        limit
        for limit in LIMITS
        if isinstance(IntakeForm.base_fields.get(limit.name), forms.CharField)
        and not isinstance(IntakeForm.base_fields[limit.name], forms.ModelChoiceField)
    ]


def action_input_limits() -> list[tuple[str, Limit]]:
    """(action, limit) for the first action with an input of that name and a maximum length."""
    found: dict[str, tuple[str, Limit]] = {}
    by_name = {limit.name: limit for limit in LIMITS}
    for action, fields in ACTION_INPUTS.items():
        for field in fields:
            if field.max_length is not None and field.name in by_name and field.name not in found:
                assert field.max_length == by_name[field.name].max_length, (action, field.name)
                found[field.name] = (action, by_name[field.name])
    return list(found.values())


def other_inputs(action: str, name: str) -> dict[str, object]:
    """Plausible values for an action's other inputs, so only ``name`` can be wrong."""
    values: dict[str, object] = {
        "comment": "x",
        "reason": "x",
        "reply": "x",
        "resolution": "x",
        "late_reason": "x",
        "description": "x",
        "channel": "phone",
        "satisfaction": "satisfied",
        "received_at": "2024-05-01T09:30:00+08:00",
        "clock": "resolution",
        "extra_amount": 1,
        "changes": {"complainant_phone": "1"},
    }
    return {f.name: values[f.name] for f in ACTION_INPUTS[action] if f.name != name and f.name in values}


ASSIGNMENT_INPUTS = (
    assignment_schemas.TasksIn,
    assignment_schemas.TaskIn,
    assignment_schemas.AssignIn,
    assignment_schemas.CompleteIn,
    assignment_schemas.CancelIn,
    assignment_schemas.DistributeIn,
)


def _max_length(field_schema: dict) -> int | None:
    """maxLength of a string field, of a nullable one (anyOf) or of a list's items."""
    if "maxLength" in field_schema:
        return field_schema["maxLength"]
    for option in field_schema.get("anyOf", []):
        if "maxLength" in option:
            return option["maxLength"]
    items = field_schema.get("items")
    return items.get("maxLength") if isinstance(items, dict) else None


def assignment_limits() -> list[tuple[str, Limit, int | None]]:
    """(schema, limit, its maxLength there) for every limit on a department-task input's field."""
    by_name = {limit.name: limit for limit in LIMITS}
    found = []
    for schema in ASSIGNMENT_INPUTS:
        properties = schema.model_json_schema()["properties"]
        for name, field_schema in properties.items():
            if name in by_name:
                found.append((schema.__name__, by_name[name], _max_length(field_schema)))
    return found
