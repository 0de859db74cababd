"""Login throttling and the API's token-failure rate limit (登录失败锁定).

Failures are counted in the database (``AuthFailure``), so every gunicorn worker and every server
of a site counts together; Redis is not needed. The rules (README "Sign-in throttling"):

- an **account** with ``LOGIN_ACCOUNT`` failures within its window is locked for the lock-out time,
  whatever the address; a successful sign-in clears the account's count;
- an **address** with ``LOGIN_ADDRESS`` failures (over any accounts) is locked the same way, so one
  client cannot try one password on every account;
- an **address** with ``TOKEN_ADDRESS`` failed bearer-token authentications gets 429 on every
  token request until the lock-out ends.

While locked, the password or token is not even checked: the right password after thirty wrong
ones does not sign in. An administrator lifts a lock-out by deleting its row (admin: Organization ›
Sign-in lock-outs, or ``kesu unlock USERNAME|ADDRESS``).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from kesu.organization.models import AuthFailure, ThrottleScope

logger = logging.getLogger("kesu.security")


@dataclass(frozen=True)
class Rule:
    limit: int  # this many failures within `window` start a lock-out
    window: timedelta
    lockout: timedelta


RULES: dict[str, Rule] = {
    ThrottleScope.LOGIN_ACCOUNT: Rule(limit=5, window=timedelta(minutes=15), lockout=timedelta(minutes=15)),
    ThrottleScope.LOGIN_ADDRESS: Rule(limit=20, window=timedelta(minutes=15), lockout=timedelta(minutes=15)),
    ThrottleScope.TOKEN_ADDRESS: Rule(limit=20, window=timedelta(minutes=10), lockout=timedelta(minutes=10)),
}

KEY_LENGTH = AuthFailure._meta.get_field("key").max_length
# Counters untouched this long are forgotten (when a new one is created), so guessing random
# usernames cannot grow the table without bound.
FORGET_AFTER = timedelta(days=1)


def account_key(username: str) -> str:
    """Usernames are counted case-insensitively: "Clerk" and "clerk" share one count."""
    return username.strip().casefold()[:KEY_LENGTH]


def client_address(request: HttpRequest) -> str:
    """The client's IP address. Behind ``KESU_PROXY_COUNT`` reverse proxies that each append to
    X-Forwarded-For, the client is that many entries from the right (entries further left are
    whatever the client sent, so they are never trusted)."""
    proxies = settings.KESU_PROXY_COUNT
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies][:KEY_LENGTH]
    return (request.META.get("REMOTE_ADDR") or "unknown")[:KEY_LENGTH]


def locked_until(*, scope: str, key: str, now: datetime | None = None) -> datetime | None:
    """When the lock-out of this account or address ends, or None if it is not locked."""
    now = now or timezone.now()
    return (
        AuthFailure.objects.filter(scope=scope, key=key, locked_until__gt=now)
        .values_list("locked_until", flat=True)
        .first()
    )


def login_locked_until(*, username: str, address: str) -> datetime | None:
    """The later end of the account's and the address's lock-out, or None if neither is locked."""
    now = timezone.now()
    ends = [
        end
        for end in (
            locked_until(scope=ThrottleScope.LOGIN_ACCOUNT, key=account_key(username), now=now),
            locked_until(scope=ThrottleScope.LOGIN_ADDRESS, key=address, now=now),
        )
        if end is not None
    ]
    return max(ends, default=None)


def minutes_left(until: datetime) -> int:
    return max(1, math.ceil((until - timezone.now()).total_seconds() / 60))


def seconds_left(until: datetime) -> int:
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


def record_failure(*, scope: str, key: str) -> datetime | None:
    """Count one failure; returns the end of the lock-out if this account/address is now locked.

    The row is locked (``select_for_update``) so concurrent failures in several workers are all
    counted. Failures while already locked are not counted (the lock-out does not grow)."""
    rule = RULES[scope]
    now = timezone.now()
    with transaction.atomic():
        row, created = AuthFailure.objects.select_for_update().get_or_create(
            scope=scope, key=key, defaults={"failures": 0, "window_started_at": now}
        )
        if created:
            AuthFailure.objects.filter(last_failure_at__lt=now - FORGET_AFTER).exclude(
                locked_until__gt=now
            ).delete()
        if row.locked_until is not None and row.locked_until > now:
            return row.locked_until
        if created or row.window_started_at <= now - rule.window or row.locked_until is not None:
            row.failures, row.window_started_at, row.locked_until = 0, now, None
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= rule.limit:
            row.locked_until = now + rule.lockout
            logger.warning(
                "lock-out: %s %r after %d failures in %s, until %s",
                scope,
                key,
                row.failures,
                rule.window,
                row.locked_until.isoformat(),
            )
        row.save()
        return row.locked_until


def record_login_failure(*, username: str, address: str) -> None:
    logger.info("sign-in failed: account %r from %s", account_key(username), address)
    record_failure(scope=ThrottleScope.LOGIN_ACCOUNT, key=account_key(username))
    record_failure(scope=ThrottleScope.LOGIN_ADDRESS, key=address)


def clear_account(*, username: str) -> None:
    """A successful sign-in forgets the account's failures (not the address's: one valid account
    must not let a client reset its count and go on guessing others)."""
    AuthFailure.objects.filter(scope=ThrottleScope.LOGIN_ACCOUNT, key=account_key(username)).delete()


def unlock(*, key: str) -> int:
    """Lift every lock-out of this account or address; returns how many rows were removed."""
    deleted, _ = AuthFailure.objects.filter(key__in={key[:KEY_LENGTH], account_key(key)}).delete()
    if deleted:
        logger.warning("lock-out lifted: %r", key)
    return deleted
