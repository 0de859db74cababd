"""A deliberately plain, day-by-day model of the working calendar: the yardstick for the fast one."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache

from kesu.workcalendar.calendar import WorkingCalendar, WorkingHoursSpec
from kesu.workcalendar.statutory import package_years, statutory_exceptions

ONE_DAY = timedelta(days=1)


@cache
def package_exceptions() -> dict[date, bool]:
    return {s.day: s.is_working_day for s in statutory_exceptions()}


@cache
def package_calendar() -> WorkingCalendar:
    return WorkingCalendar(covered_years=package_years(), exceptions=package_exceptions())


def is_working(day: date) -> bool:
    listed = package_exceptions().get(day)
    return day.weekday() < 5 if listed is None else listed


def walk_working_days(start: date, n: int, *, count_start_day: bool) -> date:
    if n == 0:
        return start
    day = start if count_start_day else start + ONE_DAY
    seen = 0
    while True:
        if is_working(day):
            seen += 1
            if seen == n:
                return day
        day += ONE_DAY


def count_working_days(a: date, b: date) -> int:
    """Working days in (a, b], walking."""
    count, day = 0, a + ONE_DAY
    while day <= b:
        count += is_working(day)
        day += ONE_DAY
    return count


def walk_working_hours(start: datetime, amount: timedelta, spec: WorkingHoursSpec) -> datetime:
    """Consume ``amount`` period by period, day by day."""
    local = start.astimezone(spec.tz)
    day, now = local.date(), local.time()
    remaining = amount
    while True:
        if is_working(day):
            for opens, closes in (
                (spec.morning_start, spec.morning_end),
                (spec.afternoon_start, spec.afternoon_end),
            ):
                begin = max(now, opens)
                if begin >= closes:
                    continue
                available = datetime.combine(day, closes) - datetime.combine(day, begin)
                if remaining <= available:
                    return datetime.combine(day, begin, tzinfo=spec.tz) + remaining
                remaining -= available
        day, now = day + ONE_DAY, time(0)
