"""The calendar admin: filters, search, and edits that go through the models' validation."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from kesu.workcalendar.models import CalendarDay, CalendarYear, DayKind, Source, WorkingHours
from kesu.workcalendar.selectors import get_calendar

pytestmark = pytest.mark.django_db


def test_days_filter_by_year_and_kind_and_search_by_name(admin_client):
    url = reverse("admin:workcalendar_calendarday_changelist")
    page = admin_client.get(url, {"year": "2026", "kind": DayKind.MAKEUP_WORKDAY})
    assert page.status_code == 200
    shown = {d.date for d in page.context["cl"].result_list}
    assert date(2026, 10, 10) in shown and date(2026, 2, 14) in shown
    assert all(d.year == 2026 for d in shown)
    found = admin_client.get(url, {"q": "国庆节", "year": "2026"}).context["cl"].result_list
    assert {d.date for d in found} >= {date(2026, 10, 1), date(2026, 9, 20)}
    assert all(d.name == "国庆节" for d in found)


def test_the_admin_warns_when_next_year_is_not_covered(admin_client):
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        page = admin_client.get(reverse("admin:workcalendar_calendaryear_changelist"))
    assert page.status_code == 200
    assert any("2027" in str(m) for m in page.context["messages"])


def test_an_inconsistent_day_is_a_field_error(admin_client):
    # when a Friday is entered as a make-up working day that is not a working day
    page = admin_client.post(
        reverse("admin:workcalendar_calendarday_add"),
        {"date": "2026-11-27", "is_working_day": "", "kind": DayKind.MAKEUP_WORKDAY, "name": "x"},
    )
    # then the form comes back with the error and nothing is saved
    assert page.status_code == 200
    assert page.context["adminform"].form.errors
    assert not CalendarDay.objects.filter(date=date(2026, 11, 27)).exists()


def test_a_day_entered_in_the_admin_is_an_administrators_and_is_used_at_once(admin_client):
    assert get_calendar().is_working_day(date(2026, 11, 27))
    page = admin_client.post(
        reverse("admin:workcalendar_calendarday_add"),
        {"date": "2026-11-27", "kind": DayKind.COMPANY_DAY_OFF, "name": "司庆"},
    )
    assert page.status_code == 302
    assert CalendarDay.objects.get(date=date(2026, 11, 27)).source == Source.ADMIN
    assert not get_calendar().is_working_day(date(2026, 11, 27))


def test_covering_a_year_without_holidays_is_refused_in_the_admin(admin_client):
    page = admin_client.post(
        reverse("admin:workcalendar_calendaryear_add"), {"year": "2027", "covered": "on"}
    )
    assert page.status_code == 200
    assert "covered" in page.context["adminform"].form.errors
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_working_hours_edit_is_validated(admin_client):
    url = reverse("admin:workcalendar_workinghours_add")
    page = admin_client.post(
        url,
        {
            "time_zone": "Asia/Shanghai",
            "morning_start": "08:30",
            "morning_end": "13:30",
            "afternoon_start": "13:00",
            "afternoon_end": "17:30",
        },
    )
    assert page.status_code == 200
    assert "afternoon_start" in page.context["adminform"].form.errors
    page = admin_client.post(
        url,
        {
            "time_zone": "Asia/Shanghai",
            "morning_start": "09:00",
            "morning_end": "12:00",
            "afternoon_start": "13:30",
            "afternoon_end": "18:00",
        },
    )
    assert page.status_code == 302
    assert str(WorkingHours.current()) == "09:00–12:00, 13:30–18:00 (Asia/Shanghai)"
    # one set of working hours: no second "add"
    assert admin_client.get(url).status_code == 403
