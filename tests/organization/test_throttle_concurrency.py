"""Failures counted by concurrent requests (several gunicorn workers) are all counted: the counter
row is locked, on PostgreSQL with SELECT … FOR UPDATE, on SQLite by BEGIN IMMEDIATE."""

from __future__ import annotations

import pytest

from kesu.organization import throttle
from kesu.organization.models import AuthFailure, ThrottleScope
from tests.complaints.test_concurrency import run_in_threads

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def test_concurrent_failures_are_all_counted_and_lock_once():
    threads, per_thread = 4, 3  # 12 failures, below the address limit of 20

    def work(i: int) -> None:
        for _ in range(per_thread):
            throttle.record_failure(scope=ThrottleScope.LOGIN_ADDRESS, key="10.7.7.7")

    _results, errors = run_in_threads(threads, work)

    assert errors == []
    row = AuthFailure.objects.get(scope=ThrottleScope.LOGIN_ADDRESS, key="10.7.7.7")
    assert row.failures == threads * per_thread
    assert row.locked_until is None

    _results, errors = run_in_threads(threads, work)  # 12 more: past the limit, locked

    assert errors == []
    row.refresh_from_db()
    assert row.failures == throttle.RULES[ThrottleScope.LOGIN_ADDRESS].limit
    assert row.locked_until is not None
