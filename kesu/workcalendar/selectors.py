"""Reads of the working calendar: the cached ``WorkingCalendar`` and what it does not cover yet."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from kesu.workcalendar.calendar import WorkingCalendar
from kesu.workcalendar.models import CalendarDay, CalendarRevision, CalendarYear, WorkingHours

# Warn about next year's calendar this long before it starts (the State Council usually publishes
# the next year's schedule in October–November).
NEXT_YEAR_WARNING = timedelta(days=61)

# using → (revision token, calendar). Per process; see CalendarRevision for why a token.
_cache: dict[str, tuple[str, WorkingCalendar]] = {}


def load_calendar(*, using: str = "default") -> WorkingCalendar:
    """A fresh snapshot from the database (three queries)."""
    years = CalendarYear.objects.using(using).filter(covered=True).values_list("year", flat=True)
    exceptions = dict(CalendarDay.objects.using(using).values_list("date", "is_working_day"))
    hours = (WorkingHours.objects.using(using).order_by("pk").first() or WorkingHours()).as_spec()
    return WorkingCalendar(covered_years=years, exceptions=exceptions, hours=hours)


def get_calendar(*, using: str = "default") -> WorkingCalendar:
    """The working calendar, loaded once per process and calendar revision (one small query to
    check the revision; a reload only after the calendar changed)."""
    token = CalendarRevision.objects.using(using).filter(pk=1).values_list("token", flat=True).first() or ""
    cached = _cache.get(using)
    if cached is not None and token and cached[0] == token:
        return cached[1]
    calendar = load_calendar(using=using)
    _cache[using] = (token, calendar)
    return calendar


def uncovered_years_ahead(*, today: date | None = None) -> list[int]:
    """This year if it is not covered, and next year if it is near and not covered."""
    today = today or timezone.localdate()
    years = [today.year]
    if date(today.year + 1, 1, 1) - today <= NEXT_YEAR_WARNING:
        years.append(today.year + 1)
    covered = set(CalendarYear.objects.filter(year__in=years, covered=True).values_list("year", flat=True))
    return [y for y in years if y not in covered]
