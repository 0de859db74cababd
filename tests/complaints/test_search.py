"""The list's search (``ComplaintQuerySet.search``): exact substring semantics on both databases.

On PostgreSQL a query of two characters or more is narrowed by the bigram index (migration 0003)
before the plain ``LIKE``; on SQLite by the FTS5 bigram and trigram indexes (migration 0009, kept by
triggers). Whatever the index does, the results must be exactly those of a plain substring filter:
Chinese words of any length, ASCII model numbers, digits, punctuation, LIKE wildcards, mixed case.
"""

from __future__ import annotations

import pytest
from django.db import connection

from kesu.complaints.models import Complaint
from kesu.customers.models import Customer

DESCRIPTIONS = [
    "沙发扶手开裂，要求更换。",
    "抽屉滑轨卡顿，开关不顺。",
    "卡顿了，顿开以后又卡住",  # holds the bigrams of 卡顿开 apart, but not 卡顿开 itself
    "开开裂裂",
    "型号SF-200的餐椅腿松动",
    "型号SF-2000颜色不符",
    "小写型号sf-200，包装破损",
    "配件x<ab>y标签脱落",  # the text-search parser would read <ab> ... as an XML tag
    "客户说：“质量太差！”100%不满意",
    "订单号XS_0001送货延迟",
    "门 把手松动",
    "😀好评返现未到账",
    "床板异响",
    "Sofa arm cracked 扶手 broken, order 20260815",
    "订单2026081500，数量12件",
    "引号\"内\"容和''单引号",  # FTS5 query syntax: quotes must stay literal
]
QUERIES = [
    "开",  # one character
    "，",
    "%",
    "_",
    "开裂",  # two characters
    "卡顿",
    "裂裂",
    "！”",  # punctuation only
    "“质",
    "ab",
    "<a",
    "😀好",
    "卡顿开",  # three characters
    "门 把",
    "100%",
    "XS_0",
    "抽屉滑轨",  # four characters
    "开%裂",
    "SF-200",
    "sf-200",
    "顺达",  # the customer's name, in no description
    "不存在的词",
    "2",  # digits and numbers
    "12",
    "2026",
    "20260815",
    "0815",
    "sofa",  # mixed Latin, any case (SQLite's LIKE folds ASCII; PostgreSQL's does not)
    "SOFA ARM",
    "Ar",
    "m c",
    "扶手 b",
    '"内"',
    "''单",
    "AND",  # FTS5 operators are text here
    "OR 1",
]


def _ascii_lower(text: str) -> str:
    return text.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"))


def _expected(complaints: list[Complaint], q: str) -> set[str]:
    """What the search promises, in plain Python: number or complainant equal, description or
    customer name containing ``q``. SQLite's LIKE ignores ASCII case (so Django's ``contains``
    does there too); PostgreSQL's does not."""
    fold = _ascii_lower if connection.vendor == "sqlite" else str
    return {
        c.number
        for c in complaints
        if c.number == q
        or c.complainant_name == q
        or fold(q) in fold(c.description)
        or (c.customer is not None and fold(q) in fold(c.customer.name))
    }


@pytest.fixture
def complaints(register) -> list[Complaint]:
    customer = Customer.objects.create(code="C1", name="顺达物流")
    return [
        register(description=text, customer=customer if i % 4 == 0 else None)
        for i, text in enumerate(DESCRIPTIONS)
    ]


@pytest.fixture(params=["few candidates", "many candidates", "common words"])
def either_plan(request, monkeypatch):
    """SQLite names up to ``_FEW_CANDIDATES`` full-text candidates and otherwise keeps the index
    lookup in the query (a common word); PostgreSQL looks a 2-character word up in its bigram
    index unless the word is common (then the LIKE alone, walking newest first): every way must
    give the same results."""
    from kesu.complaints import models

    if request.param == "many candidates":
        monkeypatch.setattr(models, "_FEW_CANDIDATES", 0)
    if request.param == "common words":
        monkeypatch.setattr(models, "_COMMON_MATCHES", 0)


def test_search_matches_a_plain_substring_filter(complaints, either_plan):
    # given a number to search for as well
    queries = [*QUERIES, complaints[5].number]

    for q in queries:
        # when
        found = set(Complaint.objects.search(q).values_list("number", flat=True))

        # then (and the count, which has no ORDER BY, agrees)
        assert found == _expected(complaints, q), q
        assert Complaint.objects.search(q).order_by().count() == len(found), q
    # and the data set does exercise the queries: only these find nothing (卡顿开's bigrams are in a
    # description, but apart; 开%裂 is no wildcard; FTS5's operators are plain text; PostgreSQL's
    # LIKE does not fold case)
    case_folded = {"sofa", "SOFA ARM", "Ar"} if connection.vendor == "postgresql" else set()
    assert {q for q in queries if not _expected(complaints, q)} == {
        "卡顿开",
        "开%裂",
        "不存在的词",
        "AND",
        "OR 1",
        *case_folded,
    }


def test_search_ignores_surrounding_whitespace(complaints):
    assert set(Complaint.objects.search("  开裂\n").values_list("number", flat=True)) == _expected(
        complaints, "开裂"
    )


def _many_complaints(register) -> None:
    template = register(description="床板异响")
    fields = {f.attname: getattr(template, f.attname) for f in Complaint._meta.concrete_fields}
    del fields["id"]
    Complaint.objects.bulk_create(
        Complaint(
            **{
                **fields,
                "number": f"T{i:05d}",
                "description": f"第{i}号：沙发扶手{'开裂' if i % 50 == 0 else '松动'}，要求更换",
            }
        )
        for i in range(300)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE complaints_complaint")
        # A few hundred rows fit in a handful of pages, which a sequential scan reads faster than
        # any index, so the planner would rightly skip the index here and the plan would depend on
        # row counts. Discouraging sequential scans (for this test's transaction only) asks the
        # question the tests are about: can the search be answered from the index at all? That the
        # planner also chooses it at a million complaints is measured by bench/listing.py.
        cursor.execute("SET LOCAL enable_seqscan = off")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index is PostgreSQL's")
def test_a_longer_search_uses_the_partial_trigram_index(register):
    # given the description indexes leave out registrations in progress (migration 0004)
    _many_complaints(register)

    # when
    queryset = Complaint.objects.search("扶手开裂")
    plan = queryset.order_by().values("pk")[:10001].explain()

    # then the search says so too, and the planner can use the index
    assert "Bitmap Index Scan on complaint_description_trgm" in plan, plan
    assert queryset.count() == 6


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bigram index is PostgreSQL's")
def test_a_two_character_search_uses_the_bigram_index(register):
    # given enough complaints that the description, not a tiny table, decides the plan
    _many_complaints(register)

    # when: the capped count's query (kesu.core.paging: no ORDER BY, at most 10 001 rows)
    queryset = Complaint.objects.search("开裂")
    plan = queryset.order_by().values("pk")[:10001].explain()

    # then the bigram index answers it, and a description's bigrams (slow to compute) are not
    # computed again for every row fetched: the row filter is the plain LIKE
    assert "Bitmap Index Scan on complaint_description_bigrams" in plan, plan
    filters = [line for line in plan.splitlines() if line.strip().startswith("Filter:")]
    # (kesu_bigrams' body is inlined into the plan since 0004: its regexp_replace shows instead)
    assert filters and not any("kesu_bigrams" in line or "regexp_replace" in line for line in filters), plan
    assert queryset.count() == 6


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bigram index is PostgreSQL's")
def test_a_common_two_character_word_is_found_newest_first_without_the_bigram_index(register):
    # given a word in many of the newest complaints, and one in a single complaint
    for i in range(25):
        register(description=f"沙发扶手开裂 {i}")
    register(description="抽屉卡顿")

    # when each is searched
    common, rare = Complaint.objects.search("开裂"), Complaint.objects.search("卡顿")

    # then the common word is not looked up in the bigram index (PostgreSQL cannot tell how many
    # complaints it matches there, and would fetch them all to sort them), the rare one is
    assert "kesu_bigrams" not in str(common.query) and "kesu_bigrams" in str(rare.query)
    assert common.count() == 25 and rare.count() == 1


BIGRAM_TEXTS = [
    "",
    "开",
    "开裂",
    "抽屉滑轨",  # even length
    "抽屉滑轨卡",  # odd length
    "a\nb c\td",  # newlines and tabs are characters like any other
    "x\x01y\x01z",  # the fast path's separator: the plain path answers
    "😀好评返现",  # beyond the Basic Multilingual Plane
    "型号SF-200的餐椅腿松动，" * 50,
]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="kesu_bigrams is PostgreSQL's")
@pytest.mark.parametrize("text", BIGRAM_TEXTS)
def test_kesu_bigrams_gives_every_overlapping_pair(db, text):
    # when
    with connection.cursor() as cursor:
        cursor.execute("SELECT kesu_bigrams(%s)", [text])
        (pairs,) = cursor.fetchone()

    # then: every two-character piece, as often as it occurs (GIN keeps each key once anyway)
    assert sorted(pairs) == sorted(text[i : i + 2] for i in range(len(text) - 1))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="kesu_bigrams is PostgreSQL's")
def test_kesu_bigrams_does_not_loop_over_positions_in_sql(db):
    # 0003's body took substr() at every position (generate_series): quadratic on UTF-8 text, 30 s
    # for 80 000 characters. The speed itself is measured in bench/ (no timed tests); this pins the
    # shape that made it slow.
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'kesu_bigrams'")
        (body,) = cursor.fetchone()
    assert "generate_series" not in body and "substr($1, i" not in body
    assert "regexp_replace" in body


def _search(q: str) -> set[str]:
    return set(Complaint.objects.search(q).values_list("number", flat=True))


def test_a_corrected_description_is_searched_by_its_new_words(complaints, org, either_plan):
    from kesu.complaints import services

    # given a complaint found by its words
    sofa = complaints[0]
    assert sofa.number in _search("开裂") and sofa.number in _search("扶手开裂")

    # when its description is corrected
    services.correct_complaint(
        complaint=sofa, by=org.clerk, changes={"description": "茶几玻璃有划痕"}, reason="登记有误"
    )

    # then the old words no longer find it, the new ones do (2, 3 and 4+ characters)
    for q in ("开裂", "扶手开裂"):
        assert sofa.number not in _search(q), q
        assert _search(q) == _expected(list(Complaint.objects.all()), q), q
    for q in ("划痕", "玻璃有", "茶几玻璃有划痕"):
        assert _search(q) == {sofa.number}, q


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 triggers")
def test_writes_outside_django_keep_the_sqlite_index_right(complaints):
    # given writes in plain SQL, as from the sqlite3 shell (no application function involved)
    target = complaints[1]
    columns = [f.column for f in Complaint._meta.concrete_fields if f.column not in {"id", "number"}]
    copied = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE complaints_complaint SET description = %s WHERE id = %s", ["衣柜门板脱胶", target.pk]
        )
        cursor.execute(
            f"INSERT INTO complaints_complaint (number, {copied}) SELECT 'RAW-1', {copied}"
            " FROM complaints_complaint WHERE id = %s",
            [complaints[12].pk],
        )

    # then the search sees the new text and not the old, and the inserted row
    assert _search("脱胶") == {target.number}
    assert _search("门板脱胶") == {target.number}
    assert target.number not in _search("卡顿")
    assert _search("异响") == {complaints[12].number, "RAW-1"}

    # when the inserted row is deleted
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM complaints_complaint WHERE number = 'RAW-1'")

    # then it is gone from the search, and the indexes agree with their source (FTS5's own check)
    assert _search("异响") == {complaints[12].number}
    with connection.cursor() as cursor:
        for table in ("complaint_search_trigrams", "complaint_search_bigrams"):
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
