"""On-time rate and average handling time, by department, class, severity and month."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from kesu.complaints.models import Category, Status
from kesu.deadlines.figures import figures
from tests.conftest import advance, local


@pytest.fixture
def history(org, register):
    """Two quality complaints in November 2026 (one resolved on time, one late) and one
    service complaint in October, all closed."""
    with time_machine.travel(local(2026, 11, 2, 9), tick=False):
        on_time = advance(register(received_at=local(2026, 11, 2, 8)), org, Status.ACCEPTED)
    with time_machine.travel(local(2026, 11, 3, 9), tick=False):
        on_time = advance(on_time, org, Status.CLOSED)  # 25 hours after receipt
    with time_machine.travel(local(2026, 11, 9, 9), tick=False):
        late = advance(register(received_at=local(2026, 11, 9, 9)), org, Status.ACCEPTED)
    with time_machine.travel(local(2026, 11, 16, 9), tick=False):
        late = advance(late, org, Status.FOLLOWED_UP)
        from kesu.complaints import services

        late = services.close_complaint(complaint=late, by=org.clerk, late_reason="配件缺货")
    service = Category.objects.get(code="service_quality")
    with time_machine.travel(local(2026, 10, 12, 9), tick=False):
        october = advance(
            register(received_at=local(2026, 10, 12, 8), category=service), org, Status.ACCEPTED
        )
        october = advance(october, org, Status.CLOSED)
    return on_time, late, october


def test_by_month(history):
    with time_machine.travel(local(2026, 11, 20), tick=False):
        rows = {r.key: r for r in figures(by="month", since=date(2026, 10, 1), until=date(2026, 11, 30))}
    november = rows["2026-11"]
    assert (november.clocks_due, november.on_time, november.late) == (2, 1, 1)
    assert november.on_time_rate == 0.5
    assert november.closed == 2
    # 25 h and 7 days (168 h): the average of the two
    assert november.average_handling_hours == pytest.approx((25 + 168) / 2)
    october = rows["2026-10"]
    assert (october.on_time_rate, october.closed) == (1.0, 1)
    assert october.average_handling_hours == pytest.approx(1)


def test_by_class_and_department(history, org):
    with time_machine.travel(local(2026, 11, 20), tick=False):
        by_class = {
            r.key: r for r in figures(by="category", since=date(2026, 10, 1), until=date(2026, 11, 30))
        }
        by_department = figures(by="department", since=date(2026, 10, 1), until=date(2026, 11, 30))
    assert by_class["产品质量类"].on_time_rate == 0.5
    assert by_class["服务质量类"].on_time_rate == 1.0
    assert [r.key for r in by_department] == ["生产部"]
    # three resolution clocks and the service complaint's 15-day follow-up (quality complaints'
    # follow-up counts from the delivery of repaired goods, which none of them recorded)
    assert (by_department[0].clocks_due, by_department[0].late) == (4, 1)


def test_an_open_overdue_clock_counts_as_late(org, register):
    with time_machine.travel(local(2026, 11, 2, 9), tick=False):
        advance(register(), org, Status.ACCEPTED)  # due Wednesday 11-04 17:30
    with time_machine.travel(local(2026, 11, 4, 12), tick=False):
        assert figures(by="severity", since=date(2026, 11, 1), until=date(2026, 11, 30)) == []
    with time_machine.travel(local(2026, 11, 5, 9), tick=False):
        (row,) = figures(by="severity", since=date(2026, 11, 1), until=date(2026, 11, 30))
    assert (row.key, row.late, row.on_time_rate) == ("一般", 1, 0.0)


def test_visibility_limits_the_figures(history, org):
    from kesu.complaints.selectors import complaints_visible_to

    with time_machine.travel(local(2026, 11, 20), tick=False):
        rows = figures(
            by="month",
            since=date(2026, 10, 1),
            until=date(2026, 11, 30),
            complaints=complaints_visible_to(staff=org.quality_head),
        )
    assert rows == []


def test_unknown_dimension():
    with pytest.raises(ValueError):
        figures(by="weather", since=date(2026, 1, 1), until=date(2026, 1, 31))


def test_period_bounds(history):
    with time_machine.travel(local(2026, 11, 20), tick=False):
        rows = figures(by="month", since=date(2026, 11, 1), until=date(2026, 11, 30))
    assert [r.key for r in rows] == ["2026-11"]


def test_late_cases_carry_the_reason_given_at_closing(history, org, register):
    from kesu.deadlines.figures import late_cases

    # and one still open past its due time, with no reason yet
    with time_machine.travel(local(2026, 11, 16, 9), tick=False):
        advance(register(), org, Status.ACCEPTED)  # due Wednesday 11-18 17:30
    with time_machine.travel(local(2026, 11, 20), tick=False):
        cases = late_cases(since=date(2026, 10, 1), until=date(2026, 11, 30))
    assert [(c.kind, c.late_reason, c.met_at is None) for c in cases] == [
        ("resolution", "", True),
        ("resolution", "配件缺货", False),
    ]
    late_one = history[1]
    assert cases[1].number == late_one.number
