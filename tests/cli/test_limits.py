"""`kesu register` and `kesu act` refuse what the web and the API refuse: one character over a
documented limit, and text that is not storable (an argument that is not UTF-8 arrives with lone
surrogates). One message naming the field, no traceback, nothing written."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kesu.complaints.models import Complaint
from kesu.core import limits

pytestmark = pytest.mark.django_db


def _register(**options: str) -> None:
    args = {"--channel": "phone", "--complainant": "张三", "--description": "沙发扶手开裂", **options}
    call_command("register", "--as", "clerk", *[x for pair in args.items() for x in pair], stdout=StringIO())


@pytest.mark.parametrize(
    ("option", "field", "limit"),
    [
        ("--description", "description", limits.DESCRIPTION),
        ("--complainant", "complainant_name", limits.PERSON_NAME),
        ("--phone", "complainant_phone", limits.PHONE),
    ],
)
def test_register_refuses_one_character_over_the_limit(org, option, field, limit):
    _register(**{option: "字" * limit})
    with pytest.raises(CommandError, match=field):
        _register(**{option: "字" * (limit + 1)})
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize("option", ["--description", "--complainant", "--category", "--customer"])
def test_register_refuses_an_argument_that_is_not_utf8(org, option):
    with pytest.raises(CommandError):
        _register(**{option: "\udcff"})  # how Python passes the byte 0xff of a non-UTF-8 argv
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize(
    ("key", "value"),
    [("comment", "x" * (limits.max_length("comment") + 1)), ("comment", "\udcff"), ("comment", "a\x00")],
)
def test_act_refuses_a_comment_over_the_limit_or_not_storable(org, register, key, value):
    complaint = register()

    with pytest.raises(CommandError, match="comment"):
        call_command(
            "act",
            complaint.number,
            "comment",
            "--as",
            "clerk",
            "--input",
            f"{key}={value}",
            stdout=StringIO(),
        )

    complaint.refresh_from_db()
    assert complaint.version == 1


def test_act_refuses_a_correction_with_an_overflowing_id(org, register):
    complaint = register()

    with pytest.raises(CommandError, match="customer"):
        call_command(
            "act",
            complaint.number,
            "correct",
            "--as",
            "clerk",
            "--input",
            "changes.customer=" + "9" * 30,
            "--input",
            "reason=x",
            stdout=StringIO(),
        )
