"""The calendar in the database: seeding from the package, administrators' edits, the cache."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kesu.workcalendar import services
from kesu.workcalendar.calendar import CalendarNotCovered
from kesu.workcalendar.models import (
    CalendarDay,
    CalendarRevision,
    CalendarYear,
    DayKind,
    Source,
    WorkingHours,
)
from kesu.workcalendar.selectors import get_calendar, uncovered_years_ahead
from kesu.workcalendar.statutory import package_years
from tests.workcalendar.reference import package_exceptions

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def token() -> str:
    return CalendarRevision.objects.get(pk=1).token


def test_a_fresh_database_covers_every_package_year():
    covered = list(CalendarYear.objects.filter(covered=True).values_list("year", flat=True))
    assert covered == list(package_years())
    assert covered[0] == 2004 and covered[-1] == 2026
    calendar = get_calendar()
    assert calendar.exceptions() == package_exceptions()
    day = CalendarDay.objects.get(date=date(2026, 2, 16))
    assert (day.name, day.kind, day.source, day.is_working_day) == (
        "春节",
        DayKind.STATUTORY_HOLIDAY,
        "package",
        False,
    )
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).kind == DayKind.MAKEUP_WORKDAY


def test_importing_again_changes_nothing():
    # given the database seeded by migrate
    before, rows = token(), CalendarDay.objects.count()
    # when the import runs again
    result = services.import_statutory_calendar()
    # then
    assert not result.changed
    assert token() == before and CalendarDay.objects.count() == rows


def test_the_import_restores_package_rows_and_leaves_administrators_rows_alone():
    # given an administrator's change on a package date, a lost package row and a stale one
    services.set_day(day=date(2026, 10, 10), is_working_day=False, kind=DayKind.COMPANY_DAY_OFF, name="团建")
    CalendarDay.objects.filter(date=date(2026, 2, 16)).delete()
    CalendarDay.objects.create(
        date=date(2026, 11, 27), is_working_day=False, kind=DayKind.STATUTORY_HOLIDAY, source=Source.PACKAGE
    )
    # when
    result = services.import_statutory_calendar(years=[2026])
    # then
    assert (result.created, result.deleted) == (1, 1)
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).source == Source.ADMIN
    assert CalendarDay.objects.filter(date=date(2026, 2, 16), source=Source.PACKAGE).exists()
    assert not CalendarDay.objects.filter(date=date(2026, 11, 27)).exists()


def test_the_import_refuses_years_the_package_does_not_have():
    with pytest.raises(ValidationError) as raised:
        services.import_statutory_calendar(years=[2026, 2027])
    assert "2027" in str(raised.value.message_dict["years"])


def test_editing_a_day_changes_the_results():
    # given Friday 27 November 2026, a normal working day
    assert get_calendar().add_working_days(date(2026, 11, 26), 1) == date(2026, 11, 27)
    # when the company gives it off
    services.set_day(day=date(2026, 11, 27), is_working_day=False, kind=DayKind.COMPANY_DAY_OFF, name="司庆")
    # then the next computation skips it
    assert get_calendar().add_working_days(date(2026, 11, 26), 1) == date(2026, 11, 30)
    # and a working Saturday counts
    services.set_day(day=date(2026, 11, 28), is_working_day=True, kind=DayKind.COMPANY_WORKDAY, name="加班")
    assert get_calendar().add_working_days(date(2026, 11, 26), 1) == date(2026, 11, 28)
    # and resetting the days gives the normal week back
    assert services.reset_day(day=date(2026, 11, 27)) is None
    services.reset_day(day=date(2026, 11, 28))
    assert get_calendar().add_working_days(date(2026, 11, 26), 1) == date(2026, 11, 27)


def test_resetting_an_edited_statutory_day_restores_the_package_row():
    services.set_day(day=date(2026, 10, 10), is_working_day=False, kind=DayKind.COMPANY_DAY_OFF)
    assert not get_calendar().is_working_day(date(2026, 10, 10))
    row = services.reset_day(day=date(2026, 10, 10))
    assert row is not None and row.source == Source.PACKAGE and row.kind == DayKind.MAKEUP_WORKDAY
    assert get_calendar().is_working_day(date(2026, 10, 10))


def test_set_day_refuses_inconsistent_days():
    with pytest.raises(ValidationError) as raised:
        services.set_day(day=date(2026, 11, 27), is_working_day=True, kind=DayKind.STATUTORY_HOLIDAY)
    assert "is_working_day" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        services.set_day(day=date(2026, 11, 27), is_working_day=True, kind=DayKind.MAKEUP_WORKDAY)  # a Friday
    assert "date" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        services.set_day(day=date(2026, 11, 27), is_working_day=False, kind="vacation")
    assert "kind" in raised.value.message_dict
    assert not CalendarDay.objects.filter(date=date(2026, 11, 27)).exists()


def test_an_administrator_covers_the_next_year():
    # given 2027 not covered: a deadline that reaches it is an error naming 2027
    with pytest.raises(CalendarNotCovered) as raised:
        get_calendar().add_working_days(date(2026, 12, 28), 10)
    assert raised.value.year == 2027
    # and covering 2027 before its holidays are entered is refused
    with pytest.raises(ValidationError) as refused:
        services.cover_year(2027)
    assert "covered" in refused.value.message_dict
    # when an administrator enters New Year's Day 2027 and covers the year
    services.set_day(day=date(2027, 1, 1), is_working_day=False, kind=DayKind.STATUTORY_HOLIDAY, name="元旦")
    assert pytest.raises(CalendarNotCovered, get_calendar().add_working_days, date(2026, 12, 28), 10)
    year = services.cover_year(2027, note="国办发明电")
    # then the deadline is computed, skipping the holiday (29, 30, 31 Dec; 4–8, 11, 12 Jan)
    assert (year.source, year.covered) == (Source.ADMIN, True)
    assert get_calendar().add_working_days(date(2026, 12, 28), 10) == date(2027, 1, 12)
    # and a later import of the package leaves the administrator's year alone
    services.import_statutory_calendar()
    assert CalendarYear.objects.get(year=2027).source == Source.ADMIN


def test_the_calendar_is_cached_until_it_changes(django_assert_num_queries):
    first = get_calendar()
    with django_assert_num_queries(1):  # the revision check only
        assert get_calendar() is first
    services.set_day(day=date(2026, 11, 27), is_working_day=False, kind=DayKind.COMPANY_DAY_OFF)
    assert get_calendar() is not first


def test_a_rolled_back_edit_does_not_stay_in_the_cache():
    class Abort(Exception):
        pass

    # given an edit that is read inside its transaction and then rolled back
    with pytest.raises(Abort), transaction.atomic():
        services.set_day(day=date(2026, 11, 27), is_working_day=False, kind=DayKind.COMPANY_DAY_OFF)
        assert not get_calendar().is_working_day(date(2026, 11, 27))
        raise Abort
    # then the calendar is the committed one again
    assert get_calendar().is_working_day(date(2026, 11, 27))


def test_working_hours_come_from_the_database():
    # given the defaults
    received = datetime(2026, 11, 23, 16, 0, tzinfo=SHANGHAI)
    assert get_calendar().add_working_hours(received, 2) == datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI)
    # when the afternoon is made to end at 18:00
    hours = WorkingHours.current()
    hours.afternoon_end = time(18, 0)
    hours.full_clean()
    hours.save()
    # then the same question has a new answer
    assert get_calendar().add_working_hours(received, 2) == datetime(2026, 11, 23, 18, 0, tzinfo=SHANGHAI)


def test_working_hours_are_validated():
    hours = WorkingHours(
        time_zone="Mars/Olympus",
        morning_start=time(9),
        morning_end=time(13),
        afternoon_start=time(12),
        afternoon_end=time(11),
    )
    with pytest.raises(ValidationError) as raised:
        hours.full_clean()
    assert {"time_zone", "afternoon_start", "afternoon_end"} <= set(raised.value.message_dict)
    WorkingHours.objects.create()
    with pytest.raises(ValidationError):
        WorkingHours().full_clean()  # a second row


def test_the_time_zone_defaults_to_the_settings():
    assert WorkingHours.current().time_zone == "Asia/Shanghai"


def test_a_complaint_received_now_after_the_close():
    # given it is 22:00 on the Wednesday before National Day
    with time_machine.travel(datetime(2026, 9, 30, 22, 0, tzinfo=SHANGHAI), tick=False):
        received = timezone.now()
        # when the rule is "by the end of the 1st working day, the receipt day counting"
        due = get_calendar().end_of_nth_working_day(received, 1, count_receipt_day=True)
    # then the receipt day no longer counts and the holidays are skipped
    assert due == datetime(2026, 10, 8, 17, 30, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime(2026, 6, 1, 9, 0), []),
        (datetime(2026, 11, 23, 9, 0), [2027]),
        (datetime(2027, 3, 1, 9, 0), [2027]),
    ],
)
def test_years_ahead_that_are_not_covered(today, expected):
    with time_machine.travel(today.replace(tzinfo=SHANGHAI), tick=False):
        assert uncovered_years_ahead() == expected
