"""The working calendar moved from kesu.deadlines to kesu.workcalendar without copying a row: its
tables keep their names, the migrations only move the models between the apps' states."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kesu.workcalendar.models import CalendarDay
from kesu.workcalendar.selectors import load_calendar

BEFORE = [("deadlines", "0006_targets_caps_markets"), ("workcalendar", None)]


@pytest.mark.django_db(transaction=True)
def test_an_administrator_s_day_survives_the_move():
    # given: the database as it was before the move, with a company day off entered then
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state([BEFORE[0]]).apps
    old.get_model("deadlines", "CalendarDay").objects.create(
        date=date(2026, 11, 27), is_working_day=False, kind="company_day_off", name="司庆", source="admin"
    )
    ContentType.objects.get_or_create(app_label="deadlines", model="calendarday")

    # when
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    # then: the same row, read through the new app; its content type (admin history, permissions) moved
    day = CalendarDay.objects.get(date=date(2026, 11, 27))
    assert (day.name, day.source, day.is_working_day) == ("司庆", "admin", False)
    assert not load_calendar().is_working_day(date(2026, 11, 27))
    assert ContentType.objects.filter(app_label="workcalendar", model="calendarday").exists()
    assert not ContentType.objects.filter(app_label="deadlines", model="calendarday").exists()
