"""Destruction (issue 11 §5) must scrub personal data out of the append-only logs (migration 0003):
their triggers now let an UPDATE through for an archive named in ``archive_destructionunlock``, a
table that holds a row only inside a destruction's transaction (kesu.archive.retention._scrub).
Other transactions never see that row, so the logs stay append-only for everybody else. The
ownership history (``archive_ownershipevent``) becomes append-only the same way."""

from django.db import migrations

OLD_TABLES = ["archive_readaudit", "archive_archivechange", "archive_contactlogentry"]
NEW_TABLES = ["archive_ownershipevent"]

POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION kesu_archive_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND EXISTS (
        SELECT 1 FROM archive_destructionunlock WHERE archive_id = OLD.archive_id
    ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the archive''s logs are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END
$$
"""
POSTGRESQL_OLD_FUNCTION = """
CREATE OR REPLACE FUNCTION kesu_archive_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the archive''s logs are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END
$$
"""
POSTGRESQL_FORWARD = [
    POSTGRESQL_FUNCTION,
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}"
        " FOR EACH ROW EXECUTE FUNCTION kesu_archive_append_only()"
        for table in NEW_TABLES
    ),
]
POSTGRESQL_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in NEW_TABLES),
    POSTGRESQL_OLD_FUNCTION,
]


def _sqlite_trigger(table: str, unlockable: bool) -> str:
    when = (
        " WHEN NOT EXISTS (SELECT 1 FROM archive_destructionunlock WHERE archive_id = OLD.archive_id)"
        if unlockable
        else ""
    )
    return (
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}{when}"
        f" BEGIN SELECT RAISE(ABORT, 'the archive''s logs are append-only: UPDATE on {table} refused'); END"
    )


SQLITE_FORWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_no_update" for table in OLD_TABLES),
    *(_sqlite_trigger(table, True) for table in OLD_TABLES + NEW_TABLES),
]
SQLITE_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_no_update" for table in OLD_TABLES + NEW_TABLES),
    *(_sqlite_trigger(table, False) for table in OLD_TABLES),
]


def _run(schema_editor, statements_by_vendor):
    for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


def forward(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD})


def backward(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [("archive", "0004_ownership_retention")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
