"""/api/v1/notifications: my notifications (history kept, filter, paging), mark one / all read."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kesu.complaints.models import Status
from kesu.notifications.models import Notification
from kesu.notifications.services import notify
from tests.conftest import advance

pytestmark = pytest.mark.django_db

BASE = "/api/v1/notifications"


def note(person, key: str, kind=Notification.Kind.INFO, complaint=None) -> Notification:
    (created,) = notify(
        recipients=[person], kind=kind, title=f"通知 {key}", dedup_key=key, complaint=complaint
    )
    return created


def test_my_notifications_newest_first_with_the_complaint(
    org, register, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the worker's hand-over, after commit
        complaint = advance(register(), org, Status.TRANSFER_PROPOSED)  # the GM is told
    note(org.gm, "later")
    note(org.clerk, "not-mine")

    body = client_for(org.gm).get(BASE).json()

    assert [i["title"] for i in body["items"]][0] == "通知 later"
    handover = body["items"][1]
    assert handover["kind"] == "handover" and handover["complaint"] == complaint.number
    assert body["count"] == 2 and body["unread"] == 2 and body["next_offset"] is None
    assert all("not-mine" not in i["title"] for i in body["items"])


def test_filter_unread_and_kind_and_page(org, client_for):
    first = note(org.clerk, "a")
    note(org.clerk, "b", kind=Notification.Kind.REMINDER)
    note(org.clerk, "c")
    first.read_at = first.created_at
    first.save()
    api = client_for(org.clerk)

    assert [i["title"] for i in api.get(BASE, {"unread_only": "true"}).json()["items"]] == [
        "通知 c",
        "通知 b",
    ]
    assert [i["title"] for i in api.get(BASE, {"kind": "reminder"}).json()["items"]] == ["通知 b"]
    everything = api.get(BASE, {"limit": 2}).json()
    assert len(everything["items"]) == 2 and everything["next_offset"] == 2 and everything["count"] == 3
    rest = api.get(BASE, {"limit": 2, "offset": 2}).json()
    assert [i["title"] for i in rest["items"]] == ["通知 a"] and rest["items"][0]["is_read"]


def test_bad_filters_are_422_by_field(org, client_for):
    response = client_for(org.clerk).get(BASE, {"kind": "gossip", "limit": 0})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"kind", "limit"}


def test_mark_one_read_only_mine(org, client_for):
    mine, theirs = note(org.clerk, "mine"), note(org.director, "theirs")
    api = client_for(org.clerk)

    answer = api.post(f"{BASE}/{mine.pk}/read")
    assert answer.status_code == 200 and answer.json()["is_read"] and answer.json()["id"] == mine.pk

    assert api.post(f"{BASE}/{theirs.pk}/read").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_keeps_them_as_history(org, client_for):
    for key in ("x", "y"):
        note(org.clerk, key)
    note(org.director, "z")
    api = client_for(org.clerk)

    assert api.post(f"{BASE}/read").json() == {"marked": 2}
    assert api.post(f"{BASE}/read").json() == {"marked": 0}
    body = api.get(BASE).json()
    assert body["unread"] == 0 and body["count"] == 2  # still listed
    assert Notification.objects.get(recipient=org.director).read_at is None


def test_anonymous_is_401_and_wrong_method_405(org, client_for):
    assert client_for(None).get(BASE).status_code == 401
    assert client_for(None).post(f"{BASE}/read").status_code == 401
    assert client_for(org.clerk).get(f"{BASE}/read").status_code == 405


def test_the_list_runs_a_constant_number_of_queries(org, register, client_for):
    api = client_for(org.clerk)
    complaint = register()
    api.get(BASE)  # the token's first use records last_used_at

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(BASE).status_code == 200
        return len(captured)

    few = queries()
    for i in range(15):
        note(org.clerk, f"n{i}", complaint=complaint)
    assert queries() == few
