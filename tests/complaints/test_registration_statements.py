"""What one registration costs the database, and where the number counter's lock sits in it.

The period's number counter is one row that every registration of the period updates; whoever
updated it holds its lock until commit. So the number is drawn as the transaction's last write
(a placeholder number until then), and the statement count of one registration is pinned here:
a change that adds a statement (or a query per accused person) fails this test.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kesu.complaints import services
from kesu.complaints.models import Complaint
from tests.conftest import intake

# reading the clerk's roles · who registers (the default procedure's ``register`` step: the one
# window) · the rule book · the complaint · its accused staff · its timeline entry · the
# time-limit rules (deadline hook) · the major-complaint rules that match (notifications hook; a
# normal complaint is not major, so nobody is told) · the number (PostgreSQL: drawn and written in
# one statement; SQLite: draw, then write)
STATEMENTS = 9


def _statements(queries: list[dict[str, str]]) -> list[str]:
    """The SQL sent, without the test's own savepoints (the test runs inside a transaction)."""
    return [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]


def _register(org, **kwargs):
    # the class and severity (intake() looks them up) are loaded before, as a caller has them
    facts = intake()
    with CaptureQueriesContext(connection) as ctx:
        complaint = services.register_complaint(by=org.clerk, intake=facts, **kwargs)
    return complaint, _statements(ctx.captured_queries)


def test_one_registration_runs_a_fixed_number_of_statements(org):
    _register(org)  # the period's first number creates its counter; measure an ordinary one

    _, one_accused = _register(org, accused_staff=[org.production_handler])
    _, three_accused = _register(
        org, accused_staff=[org.production_handler, org.production_head, org.quality_head]
    )

    expected = STATEMENTS + (1 if connection.vendor == "sqlite" else 0)
    assert len(one_accused) == expected, one_accused
    assert len(three_accused) == expected, three_accused


def test_the_number_is_the_registrations_last_write(org):
    _register(org)

    complaint, statements = _register(org, accused_staff=[org.production_handler])

    # then the complaint, its accused staff and its timeline entry are written before the counter
    # row is touched (and locked), and after it only the number is written
    first = next(i for i, sql in enumerate(statements) if "rulebook_numbercounter" in sql)
    before = " ".join(statements[:first])
    for table in ("complaints_complaint", "complaints_complaint_accused_staff", "complaints_complaintevent"):
        assert f'INSERT INTO "{table}"' in before, statements
    assert all(
        "rulebook_numbercounter" in sql or sql.startswith('UPDATE "complaints_complaint" SET "number"')
        for sql in statements[first:]
    ), statements
    # and the committed complaint carries its real number, not the placeholder
    assert Complaint.objects.get(pk=complaint.pk).number == complaint.number
    assert not complaint.number.startswith("~")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL only")
def test_postgresql_draws_and_writes_the_number_in_one_statement(org):
    _register(org)

    _, statements = _register(org)

    assert "rulebook_numbercounter" in statements[-1] and "UPDATE" in statements[-1]
    assert sum("rulebook_numbercounter" in sql for sql in statements) == 1


def test_an_action_does_not_rewrite_an_unchanged_description(org):
    # given a complaint with a long description
    complaint, _ = _register(org)
    long_description = "客户反映餐桌桌面开裂，要求更换。" * 600

    # when it is corrected (the description changes), then commented on (it does not)
    with CaptureQueriesContext(connection) as corrected:
        services.correct_complaint(
            complaint=complaint, by=org.clerk, changes={"description": long_description}, reason="补充"
        )
    with CaptureQueriesContext(connection) as commented:
        services.add_comment(complaint=complaint, by=org.clerk, comment="已联系客户")

    # then only the correction writes the text (re-storing and, on PostgreSQL, re-indexing it)
    def complaint_updates(ctx):
        return [
            q["sql"] for q in ctx.captured_queries if q["sql"].startswith('UPDATE "complaints_complaint"')
        ]

    assert len(complaint_updates(corrected)) == 1 and '"description"' in complaint_updates(corrected)[0]
    assert len(complaint_updates(commented)) == 1 and '"description"' not in complaint_updates(commented)[0]
    assert '"version"' in complaint_updates(commented)[0]
    assert Complaint.objects.get(pk=complaint.pk).description == long_description
