"""Full-text indexes for the list's search on SQLite (FTS5), kept up to date by triggers.

PostgreSQL has its trigram (0002) and bigram (0003) indexes; SQLite's ``LIKE '%词语%'`` read every
complaint (0.16–2.4 s at a million). Here, SQLite only:

- ``complaint_search_trigrams``: FTS5, ``trigram`` tokenizer, over ``complaints_complaint.description``
  (external content: the index only, not a second copy of the text). A text holding ``q`` (3+
  characters) holds every trigram of ``q``: ``MATCH '"abc" AND "bcd" …'`` finds every match.
- ``complaint_search_bigrams``: FTS5 over each description's two-character pieces (most Chinese
  words are two characters, which trigrams cannot find). Each piece is written as the hex of its
  UTF-8 bytes, ASCII-lowercased first (``hex(substr(lower(description), n, 2))``), so every piece —
  punctuation, spaces, emoji included — is one plain token. The pieces come from
  ``complaint_search_pairs``, a view that joins each description with ``complaint_search_positions``
  (the numbers 1..MAX_LENGTH): plain SQL, no application function, so a write from the ``sqlite3``
  shell keeps the index right too.

Both are ``detail=none`` (which rows hold a token, no positions: a fraction of the size) and
case-insensitive for ASCII like SQLite's LIKE; they only narrow the search, the LIKE beside them keeps
the results exact (``ComplaintQuerySet.search``). Triggers on complaints_complaint keep them current
on insert, delete and any update of ``description``. A description longer than MAX_LENGTH
characters is refused by the triggers (the form and the API allow 10 000): its tail could not be
indexed. Needs SQLite ≥ 3.34 with FTS5 (trigram tokenizer); the migration refuses older ones.
"""

from django.db import OperationalError, migrations, models

MAX_LENGTH = 100_000

TABLE = "complaints_complaint"
PAIRS = (
    "(SELECT group_concat(hex(substr(lower({d}), p.n, 2)), ' ') FROM complaint_search_positions p"
    " WHERE p.n < length({d}))"
)
TOO_LONG = (
    f"SELECT RAISE(ABORT, 'description longer than {MAX_LENGTH} characters')"
    f" WHERE length(new.description) > {MAX_LENGTH};"
)
INSERT_NEW = (
    "INSERT INTO complaint_search_trigrams(rowid, description) VALUES (new.id, new.description);"
    " INSERT INTO complaint_search_bigrams(rowid, pairs)"
    f" VALUES (new.id, {PAIRS.format(d='new.description')});"
)
DELETE_OLD = (
    "INSERT INTO complaint_search_trigrams(complaint_search_trigrams, rowid, description)"
    " VALUES ('delete', old.id, old.description);"
    " INSERT INTO complaint_search_bigrams(complaint_search_bigrams, rowid, pairs)"
    f" VALUES ('delete', old.id, {PAIRS.format(d='old.description')});"
)

CREATE = [
    "CREATE TABLE complaint_search_positions (n INTEGER PRIMARY KEY)",
    "INSERT INTO complaint_search_positions (n) WITH RECURSIVE r(n) AS"
    f" (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < {MAX_LENGTH}) SELECT n FROM r",
    f"CREATE VIEW complaint_search_pairs AS SELECT c.id AS id, {PAIRS.format(d='c.description')} AS pairs"
    f" FROM {TABLE} c",
    "CREATE VIRTUAL TABLE complaint_search_trigrams USING fts5(description,"
    f" content='{TABLE}', content_rowid='id', tokenize='trigram', detail='none')",
    "CREATE VIRTUAL TABLE complaint_search_bigrams USING fts5(pairs,"
    " content='complaint_search_pairs', content_rowid='id', detail='none')",
    f"CREATE TRIGGER complaint_search_insert AFTER INSERT ON {TABLE} BEGIN {TOO_LONG} {INSERT_NEW} END",
    f"CREATE TRIGGER complaint_search_delete AFTER DELETE ON {TABLE} BEGIN {DELETE_OLD} END",
    f"CREATE TRIGGER complaint_search_update AFTER UPDATE OF description ON {TABLE}"
    f" BEGIN {TOO_LONG} {DELETE_OLD} {INSERT_NEW} END",
    # Index what is already there.
    "INSERT INTO complaint_search_trigrams(complaint_search_trigrams) VALUES ('rebuild')",
    "INSERT INTO complaint_search_bigrams(complaint_search_bigrams) VALUES ('rebuild')",
]
DROP = [
    "DROP TRIGGER IF EXISTS complaint_search_update",
    "DROP TRIGGER IF EXISTS complaint_search_delete",
    "DROP TRIGGER IF EXISTS complaint_search_insert",
    "DROP TABLE IF EXISTS complaint_search_bigrams",
    "DROP TABLE IF EXISTS complaint_search_trigrams",
    "DROP VIEW IF EXISTS complaint_search_pairs",
    "DROP TABLE IF EXISTS complaint_search_positions",
]


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        try:
            cursor.execute("CREATE VIRTUAL TABLE temp.kesu_fts5_probe USING fts5(x, tokenize='trigram')")
            cursor.execute("DROP TABLE temp.kesu_fts5_probe")
        except OperationalError as exc:
            raise RuntimeError(
                "Kesu's search needs SQLite >= 3.34 with FTS5 (trigram tokenizer);"
                f" this SQLite is {schema_editor.connection.Database.sqlite_version}: {exc}"
            ) from exc
    for sql in CREATE:
        schema_editor.execute(sql)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in DROP:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0007_next_due_at"),
    ]

    operations = [
        migrations.RunPython(create_search_index, drop_search_index, elidable=False),
        # The figures' closed complaints in a period (both databases).
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["status", "closed_at", "received_at"], name="complaint_closed_idx"),
        ),
    ]
