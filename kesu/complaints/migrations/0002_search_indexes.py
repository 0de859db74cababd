"""Indexes for the list's search at a million complaints (see bench/RESULTS.md).

- complainant_name: search matches the complainant exactly (both databases).
- PostgreSQL only: a pg_trgm GIN index on the description, so ``description LIKE '%词语%'`` for
  three characters or more is answered from the index instead of a scan of every complaint.
  Trigrams cannot help one- or two-character words; for those the list's order (newest first,
  50 rows) lets the scan stop early for common words. SQLite keeps its plain LIKE scan.
"""

from django.db import migrations, models

TRGM_INDEX = "complaint_description_trgm"


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            print("\n  pg_trgm is not available: the description search runs without an index.")
            return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRGM_INDEX} ON complaints_complaint USING gin (description gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["complainant_name"], name="complaint_complainant_idx"),
        ),
        migrations.RunPython(create_trigram_index, drop_trigram_index, elidable=False),
    ]
