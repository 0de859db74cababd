"""A bigram index for searching 2-character Chinese words on PostgreSQL.

Chinese complaint words are mostly two characters (开裂, 卡顿); pg_trgm (0002) cannot index patterns
shorter than three characters, so ``description LIKE '%开裂%'`` read every complaint. Here:

- ``kesu_bigrams(text) RETURNS text[]``: the text's overlapping two-character substrings
  ('抽屉滑轨' → {抽屉, 屉滑, 滑轨}), IMMUTABLE so it can be indexed;
- a GIN index on ``kesu_bigrams(description)``.

If a text contains ``q`` then it contains every bigram of ``q``, so ``kesu_bigrams(description) @>
kesu_bigrams(q)`` is true for every match (plus some rows that only hold the bigrams apart); the
search (``ComplaintQuerySet.search``) keeps ``description LIKE '%q%'`` beside it for exact results.
It uses the index for 2-character queries; longer ones stay with the trigram index, which is more
selective for numbers (digit pairs are in most descriptions).
A plain array, not a tsvector: the text-search parser drops punctuation-only queries and swallows
bigrams inside anything it takes for an XML tag (``x<ab>y``), which would lose matches.

PostgreSQL only (SQLite keeps its plain LIKE); no model state changes (not in ``Meta.indexes``).
"""

from django.db import migrations

INDEX = "complaint_description_bigrams"

# COST 10 (default for SQL functions: 100): a common word's page walks the newest-first index and
# computes the bigrams of the ~50 matching rows; at cost 100 the planner thought that walk dear
# and chose a parallel one, 2x slower here (~20 ms instead of ~9 ms at 100 000 complaints).
CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION kesu_bigrams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 10
AS $$ SELECT ARRAY(SELECT substr($1, i, 2) FROM generate_series(1, length($1) - 1) AS i) $$
"""


def create_bigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION)
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON complaints_complaint USING gin (kesu_bigrams(description))"
    )


def drop_bigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute("DROP FUNCTION IF EXISTS kesu_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0002_search_indexes"),
    ]

    operations = [
        migrations.RunPython(create_bigram_index, drop_bigram_index, elidable=False),
    ]
