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

Index only what needs indexing: measured (bench/RESULTS.md), the bigram and trigram indexes both
cost time linear in the length now, a few tens of milliseconds at the 10 000-character maximum;
an index on a prefix or on CJK pairs only would lose matches that ``LIKE`` finds (results must stay
exact), so both indexes keep covering the whole description.

The index is rebuilt (REINDEX) with the new function in both directions.
"""

from django.db import migrations

INDEX = "complaint_description_bigrams"

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


def use_linear_function(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(SPLIT_FUNCTION)
    schema_editor.execute(LINEAR_FUNCTION)
    schema_editor.execute(f"REINDEX INDEX {INDEX}")


def use_quadratic_function(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(QUADRATIC_FUNCTION)
    schema_editor.execute("DROP FUNCTION IF EXISTS kesu_bigrams_split(text)")
    schema_editor.execute(f"REINDEX INDEX {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0003_bigram_search"),
    ]

    operations = [
        migrations.RunPython(use_linear_function, use_quadratic_function, elidable=False),
    ]
