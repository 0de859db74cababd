"""The timeline is append-only in the database itself (migration 0006_append_only_timeline), not only
in the ORM and the admin: raw SQL cannot rewrite or (on PostgreSQL) remove an entry."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet

from kesu.complaints.models import ComplaintEvent

TABLE = ComplaintEvent._meta.db_table


def raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_raw_update_of_an_entry_is_refused(register):
    event = register().events.order_by("pk").first()

    with pytest.raises(IntegrityError, match="append-only"):
        raw(f"UPDATE {TABLE} SET comment = %s WHERE id = %s", ["rewritten", event.pk])

    event.refresh_from_db()
    assert event.comment != "rewritten"


def test_an_update_that_bypasses_the_orm_guard_is_refused(register):
    # ComplaintEvent's own QuerySet refuses update(); a plain QuerySet does not: the database does
    complaint = register()

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        QuerySet(model=ComplaintEvent).filter(complaint=complaint).update(actor=None)

    assert not ComplaintEvent.objects.filter(complaint=complaint, actor=None).exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite refuses UPDATE only (see the migration)"
)
def test_raw_delete_of_an_entry_is_refused_on_postgresql(register):
    complaint = register()
    count = complaint.events.count()

    with pytest.raises(IntegrityError, match="append-only"):
        raw(f"DELETE FROM {TABLE} WHERE complaint_id = %s", [complaint.pk])

    assert complaint.events.count() == count


def test_new_entries_are_still_appended(register, org):
    from kesu.complaints import services

    complaint = register()
    before = complaint.events.count()

    services.propose_transfer(
        complaint=complaint, by=org.clerk, to_department=org.production, to_position=None, reason="转生产部"
    )

    assert complaint.events.count() == before + 1
