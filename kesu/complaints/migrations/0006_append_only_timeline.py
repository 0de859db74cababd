"""The timeline (complaints_complaintevent) is append-only in the database, not only in the ORM.

PostgreSQL: a row trigger refuses every UPDATE and DELETE (SQLSTATE 23000, an IntegrityError).
TRUNCATE fires no row trigger: it empties the whole table (the test suite's flush between
transactional tests does this), needs the table owner's privilege, and is deliberately not refused.

SQLite: a trigger refuses every UPDATE. DELETE is not refused there: Django's flush (between
transactional tests, and `kesu flush`) empties the tables with DELETE in no fixed order, and SQLite
has no session setting a trigger could read to tell a flush from a deletion of one entry. The ORM
cannot delete an entry of an existing complaint anyway (on_delete=PROTECT) and the admin offers no
delete; production runs on PostgreSQL.
"""

from django.db import migrations

POSTGRESQL_FORWARD = [
    """
CREATE OR REPLACE FUNCTION kesu_timeline_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the complaint timeline is append-only: % on complaints_complaintevent refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$
""",
    """
CREATE TRIGGER complaintevent_append_only
    BEFORE UPDATE OR DELETE ON complaints_complaintevent
    FOR EACH ROW EXECUTE FUNCTION kesu_timeline_append_only()
""",
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS complaintevent_append_only ON complaints_complaintevent",
    "DROP FUNCTION IF EXISTS kesu_timeline_append_only()",
]
SQLITE_FORWARD = [
    """
CREATE TRIGGER complaintevent_no_update BEFORE UPDATE ON complaints_complaintevent
BEGIN
    SELECT RAISE(ABORT, 'the complaint timeline is append-only: UPDATE on complaints_complaintevent refused');
END
"""
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS complaintevent_no_update"]


def _run(schema_editor, statements_by_vendor):
    # params=None: the statements contain "%" and are not parameterised.
    for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


def forward(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD})


def backward(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [("complaints", "0005_text_limits")]

    operations = [migrations.RunPython(forward, backward)]
