"""`kesu token create|revoke|list`: the printed token authenticates; a revoked one does not."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kesu.organization.models import ApiToken
from tests.api.conftest import ApiClient


def run(*args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_create_prints_a_token_that_authenticates(org):
    token = run("create", "clerk", "--name", "ERP").strip()

    assert token.startswith("ksu_") and "\n" not in token
    assert ApiClient(token).get("/api/v1/reference").status_code == 200
    row = ApiToken.objects.get()
    assert row.staff == org.clerk and row.name == "ERP"
    assert row.digest == ApiToken.digest_of(token) and token not in row.digest


def test_revoke_by_prefix_makes_it_401(org):
    token = run("create", "clerk").strip()
    prefix = "ksu_" + ApiToken.objects.get().prefix  # as `list` shows it (the 8 may start with "-")

    output = run("revoke", prefix)

    assert "Revoked" in output and prefix in output
    assert ApiClient(token).get("/api/v1/reference").status_code == 401


def test_revoke_with_the_whole_token(org):
    token = run("create", "clerk").strip()

    run("revoke", token)

    assert ApiClient(token).get("/api/v1/reference").status_code == 401


def test_list_shows_prefixes_never_tokens(org):
    token = run("create", "clerk", "--name", "ERP").strip()
    run("create", "gm")

    listing = run("list")
    only_gm = run("list", "gm")

    assert token not in listing
    assert ApiToken.objects.get(staff=org.clerk).prefix in listing and "ERP" in listing
    assert "clerk" not in only_gm and "gm" in only_gm


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create", "ghost"), "No user named 'ghost'"),
        (("revoke", "ksu_nothere1"), "No active token"),
    ],
)
def test_errors_are_clear(org, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_a_user_without_staff_record_gets_no_token(org, django_user_model):
    django_user_model.objects.create_user(username="root")

    with pytest.raises(CommandError, match="not a staff member"):
        run("create", "root")
    assert ApiToken.objects.count() == 0


def test_revoking_twice_says_there_is_no_active_token(org):
    run("create", "clerk")
    prefix = "ksu_" + ApiToken.objects.get().prefix
    run("revoke", prefix)

    with pytest.raises(CommandError, match="No active token"):
        run("revoke", prefix)


def test_a_prefix_starting_with_a_dash_can_be_revoked(org):
    token = "ksu_-AbC1234rest-of-the-token"
    ApiToken.objects.create(staff=org.clerk, prefix=token[4:12], digest=ApiToken.digest_of(token))

    run("revoke", "ksu_-AbC1234")

    assert ApiClient(token).get("/api/v1/reference").status_code == 401
