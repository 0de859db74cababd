"""SQLite rebuilds a table to add or alter a column (0004 on the read audit), dropping its triggers:
the read audit's append-only trigger of 0003 is created again. PostgreSQL keeps its triggers."""

from django.db import migrations

SQLITE_FORWARD = (
    "CREATE TRIGGER IF NOT EXISTS archive_readaudit_no_update BEFORE UPDATE ON archive_readaudit"
    " BEGIN SELECT RAISE(ABORT, 'the archive''s logs are append-only: UPDATE on archive_readaudit refused'); END"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("archive", "0004_access_requests_corrections")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
