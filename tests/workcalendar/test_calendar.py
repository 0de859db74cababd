"""WorkingCalendar arithmetic against a day-by-day walk, on the package's statutory calendar."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kesu.workcalendar.calendar import CalendarNotCovered, WorkingCalendar, WorkingHoursSpec
from tests.workcalendar.reference import (
    count_working_days,
    is_working,
    package_calendar,
    package_exceptions,
    walk_working_days,
    walk_working_hours,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
cal = package_calendar()
# Starts late enough in 2026 would run into 2027 (not covered); those are tested on their own.
starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 9, 30))
counts = st.integers(min_value=0, max_value=60)
moments = st.builds(
    lambda d, minute: datetime.combine(d, time(0), tzinfo=SHANGHAI) + timedelta(minutes=minute),
    starts,
    st.integers(min_value=0, max_value=24 * 60 - 1),
)
hours = st.integers(min_value=0, max_value=120 * 60).map(lambda minutes: timedelta(minutes=minutes))
props = settings(max_examples=200, deadline=None)


@props
@given(start=starts, n=counts, count_start_day=st.booleans())
def test_adding_working_days_matches_a_day_by_day_walk(start, n, count_start_day):
    assert cal.add_working_days(start, n, count_start_day=count_start_day) == walk_working_days(
        start, n, count_start_day=count_start_day
    )


@props
@given(start=starts, n=st.integers(min_value=1, max_value=60), count_start_day=st.booleans())
def test_the_result_is_always_a_working_day(start, n, count_start_day):
    due = cal.add_working_days(start, n, count_start_day=count_start_day)
    assert is_working(due)
    assert cal.is_working_day(due)


@props
@given(start=starts, n=counts, count_start_day=st.booleans())
def test_monotonic_in_n(start, n, count_start_day):
    a = cal.add_working_days(start, n, count_start_day=count_start_day)
    b = cal.add_working_days(start, n + 1, count_start_day=count_start_day)
    assert a < b or (n == 0 and count_start_day and a == b)


@props
@given(first=starts, second=starts, n=counts, count_start_day=st.booleans())
def test_monotonic_in_the_start_date(first, second, n, count_start_day):
    early, late = sorted([first, second])
    assert cal.add_working_days(early, n, count_start_day=count_start_day) <= cal.add_working_days(
        late, n, count_start_day=count_start_day
    )


@props
@given(start=starts, n=counts)
def test_working_days_between_inverts_adding(start, n):
    due = cal.add_working_days(start, n)
    assert cal.working_days_between(start, due) == n
    assert cal.working_days_between(due, start) == -n


@props
@given(a=starts, b=starts)
def test_working_days_between_matches_counting(a, b):
    early, late = sorted([a, b])
    assert cal.working_days_between(early, late) == count_working_days(early, late)


@props
@given(day=starts)
def test_is_working_day_matches_the_package(day):
    assert cal.is_working_day(day) == is_working(day)


def test_every_make_up_weekend_day_is_counted():
    makeups = [d for d, working in package_exceptions().items() if working]
    assert makeups and all(d.weekday() >= 5 for d in makeups)
    for day in makeups:
        # The make-up day is the first working day after the day before it.
        assert cal.add_working_days(day - timedelta(days=1), 1) == day
        assert cal.is_working_day(day)


@props
@given(start=moments, amount=hours)
def test_adding_working_hours_matches_a_walk(start, amount):
    got = cal.add_working_hours(start, amount)
    if amount:
        assert got == walk_working_hours(start, amount, cal.hours)
        assert cal.is_working_day(got.date())
        assert time(8, 30) < got.timetz().replace(tzinfo=None) <= time(17, 30)
    else:
        assert got == start
    assert cal.working_hours_between(start, got) == amount


@props
@given(received=moments, n=st.integers(min_value=1, max_value=30), count_receipt_day=st.booleans())
def test_end_of_nth_working_day_is_after_receipt_at_close_of_work(received, n, count_receipt_day):
    due = cal.end_of_nth_working_day(received, n, count_receipt_day=count_receipt_day)
    assert due > received
    assert due.timetz() == time(17, 30, tzinfo=SHANGHAI)
    assert cal.is_working_day(due.date())


# -- fixed cases, 2026 (国办发明电〔2025〕7号 as the package carries it) ----------------------------------


def test_spring_festival_2026():
    # 春节: Sunday 15 to Monday 23 February off; Saturdays 14 and 28 February are worked.
    for day in (date(2026, 2, 16), date(2026, 2, 20), date(2026, 2, 23)):
        assert not cal.is_working_day(day)
    assert cal.is_working_day(date(2026, 2, 14)) and date(2026, 2, 14).weekday() == 5
    assert cal.is_working_day(date(2026, 2, 28)) and date(2026, 2, 28).weekday() == 5
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert cal.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert cal.add_working_days(date(2026, 2, 27), 1) == date(2026, 2, 28)
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 6  # 14, 24, 25, 26, 27, 28


def test_mid_autumn_and_national_day_2026():
    # 中秋节 Friday 25 September; 国庆节 1–7 October; Sunday 20 September and Saturday 10 October worked.
    assert not cal.is_working_day(date(2026, 9, 25))
    assert all(not cal.is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert cal.is_working_day(date(2026, 9, 20)) and date(2026, 9, 20).weekday() == 6
    assert cal.is_working_day(date(2026, 10, 10)) and date(2026, 10, 10).weekday() == 5
    assert not cal.is_working_day(date(2026, 9, 19))  # the Saturday before stays off
    assert cal.add_working_days(date(2026, 9, 18), 1) == date(2026, 9, 20)
    assert cal.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert cal.add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)
    assert cal.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3


def test_labour_day_2026():
    # 劳动节 1–5 May off, Saturday 9 May worked.
    assert all(not cal.is_working_day(date(2026, 5, d)) for d in range(1, 6))
    assert cal.add_working_days(date(2026, 4, 30), 1) == date(2026, 5, 6)
    assert cal.add_working_days(date(2026, 5, 8), 1) == date(2026, 5, 9)


def test_the_nth_working_day_after_receipt_with_and_without_the_receipt_day():
    received = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)  # Wednesday before National Day
    # "by the 2nd working day after receipt" (furniture rule book)
    assert cal.end_of_nth_working_day(received, 2, count_receipt_day=False) == datetime(
        2026, 10, 9, 17, 30, tzinfo=SHANGHAI
    )
    assert cal.end_of_nth_working_day(received, 2, count_receipt_day=True) == datetime(
        2026, 10, 8, 17, 30, tzinfo=SHANGHAI
    )
    # Received after the close: the receipt day can no longer count.
    late = datetime(2026, 9, 30, 18, 0, tzinfo=SHANGHAI)
    assert cal.end_of_nth_working_day(late, 1, count_receipt_day=True) == datetime(
        2026, 10, 8, 17, 30, tzinfo=SHANGHAI
    )


def test_count_start_day_only_counts_a_working_start():
    assert cal.add_working_days(date(2026, 11, 23), 1, count_start_day=True) == date(2026, 11, 23)  # Monday
    assert cal.add_working_days(date(2026, 11, 21), 1, count_start_day=True) == date(2026, 11, 23)  # Saturday


def test_a_deadline_crossing_into_an_uncovered_year_is_an_error():
    with pytest.raises(CalendarNotCovered) as raised:
        cal.add_working_days(date(2026, 12, 28), 10)
    assert raised.value.year == 2027
    assert "2027" in str(raised.value)
    # Still inside 2026: fine.
    assert cal.add_working_days(date(2026, 12, 28), 3) == date(2026, 12, 31)
    for compute in (
        lambda: cal.is_working_day(date(2027, 1, 4)),
        lambda: cal.add_working_days(date(2003, 12, 31), 1),
        lambda: cal.working_days_between(date(2026, 12, 1), date(2027, 1, 5)),
        lambda: cal.add_working_hours(datetime(2026, 12, 31, 17, 0, tzinfo=SHANGHAI), 1),
        lambda: cal.end_of_nth_working_day(
            datetime(2026, 12, 31, 9, tzinfo=SHANGHAI), 1, count_receipt_day=False
        ),
    ):
        with pytest.raises(CalendarNotCovered):
            compute()


def test_a_gap_between_covered_years_is_not_skipped():
    # given 2026 and 2028 covered but not 2027
    gappy = WorkingCalendar(covered_years=[2026, 2028], exceptions=package_exceptions())
    # then a deadline from late 2026 never silently jumps over 2027
    with pytest.raises(CalendarNotCovered) as raised:
        gappy.add_working_days(date(2026, 12, 30), 5)
    assert raised.value.year == 2027
    assert gappy.add_working_days(date(2028, 1, 3), 1) == date(2028, 1, 4)


# -- working hours: 08:30–12:00, 13:00–17:30 ---------------------------------------------------------------


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_working_hours_skip_lunch():
    assert cal.add_working_hours(at(2026, 11, 23, 11, 0), 2) == at(2026, 11, 23, 14, 0)
    assert cal.add_working_hours(at(2026, 11, 23, 11, 0), 1) == at(2026, 11, 23, 12, 0)
    assert cal.add_working_hours(at(2026, 11, 23, 12, 30), 1) == at(2026, 11, 23, 14, 0)


def test_working_hours_run_overnight_and_end_at_the_close():
    assert cal.add_working_hours(at(2026, 11, 23, 16, 30), 2) == at(2026, 11, 24, 9, 30)
    assert cal.add_working_hours(at(2026, 11, 23, 8, 30), 8) == at(2026, 11, 23, 17, 30)
    assert cal.add_working_hours(at(2026, 11, 23, 7, 0), 0.5) == at(2026, 11, 23, 9, 0)


def test_working_hours_skip_the_weekend_and_count_make_up_saturdays():
    assert cal.add_working_hours(at(2026, 11, 20, 16, 0), 3) == at(2026, 11, 23, 10, 0)
    assert cal.working_hours_between(at(2026, 11, 20, 16, 0), at(2026, 11, 23, 10, 0)) == timedelta(hours=3)
    assert cal.add_working_hours(at(2026, 11, 21, 10, 0), 1) == at(2026, 11, 23, 9, 30)  # from a Saturday
    assert cal.add_working_hours(at(2026, 2, 13, 17, 0), 1) == at(2026, 2, 14, 9, 0)  # 调休 Saturday


def test_datetimes_in_another_zone_are_read_in_shanghai_time():
    utc = datetime(2026, 11, 23, 3, 0, tzinfo=ZoneInfo("UTC"))  # 11:00 in Shanghai
    assert cal.add_working_hours(utc, 2) == at(2026, 11, 23, 14, 0)


def test_a_custom_day_without_lunch_break():
    spec = WorkingHoursSpec(
        tz=SHANGHAI,
        morning_start=time(9),
        morning_end=time(12),
        afternoon_start=time(12),
        afternoon_end=time(18),
    )
    custom = WorkingCalendar(covered_years=[2026], exceptions=package_exceptions(), hours=spec)
    assert custom.add_working_hours(at(2026, 11, 23, 11, 0), 2) == at(2026, 11, 23, 13, 0)
    assert custom.hours.day_length == timedelta(hours=9)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        cal.add_working_days(date(2026, 3, 2), -1)
    with pytest.raises(ValueError):
        cal.add_working_hours(at(2026, 3, 2, 9, 0), -1)
    with pytest.raises(ValueError):
        cal.add_working_hours(datetime(2026, 3, 2, 9, 0), 1)  # naive
    with pytest.raises(ValueError):
        cal.end_of_nth_working_day(at(2026, 3, 2, 9, 0), 0, count_receipt_day=False)
    with pytest.raises(ValueError):
        WorkingHoursSpec(morning_start=time(12), morning_end=time(9))
    with pytest.raises(AttributeError):
        cal.hours = None  # immutable
