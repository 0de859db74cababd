"""Concurrent retries of one POST with the same Idempotency-Key register exactly one complaint."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from kesu.complaints.models import Complaint, IdempotencyKey
from kesu.organization.models import ApiToken
from tests.api.conftest import ApiClient, complaint_body

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def test_concurrent_posts_with_one_key_register_one_complaint(org):
    # given: one token, four clients about to send the same request with the same key at once
    token = ApiToken.issue(staff=org.clerk)[1]
    ApiClient(token).get("/api/v1/reference")  # records last_used_at now, so the racers only register
    threads, barrier, lock = 4, threading.Barrier(4), threading.Lock()
    answers: list[tuple[int, str]] = []
    failures: list[BaseException] = []

    def post() -> None:
        try:
            api = ApiClient(token)
            barrier.wait(timeout=10)
            response = api.post("/api/v1/complaints", complaint_body(), HTTP_IDEMPOTENCY_KEY="retry-me")
            with lock:
                answers.append((response.status_code, response.json().get("number", response.content)))
        except BaseException as exc:  # noqa: BLE001 — asserted below
            with lock:
                failures.append(exc)
        finally:
            connection.close()

    # when
    workers = [threading.Thread(target=post) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)

    # then
    assert not any(w.is_alive() for w in workers), "a request hung"
    assert failures == []
    assert {status for status, _ in answers} == {201}, answers
    assert len({number for _, number in answers}) == 1, answers
    assert Complaint.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
    # the losers' rolled-back registrations gave their numbers back: the next one is the 2nd
    assert Complaint.objects.get().number.endswith("001")
