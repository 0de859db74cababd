"""Sign-in throttling (README "Sign-in throttling"): per account, per address, on the site's and the
admin's log-in page, counted in the database, lifted by time, by a successful sign-in, by an admin."""

from __future__ import annotations

import logging
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.utils import timezone

from kesu.organization import throttle
from kesu.organization.models import AuthFailure, ThrottleScope

LOCKED_ZH = "登录失败次数过多"
LOCKED_EN = "Too many failed sign-ins"


def log_in(client: Client, username: str, password: str, *, address: str = "10.0.0.1", path: str = "/login/"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_then_the_right_one_does_not_sign_in(org):
    client = Client()
    for _ in range(30):
        log_in(client, "clerk", "wrong")

    response = log_in(client, "clerk", "pass-clerk")

    assert not signed_in(client)
    assert response.status_code == 200
    assert LOCKED_ZH in response.content.decode()


def test_the_account_is_locked_from_every_address(org):
    for i in range(throttle.RULES[ThrottleScope.LOGIN_ACCOUNT].limit):
        log_in(Client(), "clerk", "wrong", address=f"10.0.1.{i}")

    client = Client()
    log_in(client, "clerk", "pass-clerk", address="10.9.9.9")

    assert not signed_in(client)
    other = Client()
    log_in(other, "gm", "pass-gm", address="10.9.9.9")  # another account is not affected
    assert signed_in(other)


def test_one_address_guessing_many_accounts_is_locked(org):
    limit = throttle.RULES[ThrottleScope.LOGIN_ADDRESS].limit
    for i in range(limit):
        log_in(Client(), f"nobody{i}", "guess", address="10.0.0.66")  # one try per account

    client = Client()
    response = log_in(client, "clerk", "pass-clerk", address="10.0.0.66")
    assert not signed_in(client) and LOCKED_ZH in response.content.decode()

    elsewhere = Client()
    log_in(elsewhere, "clerk", "pass-clerk", address="10.0.0.67")
    assert signed_in(elsewhere)


def test_below_the_limit_the_right_password_signs_in_and_clears_the_count(org):
    limit = throttle.RULES[ThrottleScope.LOGIN_ACCOUNT].limit
    client = Client()
    for _ in range(limit - 1):
        log_in(client, "clerk", "wrong")
    log_in(client, "clerk", "pass-clerk")
    assert signed_in(client)

    assert not AuthFailure.objects.filter(scope=ThrottleScope.LOGIN_ACCOUNT, key="clerk").exists()


def test_the_lock_out_ends_after_its_time(org):
    rule = throttle.RULES[ThrottleScope.LOGIN_ACCOUNT]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(rule.limit):
            log_in(Client(), "clerk", "wrong")
    with time_machine.travel(start + rule.lockout - timedelta(seconds=1), tick=False):
        client = Client()
        log_in(client, "clerk", "pass-clerk")
        assert not signed_in(client)
    with time_machine.travel(start + rule.lockout + timedelta(seconds=1), tick=False):
        client = Client()
        log_in(client, "clerk", "pass-clerk")
        assert signed_in(client)


def test_failures_spread_beyond_the_window_do_not_lock(org):
    rule = throttle.RULES[ThrottleScope.LOGIN_ACCOUNT]
    start = timezone.now()
    for i in range(rule.limit * 2):
        with time_machine.travel(start + i * (rule.window / (rule.limit - 1)), tick=False):
            log_in(Client(), "clerk", "wrong")
    with time_machine.travel(start + 2 * rule.limit * (rule.window / (rule.limit - 1)), tick=False):
        client = Client()
        log_in(client, "clerk", "pass-clerk")
        assert signed_in(client)


def test_the_message_is_in_english_too(org):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(throttle.RULES[ThrottleScope.LOGIN_ACCOUNT].limit):
        log_in(client, "clerk", "wrong")

    response = log_in(client, "clerk", "pass-clerk")

    assert LOCKED_EN in response.content.decode()
    assert "ask an administrator to unlock" in response.content.decode()


def test_the_admin_log_in_is_throttled_too(org):
    get_user_model().objects.create_superuser("root", password="pass-root")
    client = Client()
    for _ in range(throttle.RULES[ThrottleScope.LOGIN_ACCOUNT].limit):
        log_in(client, "root", "wrong", path="/admin/login/")

    response = log_in(client, "root", "pass-root", path="/admin/login/")

    assert not signed_in(client)
    assert LOCKED_ZH in response.content.decode()


def test_failures_and_the_lock_out_are_logged(org, caplog):
    caplog.set_level(logging.INFO, logger="kesu.security")
    client = Client()
    for _ in range(throttle.RULES[ThrottleScope.LOGIN_ACCOUNT].limit + 1):
        log_in(client, "clerk", "wrong", address="10.1.2.3")

    messages = [r.getMessage() for r in caplog.records if r.name == "kesu.security"]
    assert any("sign-in failed" in m and "'clerk'" in m and "10.1.2.3" in m for m in messages)
    assert any(m.startswith("lock-out: login_account 'clerk'") for m in messages)
    assert any("sign-in refused (locked out)" in m for m in messages)


@pytest.mark.parametrize("how", ["command", "admin"])
def test_an_administrator_unlocks_the_account(org, how):
    for _ in range(throttle.RULES[ThrottleScope.LOGIN_ACCOUNT].limit):
        log_in(Client(), "clerk", "wrong", address="10.0.0.1")

    if how == "command":
        out = StringIO()
        call_command("unlock", "clerk", stdout=out)
        assert "Unlocked" in out.getvalue()
    else:
        get_user_model().objects.create_superuser("root", password="pass-root")
        admin = Client()
        admin.force_login(get_user_model().objects.get(username="root"))
        row = AuthFailure.objects.get(scope=ThrottleScope.LOGIN_ACCOUNT, key="clerk")
        response = admin.post(f"/admin/organization/authfailure/{row.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302

    client = Client()
    log_in(client, "clerk", "pass-clerk", address="10.0.0.2")
    assert signed_in(client)


def test_usernames_are_counted_case_insensitively(org):
    for i in range(throttle.RULES[ThrottleScope.LOGIN_ACCOUNT].limit):
        log_in(Client(), "Clerk" if i % 2 else "CLERK", "wrong")

    client = Client()
    log_in(client, "clerk", "pass-clerk")
    assert not signed_in(client)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "1.1.1.1", "127.0.0.9"),  # no proxy: the header is the client's word, ignored
        (1, "6.6.6.6, 1.1.1.1", "1.1.1.1"),  # nginx appended the real client; 6.6.6.6 was forged
        (2, "1.1.1.1, 10.0.0.5", "1.1.1.1"),
        (2, "1.1.1.1", "127.0.0.9"),  # fewer entries than proxies: not trusted
    ],
)
def test_client_address_behind_proxies(settings, proxies, forwarded, expected):
    settings.KESU_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert throttle.client_address(request) == expected


def test_old_counters_are_forgotten(org):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for i in range(3):
            log_in(Client(), f"random{i}", "guess", address=f"10.0.3.{i}")
    assert AuthFailure.objects.count() == 6  # per account and per address

    with time_machine.travel(start + throttle.FORGET_AFTER + timedelta(minutes=1), tick=False):
        log_in(Client(), "someone", "guess", address="10.0.4.1")

    assert set(AuthFailure.objects.values_list("key", flat=True)) == {"someone", "10.0.4.1"}
