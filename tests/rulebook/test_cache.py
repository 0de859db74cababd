"""Rule-book data kept per process (kesu.rulebook.cache): read once, read again after any change —
in this process (the model signals), in another process (the revision token), or rolled back."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from kesu.complaints.classes import rule_book_entries
from kesu.complaints.models import Category, Procedure, ProcedureStep, StepScope
from kesu.complaints.procedures import rules_for_class
from kesu.organization.models import ApiToken, Role
from kesu.rulebook import cache
from kesu.rulebook.models import RuleBookRevision
from tests.api.conftest import ApiClient, complaint_body

pytestmark = pytest.mark.django_db


def _token() -> str:
    return RuleBookRevision.objects.get(pk=1).token


def test_a_second_read_costs_only_the_revision_check(django_assert_num_queries):
    rule_book_entries(Category)
    with django_assert_num_queries(1):  # SELECT token
        entries = rule_book_entries(Category)
    assert "product_quality" in entries


def test_an_edit_in_this_process_applies_at_once():
    rule_book_entries(Category)
    category = Category.objects.get(code="product_quality")
    category.name = "产品质量（新）"
    category.save()
    assert rule_book_entries(Category)["product_quality"].name == "产品质量（新）"


def test_another_process_edit_applies_once_its_token_changes():
    """Another process writes the data and a new token (its signals run there, not here)."""
    before = rule_book_entries(Category)["product_quality"].name
    Category.objects.filter(code="product_quality").update(name="另一个进程改的")  # no signal here
    assert rule_book_entries(Category)["product_quality"].name == before  # same token: kept
    with connection.cursor() as cursor:
        cursor.execute("UPDATE rulebook_rulebookrevision SET token = 'from-another-process' WHERE id = 1")
    assert rule_book_entries(Category)["product_quality"].name == "另一个进程改的"


def test_a_rolled_back_edit_is_forgotten():
    before = rule_book_entries(Category)["product_quality"].name
    token = _token()
    with pytest.raises(RuntimeError), transaction.atomic():
        category = Category.objects.get(code="product_quality")
        category.name = "回滚的名字"
        category.save()
        assert rule_book_entries(Category)["product_quality"].name == "回滚的名字"
        raise RuntimeError
    assert _token() == token
    assert rule_book_entries(Category)["product_quality"].name == before


def test_a_procedure_step_added_in_the_admin_changes_who_may_act_next(org):
    """Issue 8: an edited rule book changes what the next complaint goes through, without a restart."""
    category = Category.objects.get(code="product_quality")
    procedure = Procedure.objects.filter(category=category).first() or Procedure.objects.get(
        category__isnull=True, severity__isnull=True
    )
    before = rules_for_class(category.pk, None)
    assert Role.AUDITOR not in {t.role for t in before.takers_of("classify")}
    ProcedureStep.objects.create(
        procedure=procedure, order=999, action="classify", role=Role.AUDITOR, scope=StepScope.ANY
    )
    after = rules_for_class(category.pk, None)
    assert Role.AUDITOR in {t.role for t in after.takers_of("classify")}


def test_a_web_request_checks_the_token_once(org, django_assert_max_num_queries):
    """Registration reads the classes, the procedure, the time limits and the numbering pattern from
    the process's copy: after the first, a registration runs no rule-book query but one token check."""
    clerk_api = ApiClient(ApiToken.issue(staff=org.clerk, name="test")[1])
    clerk_api.post("/api/v1/complaints", complaint_body())
    with django_assert_max_num_queries(30) as counted:
        response = clerk_api.post("/api/v1/complaints", complaint_body())
    assert response.status_code == 201
    statements = [q["sql"] for q in counted.captured_queries]
    assert sum("rulebook_rulebookrevision" in s for s in statements) == 1
    for table in (
        "complaints_category",
        "complaints_severity",
        "complaints_procedurestep",
        "deadlines_clockrule",
        'rulebook_rulebook"',
        "notifications_majorcomplaintrule",
    ):
        assert not any(table in s for s in statements), table


def test_the_cache_is_empty_without_a_revision_row(django_assert_num_queries):
    """A database migrated before the revision row existed is read every time, never kept stale."""
    RuleBookRevision.objects.all().delete()
    rule_book_entries(Category)
    with django_assert_num_queries(2):  # the (missing) token, then the classes themselves
        rule_book_entries(Category)
    cache.bump()
    assert _token()
