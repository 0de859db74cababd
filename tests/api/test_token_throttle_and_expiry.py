"""Token authentication: failures are rate-limited per client address (429 with Retry-After, JSON),
and a token may expire (then 401)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from kesu.organization import throttle
from kesu.organization.models import ApiToken, ThrottleScope
from tests.api.conftest import assert_documented

REFERENCE = "/api/v1/reference"
RULE = throttle.RULES[ThrottleScope.TOKEN_ADDRESS]


def call(token: str, address: str = "10.0.0.1", path: str = REFERENCE):
    response = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=address)
    assert_documented("GET", path, response)
    return response


def test_too_many_bad_tokens_from_one_address_are_answered_429(org, token_for):
    good = token_for(org.clerk)
    for i in range(RULE.limit):
        assert call(f"ksu_guess{i}").status_code == 401

    response = call("ksu_guess-again")

    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert "认证失败次数过多" in response.json()["detail"]  # the default language is Chinese
    assert 0 < int(response["Retry-After"]) <= RULE.lockout.total_seconds()
    # the address is blocked for every token, a good one too; other addresses are not
    assert call(good).status_code == 429
    assert call(good, address="10.0.0.2").status_code == 200


def test_the_rate_limit_ends_after_the_lock_out(org, token_for):
    good = token_for(org.clerk)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for i in range(RULE.limit):
            call(f"ksu_guess{i}")
        assert call(good).status_code == 429
    with time_machine.travel(start + RULE.lockout + timedelta(seconds=1), tick=False):
        assert call(good).status_code == 200


def test_good_tokens_are_not_counted(org, token_for):
    good = token_for(org.clerk)
    for _ in range(RULE.limit + 5):
        assert call(good).status_code == 200


def test_an_expired_token_is_401(org):
    row, token = ApiToken.issue(staff=org.clerk, expires_at=timezone.now() + timedelta(days=1))
    assert call(token).status_code == 200

    with time_machine.travel(row.expires_at + timedelta(seconds=1), tick=False):
        response = call(token)

    assert response.status_code == 401
    assert "detail" in response.json()


def run(*args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_create_with_expires_in_days(org):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        token = run("create", "clerk", "--expires-in", "30").strip()

    row = ApiToken.objects.get()
    assert row.expires_at == now + timedelta(days=30)
    with time_machine.travel(now + timedelta(days=29), tick=False):
        assert call(token).status_code == 200
    with time_machine.travel(now + timedelta(days=30, seconds=1), tick=False):
        assert call(token, address="10.0.0.3").status_code == 401


def test_create_with_an_expiry_date_is_valid_through_that_day(org):
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 6, 1, 9)), tick=False):
        token = run("create", "clerk", "--expires", "2026-06-30").strip()
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 6, 30, 23, 59)), tick=False):
        assert call(token).status_code == 200
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 7, 1, 0, 0, 1)), tick=False):
        assert call(token).status_code == 401


def test_list_shows_the_expiry(org):
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 6, 1, 9)), tick=False):
        run("create", "clerk", "--expires", "2026-06-30")
        run("create", "gm")
        assert "expires 2026-07-01 00:00" in run("list", "clerk")
        assert "active" in run("list", "gm")
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 7, 2, 9)), tick=False):
        assert "expired 2026-07-01 00:00" in run("list", "clerk")


@pytest.mark.parametrize(
    "args",
    [
        ["--expires-in", "0"],
        ["--expires-in", "x"],
        ["--expires", "2020-01-01"],
        ["--expires", "tomorrow"],
        ["--expires-in", "3", "--expires", "2099-01-01"],
    ],
)
def test_bad_expiry_is_refused(org, args):
    with pytest.raises(CommandError):
        run("create", "clerk", *args)
    assert not ApiToken.objects.exists()
