"""The list page and the figures page run a fixed number of queries, whatever the number of rows:
a change that adds a query per complaint, per clock or per figure row fails here."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kesu.complaints.models import Category, Severity, Status
from kesu.customers.models import Customer
from tests.conftest import advance, local


def _add(org, register, count: int) -> None:
    """``count`` complaints of different classes, severities and customers, in various states:
    some with running (soon overdue) clocks, some closed."""
    quality = Category.objects.get(code="product_quality")
    others = list(Category.objects.filter(parent=None).exclude(pk=quality.pk))
    severities = list(Severity.objects.all())
    with time_machine.travel(local(2026, 11, 2, 9), tick=False):
        for i in range(count):
            customer = Customer.objects.create(code=f"Q{Customer.objects.count()}", name=f"客户{i}")
            complaint = register(
                received_at=local(2026, 11, 2, 8),
                description=f"沙发扶手开裂，第{i}件",
                category=quality if i % 3 else others[i % len(others)],
                severity=severities[i % len(severities)],
                customer=customer,
            )
            if i % 3:
                advance(complaint, org, Status.ACCEPTED if i % 3 == 1 else Status.CLOSED)


def _queries(client, url: str, params: dict) -> int:
    with (
        time_machine.travel(local(2026, 11, 20, 10), tick=False),
        CaptureQueriesContext(connection) as captured,
    ):
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("url", "params", "who"),
    [
        ("/complaints/", {}, "clerk"),
        ("/complaints/", {"q": "开裂"}, "clerk"),
        ("/complaints/", {"q": "扶手开裂"}, "production_head"),  # a department's view
        # issue 12 §5: sorted, several statuses, the GM's view with its bulk approval
        ("/complaints/", {"sort": "-handler", "status": ["accepted", "closed"]}, "clerk"),
        ("/complaints/", {"sort": "due", "customer": "客户", "channel": "phone"}, "gm"),
        ("/complaints/", {"sort": "subject", "q": "开裂"}, "production_head"),
        ("/complaints/", {"mine": "on", "sort": "-class"}, "production_handler"),
        ("/figures/", {}, "director"),
        ("/figures/", {"by": "category", "since": "2026-10-01", "until": "2026-11-30"}, "director"),
        ("/figures/", {"by": "department", "since": "2026-10-01", "until": "2026-11-30"}, "production_head"),
    ],
)
def test_pages_do_not_query_per_row(as_user, org, register, url, params, who):
    # given N complaints
    _add(org, register, 3)
    client = as_user(getattr(org, who))
    _queries(client, url, params)  # first use: session, caches
    few = _queries(client, url, params)

    # when there are three times as many
    _add(org, register, 6)

    # then the page asks the same number of queries
    assert _queries(client, url, params) == few
    # (and it does show more: more complaints listed, more clocks counted, more late cases)
    with time_machine.travel(local(2026, 11, 20, 10), tick=False):
        context = client.get(url, params).context
    if url == "/figures/":
        assert sum(r.clocks_due for r in context["rows"]) >= 6 and len(context["late_cases"]) >= 3
    else:
        assert len(context["page"].rows) >= 6
