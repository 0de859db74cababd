"""SQLite rebuilds a table to add or alter a column (0006 on the read audit), dropping its triggers:
the read audit's append-only trigger is created again, as 0005 made it (an UPDATE only for an
archive being destroyed, ``archive_destructionunlock``). PostgreSQL keeps its triggers."""

from django.db import migrations

SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS archive_readaudit_no_update",
    "CREATE TRIGGER archive_readaudit_no_update BEFORE UPDATE ON archive_readaudit"
    " WHEN NOT EXISTS (SELECT 1 FROM archive_destructionunlock WHERE archive_id = OLD.archive_id)"
    " BEGIN SELECT RAISE(ABORT, 'the archive''s logs are append-only: UPDATE on archive_readaudit refused'); END",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("archive", "0006_access_requests_corrections")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
