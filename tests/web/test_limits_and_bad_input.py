"""The bad-input corpus for the web UI: the intake form, the action forms, the list filters and
the URLs. Every documented limit at and one over its maximum; NUL, huge integers, impossible
dates and unknown keys in every field. Never a 500 and never a half-written record: a 400 page
with the error on the field, or a 404 for a URL that names nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kesu.complaints.forms import IntakeForm, ListFilterForm, action_form
from kesu.complaints.models import Attachment, Complaint
from kesu.complaints.services import CORRECTABLE_FIELDS
from kesu.core import limits
from tests.limit_surfaces import action_input_limits, intake_form_limits, other_inputs

HUGE = "9" * 30  # beyond 64 bits: SQLite cannot hold it


def _intake(**overrides: str) -> dict[str, str]:
    received = timezone.localtime() - timedelta(hours=2)
    return {
        "channel": "phone",
        "received_at": received.strftime("%Y-%m-%dT%H:%M:%S"),
        "complainant_name": "刘先生",
        "description": "沙发扶手开裂，要求更换。",
        **overrides,
    }


def _field_errors(response, name: str) -> list[str]:
    form = response.context["form"]
    return list(form.errors.get(name, []))


def _codes(form: forms.Form, name: str) -> set[str | None]:
    """The error codes on a field (the messages are in the page's language)."""
    return {error.code for error in form.errors.as_data().get(name, [])}


@pytest.mark.parametrize("limit", intake_form_limits(), ids=lambda limit: limit.name)
def test_the_intake_form_keeps_a_text_at_its_limit(as_user, org, limit):
    response = as_user(org.clerk).post(
        reverse("complaint-new"), _intake(**{limit.name: "字" * limit.max_length})
    )

    assert response.status_code == 302
    assert len(getattr(Complaint.objects.get(), limit.name)) == limit.max_length


@pytest.mark.parametrize("limit", intake_form_limits(), ids=lambda limit: limit.name)
def test_the_intake_form_refuses_one_character_over_the_limit(as_user, org, limit):
    response = as_user(org.clerk).post(
        reverse("complaint-new"), _intake(**{limit.name: "字" * (limit.max_length + 1)})
    )

    assert response.status_code == 400
    assert "max_length" in _codes(response.context["form"], limit.name)
    assert Complaint.objects.count() == 0


def test_the_intake_form_shows_the_limits_to_the_browser(as_user, org):
    html = as_user(org.clerk).get(reverse("complaint-new")).content.decode()

    for limit in intake_form_limits():
        assert f'maxlength="{limit.max_length}"' in html, limit.name


def _action_text_limits() -> list[tuple[str, limits.Limit]]:
    """The action inputs typed as text (a code is chosen from a list on the page, not typed)."""
    from kesu.complaints.actions import ACTION_INPUTS

    kinds = {(action, f.name): f.kind for action, fields in ACTION_INPUTS.items() for f in fields}
    return [(action, limit) for action, limit in action_input_limits() if kinds[action, limit.name] == "text"]


@pytest.mark.parametrize(("action", "limit"), _action_text_limits(), ids=lambda v: getattr(v, "name", v))
@pytest.mark.parametrize("over", [0, 1])
def test_an_action_form_enforces_the_limit(org, register, action, limit, over):
    complaint = register()
    data = {
        f"{action}-{name}": value
        for name, value in {
            **other_inputs(action, limit.name),
            limit.name: "x" * (limit.max_length + over),
        }.items()
    }

    form = action_form(action, complaint, {**data, f"{action}-version": "1"})
    form.is_valid()

    assert ("max_length" in _codes(form, limit.name)) == bool(over)


def test_a_comment_one_over_the_limit_is_refused_through_the_page(as_user, org, register):
    complaint = register()
    url = reverse("complaint-action", args=[complaint.number, "comment"])

    response = as_user(org.clerk).post(
        url, {"comment-comment": "x" * (limits.max_length("comment") + 1), "comment-version": "1"}
    )

    assert response.status_code == 400
    complaint.refresh_from_db()
    assert complaint.version == 1


@pytest.mark.parametrize("length", [limits.SEARCH, limits.SEARCH + 1])
def test_the_list_search_limit(as_user, org, length):
    response = as_user(org.clerk).get(reverse("complaint-list"), {"q": "x" * length})

    assert response.status_code == (200 if length <= limits.SEARCH else 400)


def test_a_long_attachment_name_is_shortened_to_the_limit(as_user, org, register):
    complaint = register()
    name = "照" * (limits.ATTACHMENT_NAME + 50) + ".txt"
    upload = SimpleUploadedFile(name, b"hello", content_type="text/plain")

    response = as_user(org.clerk).post(
        reverse("complaint-attach", args=[complaint.number]), {"file": upload, "version": "1"}
    )

    assert response.status_code == 302
    stored = Attachment.objects.get().original_name
    assert len(stored) <= limits.ATTACHMENT_NAME and stored.endswith(".txt")


# ---------------------------------------------------------------------------------------------
# Values no field may take

INTAKE_BAD = ["a\x00b", HUGE, "1.5", "0"]


@pytest.mark.parametrize("value", INTAKE_BAD, ids=repr)
@pytest.mark.parametrize("field", [name for name in IntakeForm.base_fields if name != "attachments"])
def test_no_intake_field_answers_500(as_user, org, field, value):
    response = as_user(org.clerk).post(reverse("complaint-new"), _intake(**{field: value}))

    assert response.status_code in {302, 400}
    if response.status_code == 400:
        assert _field_errors(response, field) or response.context["form"].non_field_errors()
        assert Complaint.objects.count() == 0


@pytest.mark.parametrize("value", ["\x00", HUGE, "0", "2024-02-30"], ids=repr)
@pytest.mark.parametrize("param", [*ListFilterForm.base_fields, "page"])
def test_no_list_filter_answers_500(as_user, org, register, param, value):
    register()

    response = as_user(org.clerk).get(reverse("complaint-list"), {param: value})

    assert response.status_code in {200, 400}


def _action_fields() -> list[tuple[str, str]]:
    from kesu.complaints.actions import ACTION_INPUTS

    return [
        (action, f.name) for action, fields in ACTION_INPUTS.items() for f in fields if f.name != "changes"
    ]


@pytest.mark.parametrize("value", ["a\x00", HUGE, "0001-01-01T00:00"], ids=repr)
@pytest.mark.parametrize(("action", "field"), [*_action_fields(), ("comment", "version")])
def test_no_action_form_field_answers_500(as_user, org, register, action, field, value):
    complaint = register()
    data = {f"{action}-{k}": v for k, v in other_inputs(action, field).items() if not isinstance(v, dict)}
    data[f"{action}-version"] = "1"
    data[f"{action}-{field}"] = value

    response = as_user(org.director).post(reverse("complaint-action", args=[complaint.number, action]), data)

    assert response.status_code in {302, 400, 403, 409}
    if response.status_code != 302:
        complaint.refresh_from_db()
        assert complaint.version == 1


@pytest.mark.parametrize("value", ["a\x00", HUGE, "0001-01-01"], ids=repr)
@pytest.mark.parametrize("field", CORRECTABLE_FIELDS)
def test_no_correction_field_answers_500(as_user, org, register, field, value):
    complaint = register()

    response = as_user(org.clerk).post(
        reverse("complaint-action", args=[complaint.number, "correct"]),
        {f"correct-{field}": value, "correct-reason": "x", "correct-version": "1"},
    )

    assert response.status_code in {302, 400}


@pytest.mark.parametrize(
    "path",
    [
        "/complaints/%00/",
        "/complaints/a%00b/actions/comment/",
        "/complaints/%ED%A0%80/",
        "/complaints/" + "9" * 5000 + "/",
    ],
)
def test_a_url_naming_no_complaint_is_404(as_user, org, path):
    client = as_user(org.clerk)

    assert client.get(path).status_code in {404, 405}  # 405: an action URL takes only POST
    assert client.post(path, {"comment-comment": "x", "comment-version": "1"}).status_code in {404, 405}


@pytest.mark.parametrize("attachment_id", [HUGE, "2147483648", "0"])
def test_an_attachment_id_naming_nothing_is_404(as_user, org, register, attachment_id):
    complaint = register()
    path = f"/complaints/{complaint.number}/attachments/{attachment_id}/"

    assert as_user(org.clerk).get(path).status_code == 404


def test_the_version_must_fit_the_integer_column(as_user, org, register):
    complaint = register()

    response = as_user(org.clerk).post(
        reverse("complaint-action", args=[complaint.number, "comment"]),
        {"comment-comment": "x", "comment-version": HUGE},
    )

    assert response.status_code in {400, 409}
    complaint.refresh_from_db()
    assert complaint.version == 1


def test_every_text_field_of_the_forms_refuses_nul():
    # Django's CharField refuses NUL by default; the model choice fields do too (SafeModelChoiceField).
    for field in IntakeForm.base_fields.values():
        if isinstance(field, forms.ModelChoiceField):
            with pytest.raises(forms.ValidationError):
                field.clean("\x00")
