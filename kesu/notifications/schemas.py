"""Input and output schemas of the notification endpoints (/api/v1/notifications)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from kesu.complaints.schemas import MAX_INT
from kesu.notifications.models import Notification

Kind = Notification.Kind


class NotificationListParams(Schema):
    unread_only: bool = Field(False, description="Only the notifications not read yet.")
    kind: Kind | None = Field(None, description="Only this kind.")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_INT)


class NotificationOut(Schema):
    id: int
    kind: Kind
    kind_label: str
    title: str
    body: str
    complaint: str | None = Field(description="The complaint's number, if the notification is about one.")
    created_at: datetime
    read_at: datetime | None
    is_read: bool


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    unread: int = Field(description="How many of the caller's notifications are unread (all kinds).")
    count: int = Field(description="Matching notifications, counted up to 10 000.")
    count_capped: bool = Field(description="True when more than 10 000 match (count is then 10 000).")
    next_offset: int | None = Field(description="Offset of the next page; null on the last page.")


class MarkedOut(Schema):
    marked: int = Field(description="How many notifications changed from unread to read.")
