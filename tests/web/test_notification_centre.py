"""The notification centre page (通知中心): my notifications with read ones kept, a filter,
mark one / all read, each linking to its complaint; linked from the top navigation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kesu.notifications.models import Notification
from kesu.notifications.services import notify

pytestmark = pytest.mark.django_db

CENTRE = "/notifications/"


def note(person, key: str, kind=Notification.Kind.INFO, complaint=None) -> Notification:
    (created,) = notify(
        recipients=[person], kind=kind, title=f"通知{key}", dedup_key=key, complaint=complaint
    )
    return created


def test_the_top_navigation_links_the_centre_with_the_unread_count(org, as_user):
    note(org.clerk, "1")
    page = as_user(org.clerk).get(reverse("workbench")).content.decode()
    assert f'href="{CENTRE}"' in page and 'class="badge unread-count">1<' in page


def test_the_centre_keeps_read_ones_and_links_each_complaint(org, register, as_user):
    complaint = register()
    read = note(org.clerk, "旧", complaint=complaint)
    read.read_at = read.created_at
    read.save()
    note(org.clerk, "新", kind=Notification.Kind.REMINDER)
    note(org.director, "别人的")

    page = as_user(org.clerk).get(CENTRE).content.decode()

    assert "通知旧" in page and "通知新" in page and "通知别人的" not in page
    assert f'href="{reverse("complaint-detail", args=[complaint.number])}"' in page
    unread_only = as_user(org.clerk).get(CENTRE, {"show": "unread"}).content.decode()
    assert "通知新" in unread_only and "通知旧" not in unread_only
    reminders = as_user(org.clerk).get(CENTRE, {"kind": "reminder"}).content.decode()
    assert "通知新" in reminders and "通知旧" not in reminders


def test_a_bad_filter_is_a_400_with_the_field_error_not_a_500(org, as_user):
    response = as_user(org.clerk).get(CENTRE, {"kind": "gossip"})
    assert response.status_code == 400 and response.context["form"].errors["kind"]


def test_mark_one_read_and_back_to_the_filtered_centre(org, as_user):
    mine, theirs = note(org.clerk, "a"), note(org.director, "b")
    client = as_user(org.clerk)

    response = client.post(reverse("notification-read", args=[mine.pk]), {"next": f"{CENTRE}?show=unread"})
    assert response.status_code == 302 and response["Location"] == f"{CENTRE}?show=unread"
    client.post(reverse("notification-read", args=[theirs.pk]))
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_mark_all_read_and_a_foreign_next_is_not_followed(org, as_user):
    note(org.clerk, "a")
    note(org.clerk, "b")
    response = as_user(org.clerk).post(reverse("notification-read-all"), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == CENTRE
    assert not Notification.objects.filter(recipient=org.clerk, read_at__isnull=True).exists()


def test_reads_need_post_and_a_staff_record(org, as_user, django_user_model, client):
    assert as_user(org.clerk).get(reverse("notification-read-all")).status_code == 405
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    assert client.get(CENTRE).status_code == 403
    assert client.post(reverse("notification-read-all")).status_code == 403


def test_the_centre_pages_through_history(org, as_user):
    for i in range(35):
        note(org.clerk, f"-{i:02d}")
    first = as_user(org.clerk).get(CENTRE).content.decode()
    second = as_user(org.clerk).get(CENTRE, {"page": 2}).content.decode()
    assert "通知-34" in first and "通知-00" not in first
    assert "通知-00" in second and "通知-34" not in second
