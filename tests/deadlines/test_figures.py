"""On-time rate and average handling time, by department, class, severity and month."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

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
    # two resolution clocks (one late) and the two quality follow-up visits, due on the 2nd day
    # after the delivery of the repaired goods (seed 000 4.4 1) and made at once
    assert (november.clocks_due, november.on_time, november.late) == (4, 3, 1)
    assert november.on_time_rate == 0.75
    assert november.closed == 2 and november.replied == 2
    # 25 h and 7 days (168 h) to the final reply: the average of the two
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
    assert by_class["产品质量类"].on_time_rate == 0.75
    assert by_class["服务质量类"].on_time_rate == 1.0
    assert [r.key for r in by_department] == ["生产部"]
    # three resolution clocks, the service complaint's 15-day follow-up and the quality complaints'
    # follow-ups, counted from the delivery of the repaired goods (seed 000 4.4 1)
    assert (by_department[0].clocks_due, by_department[0].late) == (6, 1)


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


# ---------------------------------------------------------------------------------------------
# Months are local months, hours are exact: both computed by the database (no Python per row)


def _closed_at(complaint, received_at: datetime, closed_at: datetime) -> None:
    """A complaint replied to and closed at ``closed_at``, with a met resolution clock due and met
    then (the handling time counts to the final reply, here at the closing instant)."""
    from kesu.complaints.models import Complaint, ComplaintEvent
    from kesu.deadlines.models import ClockState, ComplaintClock

    Complaint.objects.filter(pk=complaint.pk).update(
        status=Status.CLOSED, received_at=received_at, closed_at=closed_at
    )
    ComplaintEvent.objects.create(complaint=complaint, action="reply_to_customer", at=closed_at)
    ComplaintClock.objects.filter(complaint=complaint).delete()
    ComplaintClock.objects.create(
        complaint=complaint,
        kind="resolution",
        amount=1,
        unit="calendar_days",
        started_at=received_at,
        due_at=closed_at,
        state=ClockState.MET,
        stopped_at=closed_at,
    )


def _expected_months(instants: list[datetime]) -> dict[str, int]:
    months: dict[str, int] = {}
    for instant in instants:
        key = timezone.localtime(instant).strftime("%Y-%m")
        months[key] = months.get(key, 0) + 1
    return months


@pytest.mark.parametrize(
    ("zone", "instants_utc"),
    [
        # The company's zone (UTC+8): 16:00 UTC on the last day of a month is already the 1st.
        (
            "Asia/Shanghai",
            [(2026, 10, 31, 15, 59), (2026, 10, 31, 16, 0), (2026, 11, 30, 16, 30), (2026, 9, 30, 15, 0)],
        ),
        # Daylight saving (New York): 1 April 00:30 EDT is 04:30 UTC, which a fixed EST offset
        # would put in March; 1 November 00:30 is still EDT (the clocks change at 02:00).
        (
            "America/New_York",
            [(2026, 4, 1, 4, 30), (2026, 4, 1, 3, 59), (2026, 11, 1, 4, 30), (2026, 11, 1, 3, 30)],
        ),
    ],
)
def test_months_are_local_months_in_the_time_zone_in_force(org, register, settings, zone, instants_utc):
    # given complaints closed (and clocks met) at instants around local month boundaries
    settings.TIME_ZONE = zone
    instants = [datetime(*parts, tzinfo=UTC) for parts in instants_utc]
    with timezone.override(ZoneInfo(zone)):
        for instant in instants:
            _closed_at(
                register(received_at=instant - timedelta(hours=5)), instant - timedelta(hours=5), instant
            )

        # when
        with time_machine.travel(datetime(2026, 12, 20, tzinfo=UTC), tick=False):
            rows = figures(by="month", since=date(2026, 3, 1), until=date(2026, 12, 1))

    # then each lands in its local month, as Python's own conversion says
    expected = _expected_months(instants)
    assert {r.key: r.closed for r in rows} == expected
    assert {r.key: r.clocks_due for r in rows} == expected
    assert all(r.average_handling_hours == pytest.approx(5) for r in rows)


def test_a_period_of_decades_gives_the_same_months(org, register):
    # given complaints closed at instants around Shanghai month boundaries
    instants = [datetime(2026, 10, 31, 15, 59, tzinfo=UTC), datetime(2026, 10, 31, 16, 0, tzinfo=UTC)]
    for instant in instants:
        _closed_at(register(received_at=instant - timedelta(hours=2)), instant - timedelta(hours=2), instant)

    # when the period is six months (a CASE over the months) or a century (TruncMonth)
    with time_machine.travel(datetime(2026, 12, 20, tzinfo=UTC), tick=False):
        short = figures(by="month", since=date(2026, 6, 1), until=date(2026, 11, 30))
        long = figures(by="month", since=date(1950, 1, 1), until=date(2026, 11, 30))

    # then both agree with Python's conversion
    assert short == long
    assert {r.key: r.closed for r in short} == {"2026-10": 1, "2026-11": 1}


def test_average_handling_hours_keep_minutes_and_seconds(org, register):
    # given closings 90 minutes and 25 h 30 min 36 s after receipt
    received = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    first, second = register(received_at=received), register(received_at=received)
    _closed_at(first, received, received + timedelta(minutes=90))
    _closed_at(second, received, received + timedelta(hours=25, minutes=30, seconds=36))

    with time_machine.travel(datetime(2026, 12, 1, tzinfo=UTC), tick=False):
        (row,) = figures(by="severity", since=date(2026, 11, 1), until=date(2026, 11, 30))

    assert row.average_handling_hours == pytest.approx((1.5 + 25.51) / 2, abs=1e-6)


def test_figures_call_no_python_function_per_row(history):
    """On SQLite, Django's TruncMonth and datetime subtraction run as Python functions registered on
    the connection (``django_datetime_trunc``, ``django_timestamp_diff``…), called once per row:
    1.5 s for six months at a million complaints. The figures' SQL uses none of them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel(local(2026, 11, 20), tick=False), CaptureQueriesContext(connection) as captured:
        for by in ("month", "department"):
            figures(by=by, since=date(2026, 10, 1), until=date(2026, 11, 30))

    assert captured.captured_queries
    assert not [q["sql"] for q in captured.captured_queries if "django_" in q["sql"]]
