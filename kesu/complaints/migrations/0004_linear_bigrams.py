"""``kesu_bigrams`` in time linear in the text's length (PostgreSQL only; see bench/RESULTS.md).

0003's function took ``substr($1, i, 2)`` for every position i. On UTF-8 text each ``substr`` walks
the text from its start (and a long, TOASTed description is decompressed again for each call), so
the cost grew with the square of the length: 20 000 characters took seconds, 80 000 half a minute,
on every INSERT and on every UPDATE that rewrote the description's index entry.

The new function makes the pairs with two regular-expression passes done in C, never a loop in
SQL: ``regexp_replace(t, '(..)', '\\1<sep>', 'g')`` cuts the text into the pairs at odd positions
(抽屉滑轨 → 抽屉, 滑轨), the same on ``substr(t, 2)`` gives the pairs at even positions (屉滑), and
``string_to_array`` splits on the separator. The separator is U+0001; a text that contains it (no
form lets one in, but the database does not know that) takes the plain path: split into characters
once, pair each character with the next (``unnest`` of two slices, also linear, ~3x slower).
The keys are exactly 0003's (the same multiset, in another order; GIN keeps each key once), so
search results do not change. Not STRICT, so PostgreSQL inlines the body into the index
expression and the query (a NULL still gives NULL).

Index only what needs indexing: a registration writes its complaint with a provisional number
("~…", never committed) and draws the real number last (complaints.services.number_complaint);
that UPDATE of the number cannot be a HOT update (the number is indexed), so every index gets an
entry for the new row version. Both description indexes (this bigram index and 0002's trigram
index) are therefore partial, ``WHERE left(number, 1) <> '~'``: the description is indexed once,
when the number is written, not twice (measured at 10 000 characters: the two functions take
~15 and ~10 ms). ``ComplaintQuerySet.search`` adds the same condition so that the planner may use
them. An index on a prefix of the description or on CJK pairs only would lose matches that
``LIKE`` finds (results must stay exact), so both keep covering the whole description.

Both indexes are rebuilt in both directions (the way back restores 0002's and 0003's).
"""

from django.db import migrations

INDEX = "complaint_description_bigrams"
TRGM_INDEX = "complaint_description_trgm"
NUMBERED = "left(number, 1) <> '~'"  # as kesu.complaints.models._Numbered writes it

SPLIT_FUNCTION = """
CREATE OR REPLACE FUNCTION kesu_bigrams_split(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
SELECT ARRAY(SELECT a || b FROM unnest(chars[1:cardinality(chars) - 1], chars[2:]) AS pair(a, b))
FROM (SELECT string_to_array($1, NULL) AS chars) AS split
$$
"""

# COST 10: see 0003 (only used when the body is not inlined).
LINEAR_FUNCTION = r"""
CREATE OR REPLACE FUNCTION kesu_bigrams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE COST 10
AS $$
SELECT CASE WHEN strpos($1, E'\x01') > 0 THEN kesu_bigrams_split($1) ELSE
    (string_to_array(regexp_replace(left($1, length($1) / 2 * 2), '(..)', E'\\1\x01', 'g'), E'\x01'))
        [1:length($1) / 2]
    || (string_to_array(regexp_replace(substr($1, 2, (length($1) - 1) / 2 * 2), '(..)', E'\\1\x01', 'g'), E'\x01'))
        [1:(length($1) - 1) / 2]
END
$$
"""

# 0003's function, for the way back.
QUADRATIC_FUNCTION = """
CREATE OR REPLACE FUNCTION kesu_bigrams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 10
AS $$ SELECT ARRAY(SELECT substr($1, i, 2) FROM generate_series(1, length($1) - 1) AS i) $$
"""


def _has_trigram_index(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_class WHERE relname = %s", [TRGM_INDEX])
        return cursor.fetchone() is not None


def use_linear_function(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(SPLIT_FUNCTION)
    schema_editor.execute(LINEAR_FUNCTION)
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(
        f"CREATE INDEX {INDEX} ON complaints_complaint USING gin (kesu_bigrams(description)) WHERE {NUMBERED}"
    )
    if _has_trigram_index(schema_editor):  # 0002 skips it where pg_trgm is not available
        schema_editor.execute(f"DROP INDEX {TRGM_INDEX}")
        schema_editor.execute(
            f"CREATE INDEX {TRGM_INDEX} ON complaints_complaint USING gin (description gin_trgm_ops) WHERE {NUMBERED}"
        )


def use_quadratic_function(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(QUADRATIC_FUNCTION)
    schema_editor.execute("DROP FUNCTION IF EXISTS kesu_bigrams_split(text)")
    schema_editor.execute(f"CREATE INDEX {INDEX} ON complaints_complaint USING gin (kesu_bigrams(description))")
    if _has_trigram_index(schema_editor):
        schema_editor.execute(f"DROP INDEX {TRGM_INDEX}")
        schema_editor.execute(
            f"CREATE INDEX {TRGM_INDEX} ON complaints_complaint USING gin (description gin_trgm_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0003_bigram_search"),
    ]

    operations = [
        migrations.RunPython(use_linear_function, use_quadratic_function, elidable=False),
    ]
