"""The notification centre: notify once per key, e-mail after commit (once), inbox and read marks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from kesu.notifications import selectors, services
from kesu.notifications.models import Notification

pytestmark = pytest.mark.django_db


def send(org, *recipients, key: str = "k1", title: str = "催办"):
    return services.notify(
        recipients=recipients or [org.clerk], kind=Notification.Kind.INFO, title=title, dedup_key=key
    )


@pytest.fixture
def emails(org):
    for person in (org.clerk, org.director):
        person.user.email = f"{person.user.username}@example.com"
        person.user.save()
    return org


def test_notify_once_per_key_and_recipient(org):
    first = send(org, org.clerk, org.director, org.clerk)
    again = send(org, org.clerk, org.director)
    assert [n.recipient for n in first] == [org.clerk, org.director]
    assert again == []
    assert Notification.objects.count() == 2


def test_the_email_goes_out_after_commit_only(emails, django_capture_on_commit_callbacks):
    # when the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = send(emails, emails.clerk, title="投诉 001 催办")
        assert mail.outbox == []  # not before
    # then one e-mail, and the notification is marked sent
    assert [(m.to, m.subject) for m in mail.outbox] == [(["clerk@example.com"], "[Kesu] 投诉 001 催办")]
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_a_rolled_back_transaction_sends_nothing(emails, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send(emails, emails.clerk)
        raise RuntimeError("the caller failed")
    assert callbacks == []
    assert mail.outbox == [] and Notification.objects.count() == 0


def test_no_address_no_email(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = send(org, org.gm)
    assert mail.outbox == []
    assert selectors.inbox(staff=org.gm).get() == notification  # still in the notification centre


def test_a_failed_email_is_retried_once_by_the_worker(emails, monkeypatch):
    # given the mail server is down when the notification is sent
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(services, "send_mail", refuse)
    (notification,) = send(emails, emails.clerk)
    assert services.send_notification_emails(ids=[notification.pk]) == 0
    notification.refresh_from_db()
    assert notification.emailed_at is None
    # when it is back and the retry task runs twice
    monkeypatch.undo()
    assert services.send_unsent_emails() == 1
    assert services.send_unsent_emails() == 0
    # then exactly one e-mail went out
    assert len(mail.outbox) == 1


def test_the_retry_gives_up_on_old_notifications(emails):
    (notification,) = send(emails, emails.clerk)
    later = timezone.now() + services.RETRY_EMAILS_FOR + timedelta(minutes=1)
    assert services.send_unsent_emails(now=later) == 0
    assert mail.outbox == []


def test_inbox_and_mark_read(org):
    # given two notifications for the clerk and one for the director
    older = send(org, org.clerk, key="a")[0]
    newer = send(org, org.clerk, key="b")[0]
    theirs = send(org, org.director, key="a")[0]
    # then the inbox is the clerk's own, newest first
    assert list(selectors.inbox(staff=org.clerk)) == [newer, older]
    assert selectors.unread_count(staff=org.clerk) == 2
    # when the clerk reads one, and tries to mark the director's read
    assert services.mark_read(staff=org.clerk, ids=[older.pk, theirs.pk]) == 1
    # then
    assert list(selectors.inbox(staff=org.clerk, unread_only=True)) == [newer]
    assert selectors.unread_count(staff=org.director) == 1
    # and "mark all read" leaves nothing unread; a second time changes nothing
    assert services.mark_read(staff=org.clerk) == 1
    assert services.mark_read(staff=org.clerk) == 0
    assert selectors.unread_count(staff=org.clerk) == 0


def test_the_inbox_is_one_query(org, django_assert_num_queries):
    for key in "abcde":
        send(org, org.clerk, key=key)
    with django_assert_num_queries(1):
        assert len([n.complaint for n in selectors.inbox(staff=org.clerk)]) == 5
