"""The confidential-read audit, the archive's change history and the contact log are append-only
in the database, as the complaint timeline is (complaints/0006, same reasons for what is and is
not refused): PostgreSQL refuses every UPDATE and DELETE of a row; SQLite every UPDATE."""

from django.db import migrations

TABLES = ["archive_readaudit", "archive_archivechange", "archive_contactlogentry"]

POSTGRESQL_FORWARD = [
    """
CREATE OR REPLACE FUNCTION kesu_archive_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the archive''s logs are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END
$$
""",
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}"
        " FOR EACH ROW EXECUTE FUNCTION kesu_archive_append_only()"
        for table in TABLES
    ),
]
POSTGRESQL_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in TABLES),
    "DROP FUNCTION IF EXISTS kesu_archive_append_only()",
]
SQLITE_FORWARD = [
    f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}"
    f" BEGIN SELECT RAISE(ABORT, 'the archive''s logs are append-only: UPDATE on {table} refused'); END"
    for table in TABLES
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {table}_no_update" for table in TABLES]


def _run(schema_editor, statements_by_vendor):
    for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


def forward(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD})


def backward(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [("archive", "0002_confidentiality")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
