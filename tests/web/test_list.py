"""The complaint list: filters, search, paging with a capped count, htmx partials."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kesu.complaints.models import Category, Complaint, Severity
from kesu.core.paging import capped_count, page_of
from tests.conftest import advance


def _numbers(response) -> list[str]:
    return [c.number for c in response.context["page"].rows]


@pytest.fixture
def three(org, register):
    """A grievance, an urgent quality complaint and one handed to production."""
    grievance = register(category=Category.objects.get(code="grievance"), description="服务态度差")
    urgent = register(severity=Severity.objects.get(code="urgent"), description="桌面划痕严重")
    transferred = advance(register(description="衣柜门脱落"), org, "transfer_proposed")
    return grievance, urgent, transferred


def test_clerk_sees_all_newest_first(as_user, org, three):
    response = as_user(org.clerk).get(reverse("complaint-list"))

    assert response.status_code == 200
    assert _numbers(response) == [c.number for c in reversed(three)]
    assert "3" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "transfer_proposed"}, [2]),
        ({"category": "grievance"}, [0]),
        ({"severity": "urgent"}, [1]),
        ({"q": "划痕"}, [1]),
        ({"q": "衣柜"}, [2]),
    ],
)
def test_filters_and_search(as_user, org, three, params, expected):
    response = as_user(org.clerk).get(reverse("complaint-list"), params)

    assert _numbers(response) == [three[i].number for i in expected]


def test_search_by_number_and_department_filter(as_user, org, three):
    client = as_user(org.clerk)

    assert _numbers(client.get("/complaints/", {"q": three[0].number})) == [three[0].number]
    assert _numbers(client.get("/complaints/", {"department": org.production.pk})) == [three[2].number]


def test_received_date_range(as_user, org, register):
    old = register(received_at=timezone.now() - timedelta(days=10))
    new = register()
    today = timezone.localdate()
    client = as_user(org.clerk)

    recent = client.get("/complaints/", {"received_from": str(today - timedelta(days=1))})
    older = client.get("/complaints/", {"received_to": str(today - timedelta(days=5))})

    assert _numbers(recent) == [new.number]
    assert _numbers(older) == [old.number]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "no-such-status"},
        {"received_from": "yesterday"},
        {"received_from": "0001-01-01"},
        {"department": "999999"},
        {"received_from": "2026-02-01", "received_to": "2026-01-01"},
    ],
)
def test_bad_filters_are_form_errors_not_500(as_user, org, three, params):
    response = as_user(org.clerk).get(reverse("complaint-list"), params)

    assert response.status_code == 400
    assert response.context["form"].errors
    assert 'role="alert"' in response.content.decode()


def test_outsider_sees_an_empty_list(as_user, org, three):
    response = as_user(org.outsider).get(reverse("complaint-list"))

    assert response.status_code == 200
    assert _numbers(response) == []


def test_department_head_sees_only_their_departments(as_user, org, three):
    assert _numbers(as_user(org.production_head).get("/complaints/")) == [three[2].number]
    assert _numbers(as_user(org.quality_head).get("/complaints/")) == []


def test_htmx_request_gets_only_the_results(as_user, org, three):
    response = as_user(org.clerk).get(
        reverse("complaint-list"), {"q": "划痕"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert "<html" not in html
    assert three[1].number in html and three[0].number not in html
    assert "HX-Request" in response["Vary"]


def test_the_page_has_htmx_filtering_with_a_get_fallback(as_user, org):
    html = as_user(org.clerk).get(reverse("complaint-list")).content.decode()

    assert 'method="get"' in html and 'hx-target="#results"' in html and 'hx-push-url="true"' in html
    assert "vendor/htmx/htmx.min.js" in html


def test_paging_keeps_filters(as_user, org, register, settings):
    settings.KESU_PAGE_SIZE = 2
    created = [register(description=f"第{i}件") for i in range(5)]
    client = as_user(org.clerk)

    first = client.get("/complaints/", {"q": "第"})
    third = client.get("/complaints/", {"q": "第", "page": "3"})
    junk = client.get("/complaints/", {"page": "abc"})

    assert _numbers(first) == [created[4].number, created[3].number]
    assert "page=2" in first.content.decode() and "q=%E7%AC%AC" in first.content.decode()
    assert _numbers(third) == [created[0].number]
    assert not third.context["page"].has_next
    assert junk.status_code == 200 and junk.context["page"].number == 1


def test_query_count_does_not_grow_with_rows(as_user, org, register, django_assert_max_num_queries):
    client = as_user(org.clerk)
    for _ in range(3):
        register()
    # +2 since time limits: the page's next due times, the unread-notification count in the top bar
    with django_assert_max_num_queries(16) as few:
        client.get(reverse("complaint-list"))
    for _ in range(12):
        register()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("complaint-list"))
    assert len(response.context["page"].rows) == 15


def test_capped_count_stops_at_the_cap(org, register):
    for _ in range(4):
        register()

    assert str(capped_count(Complaint.objects.all(), cap=3)) == "3+"
    assert str(capped_count(Complaint.objects.all(), cap=10)) == "4"
    page = page_of(Complaint.objects.all(), number=2, page_size=2, cap=3)
    assert page.num_pages is None and not page.has_next and len(page.rows) == 2


def test_list_refuses_post(as_user, org):
    assert as_user(org.clerk).post(reverse("complaint-list")).status_code == 405
