"""Sending notifications: a row per recipient in the caller's transaction, e-mail after commit.

A recipient's e-mail address is their Django user's ``email``; without one the notification is
only in the notification centre. E-mail is sent at most once per notification: each one is claimed
(``emailed_at`` set by a conditional UPDATE) before it is handed to the e-mail backend, and
released again if the backend fails, so the worker's retry task and the after-commit send never
both mail the same row.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kesu.complaints import registry
from kesu.complaints.models import Complaint
from kesu.notifications.models import Notification
from kesu.organization.models import Staff

log = logging.getLogger(__name__)

# The retry task gives up on e-mails older than this: a reminder about a deadline long gone is
# noise. The notification stays in the notification centre.
RETRY_EMAILS_FOR = timedelta(days=2)


def notify(
    *,
    recipients: Iterable[Staff],
    kind: str,
    title: str,
    body: str = "",
    complaint: Complaint | None = None,
    dedup_key: str,
    at: datetime | None = None,
) -> list[Notification]:
    """Notify each recipient once per ``dedup_key``. Returns the notifications actually created
    (an already-sent one is skipped silently — that is the point of the key). E-mails go out after
    the caller's transaction commits; a rolled-back transaction sends nothing."""
    created = []
    for recipient in {r.pk: r for r in recipients}.values():
        try:
            with transaction.atomic():  # a savepoint: a duplicate must not break the caller's transaction
                notification = Notification.objects.create(
                    recipient=recipient,
                    kind=kind,
                    title=title[: Notification._meta.get_field("title").max_length],
                    body=body,
                    complaint=complaint,
                    dedup_key=dedup_key,
                    created_at=at or timezone.now(),
                )
        except IntegrityError:
            continue
        created.append(notification)
    ids = [n.pk for n in created if n.recipient.user.email]
    if ids:
        transaction.on_commit(lambda: send_notification_emails(ids=ids))
    return created


@dataclass(frozen=True)
class Message:
    """One recipient's notification text (each may read differently: "as deputy for …")."""

    recipient: Staff
    title: str
    body: str = ""


def notify_each(
    *,
    messages: Iterable[Message],
    kind: str,
    complaint: Complaint | None,
    dedup_key: str,
    at: datetime | None = None,
) -> None:
    """Like :func:`notify`, but in two queries whatever the number of recipients (one insert that
    skips the rows already there, one read of the ids to e-mail), for the hand-overs that run on
    every action. Each recipient gets one notification per ``dedup_key``; e-mail after commit."""
    by_recipient = {m.recipient.pk: m for m in messages}
    if not by_recipient:
        return
    title_max = Notification._meta.get_field("title").max_length
    created_at = at or timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=kind,
                title=m.title[:title_max],
                body=m.body,
                complaint=complaint,
                dedup_key=dedup_key,
                created_at=created_at,
            )
            for pk, m in by_recipient.items()
        ],
        ignore_conflicts=True,  # already told for this key: not again
    )
    with_address = [pk for pk, m in by_recipient.items() if m.recipient.user.email]
    if not with_address:
        return
    ids = list(
        Notification.objects.filter(
            dedup_key=dedup_key, recipient_id__in=with_address, emailed_at__isnull=True
        ).values_list("pk", flat=True)
    )
    if ids:
        transaction.on_commit(lambda: send_notification_emails(ids=ids))


def _subject(notification: Notification) -> str:
    """The complaint's number leads the subject unless the title has it (a complaint registered
    as major is told about before its number is drawn, so that title cannot hold it)."""
    complaint = notification.complaint
    if complaint is None or complaint.number in notification.title:
        return f"[Kesu] {notification.title}"
    return f"[Kesu] {complaint.number}: {notification.title}"


def _classified_mail(notification: Notification, level: str) -> tuple[str, str]:
    """The e-mail of a notification about a classified customer's complaint (registered by the
    archive, ``registry.register_classification``): its number and level only."""
    assert notification.complaint is not None
    with translation.override(settings.LANGUAGE_CODE):
        subject = "[Kesu] " + _("%(number)s: a classified matter") % {"number": notification.complaint.number}
        body = _(
            "There is news on complaint %(number)s, of a classified customer (%(level)s). "
            "Sign in to Kesu to read it."
        ) % {"number": notification.complaint.number, "level": level}
    return subject, body


def send_notification_emails(*, ids: Iterable[int]) -> int:
    """E-mail the given notifications that are not e-mailed yet to recipients who have an address.
    Returns how many were sent; a failure leaves the notification for the retry task."""
    sent = 0
    pending = (
        Notification.objects.filter(pk__in=list(ids), emailed_at__isnull=True)
        .exclude(recipient__user__email="")
        .select_related("recipient__user", "complaint")
        .order_by("pk")
    )
    levels: dict[int, str] = {}  # complaint pk → its confidentiality label, read once per batch
    for notification in pending:
        claimed_at = timezone.now()
        # The claim: whoever changes the row sends the e-mail; a concurrent sender changes nothing.
        if not Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=claimed_at
        ):
            continue
        subject, body = _subject(notification), notification.body or notification.title
        complaint = notification.complaint
        if complaint is not None and complaint.pk not in levels:
            levels[complaint.pk] = registry.classification_of(complaint)
        level = levels[complaint.pk] if complaint is not None else ""
        if level:  # a classified customer's matter: nothing of it leaves by e-mail
            subject, body = _classified_mail(notification, level)
        try:
            send_mail(
                subject,
                body,
                settings.DEFAULT_FROM_EMAIL,
                [notification.recipient.user.email],
            )
        except OSError:  # smtplib.SMTPException and socket errors are OSErrors
            log.warning(
                "could not e-mail notification %s; it is retried later", notification.pk, exc_info=True
            )
            Notification.objects.filter(pk=notification.pk, emailed_at=claimed_at).update(emailed_at=None)
            continue
        sent += 1
    return sent


def send_unsent_emails(*, now: datetime | None = None) -> int:
    """The retry: e-mail recent notifications whose e-mail has not gone out (the mail server was
    down, or the process stopped between commit and send)."""
    now = now or timezone.now()
    ids = (
        Notification.objects.filter(emailed_at__isnull=True, created_at__gte=now - RETRY_EMAILS_FOR)
        .exclude(recipient__user__email="")
        .values_list("pk", flat=True)
    )
    return send_notification_emails(ids=list(ids[:1000]))


def mark_read(*, staff: Staff, ids: Iterable[int] | None = None) -> int:
    """Mark the staff member's notifications read: the given ones, or all. Someone else's
    notifications are never touched. Returns how many changed."""
    unread = Notification.objects.filter(recipient=staff, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
