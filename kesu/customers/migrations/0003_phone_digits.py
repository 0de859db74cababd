"""The phone's digits (``Customer.phone_digits``) and the indexes that find a caller by any fragment
of them as the desk types (issue 11), plus the name's.

- PostgreSQL: pg_trgm GIN indexes on ``phone_digits`` and ``name``: ``LIKE '%fragment%'`` of three
  characters or more is answered from the index (the type-ahead asks for 3+ digits).
- SQLite: ``customer_phone_trigrams``, an FTS5 table with the ``trigram`` tokenizer over
  ``phone_digits`` (external content: the index only), kept current by triggers in plain SQL on
  insert, delete and update of ``phone_digits``; a phrase ``MATCH '"2345"'`` finds every number
  holding the fragment. Needs SQLite ≥ 3.34 (as complaints/0008). A later migration that makes
  Django rebuild ``customers_customer`` on SQLite drops the triggers with the old table: it must
  call ``create_sqlite_index`` again (and rebuild).
"""

from django.db import migrations, models

TABLE = "customers_customer"
FTS = "customer_phone_trigrams"
PG_INDEXES = {
    "customer_phone_digits_trgm": "phone_digits",
    "customer_name_trgm": "name",
    "customer_contact_name_trgm": "contact_name",
}
SQLITE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(phone_digits,"
    f" content='{TABLE}', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS customer_phone_insert AFTER INSERT ON {TABLE} BEGIN"
    f" INSERT INTO {FTS}(rowid, phone_digits) VALUES (new.id, new.phone_digits); END",
    f"CREATE TRIGGER IF NOT EXISTS customer_phone_delete AFTER DELETE ON {TABLE} BEGIN"
    f" INSERT INTO {FTS}({FTS}, rowid, phone_digits) VALUES ('delete', old.id, old.phone_digits); END",
    f"CREATE TRIGGER IF NOT EXISTS customer_phone_update AFTER UPDATE OF phone_digits ON {TABLE} BEGIN"
    f" INSERT INTO {FTS}({FTS}, rowid, phone_digits) VALUES ('delete', old.id, old.phone_digits);"
    f" INSERT INTO {FTS}(rowid, phone_digits) VALUES (new.id, new.phone_digits); END",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]


def fill_digits(apps, schema_editor):
    from kesu.customers.models import phone_digits

    Customer = apps.get_model("customers", "Customer")
    for customer in Customer.objects.exclude(phone="").only("pk", "phone").iterator():
        Customer.objects.filter(pk=customer.pk).update(phone_digits=phone_digits(customer.phone))


def create_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        create_sqlite_index(schema_editor)
        return
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            print("\n  pg_trgm is not available: the customer type-ahead runs without an index.")
            return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in PG_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} USING gin ({column} gin_trgm_ops)")


def create_sqlite_index(schema_editor):
    for statement in SQLITE:
        schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in PG_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    elif schema_editor.connection.vendor == "sqlite":
        for trigger in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS customer_phone_{trigger}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_customer_is_overseas")]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="phone_digits",
            field=models.CharField(blank=True, editable=False, max_length=40, verbose_name="phone digits"),
        ),
        migrations.RunPython(fill_digits, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
