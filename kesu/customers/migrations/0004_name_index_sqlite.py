"""SQLite: an FTS5 trigram table over the customers' ``name`` and ``contact_name``, so the desk's
type-ahead finds a name fragment of 3+ characters without reading every customer (a name nobody
has was a full scan: 1.2 s at 1 000 000 customers, bench/RESULTS.md). Triggers keep it current,
as 0003's phone index. PostgreSQL has its pg_trgm indexes on both columns (0003)."""

from django.db import migrations

TABLE = "customers_customer"
FTS = "customer_name_trigrams"
SQLITE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(name, contact_name,"
    f" content='{TABLE}', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS customer_name_insert AFTER INSERT ON {TABLE} BEGIN"
    f" INSERT INTO {FTS}(rowid, name, contact_name) VALUES (new.id, new.name, new.contact_name); END",
    f"CREATE TRIGGER IF NOT EXISTS customer_name_delete AFTER DELETE ON {TABLE} BEGIN"
    f" INSERT INTO {FTS}({FTS}, rowid, name, contact_name) VALUES ('delete', old.id, old.name, old.contact_name); END",
    f"CREATE TRIGGER IF NOT EXISTS customer_name_update AFTER UPDATE OF name, contact_name ON {TABLE} BEGIN"
    f" INSERT INTO {FTS}({FTS}, rowid, name, contact_name) VALUES ('delete', old.id, old.name, old.contact_name);"
    f" INSERT INTO {FTS}(rowid, name, contact_name) VALUES (new.id, new.name, new.contact_name); END",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]


def create_sqlite_index(schema_editor):
    for statement in SQLITE:
        schema_editor.execute(statement)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        create_sqlite_index(schema_editor)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for trigger in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS customer_name_{trigger}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_phone_digits")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
