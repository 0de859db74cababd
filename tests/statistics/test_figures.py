"""Every statistics figure equals a plain, slow computation in Python over the same rows, for each
dimension; each figure's drill-down lists exactly the complaints behind it; the viewer's scope
limits both; bad input is refused with a message."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from kesu.complaints.models import Complaint
from kesu.complaints.selectors import complaints_visible_to
from kesu.statistics.selectors import DIMENSIONS, StatisticsError, View, bearers, drill, statistics
from tests.statistics.conftest import NOW, nearest_rank, slow_statistics

OCT_1, NOV_30 = date(2026, 10, 1), date(2026, 11, 30)
COUNTS = (
    "received",
    "open",
    "overdue",
    "secondary",
    "closed",
    "upheld",
    "not_upheld",
    "satisfied",
    "neutral",
    "unsatisfied",
)


def _everything():
    return Complaint.objects.prefetch_related("clocks", "events").select_related("category", "severity")


@pytest.mark.parametrize("by", list(DIMENSIONS))
def test_each_figure_equals_the_slow_computation(history, org, by):
    with time_machine.travel(NOW, tick=False):
        stats = statistics(
            view=View(by=by, since=OCT_1, until=NOV_30), complaints=complaints_visible_to(staff=org.director)
        )
        slow = slow_statistics(by, OCT_1, NOV_30, _everything(), NOW)
    rows = {row.key: row for row in stats.rows}
    assert set(rows) == set(slow)
    assert stats.rows, "the history has figures"
    for key, expected in slow.items():
        row = rows[key]
        for name in COUNTS:
            assert getattr(row, name) == getattr(expected, name), (key, name)
        assert row.loss_amount == expected.loss_amount and row.compensation == expected.compensation
        assert row.replied == len(expected.handling)
        if expected.handling:
            assert row.average_hours == pytest.approx(sum(expected.handling) / len(expected.handling))
            assert row.p50_hours == pytest.approx(nearest_rank(expected.handling, 50))
            assert row.p90_hours == pytest.approx(nearest_rank(expected.handling, 90))
        else:
            assert row.average_hours is None and row.p50_hours is None
        assert {kind: [f.due, f.on_time] for kind, f in row.clocks.items()} == expected.clocks, key
    # totals add up; the total handling time is over the whole period
    every = [hours for expected in slow.values() for hours in expected.handling]
    assert stats.totals.received == sum(e.received for e in slow.values()) == 10
    assert stats.totals.p90_hours == pytest.approx(nearest_rank(every, 90))
    assert stats.totals.average_hours == pytest.approx(sum(every) / len(every))


def test_the_history_exercises_every_figure(history, org):
    """The fixture is not trivially empty: every kind of figure is non-zero somewhere."""
    with time_machine.travel(NOW, tick=False):
        stats = statistics(
            view=View(by="month", since=OCT_1, until=NOV_30), complaints=Complaint.objects.all()
        )
    totals = stats.totals
    assert all(getattr(totals, name) > 0 for name in COUNTS), totals
    assert totals.clocks["resolution"].late > 0 and totals.clocks["resolution"].on_time > 0
    assert totals.loss_amount == Decimal("1500.00")  # 1000 + 200 (the reworked version) + 300
    assert stats.target_hours is None  # the furniture rule book sets no handling-time target


@pytest.mark.parametrize(
    "by", ["month", "customer", "department", "channel", "product", "batch", "region", "customer_class"]
)
def test_every_figure_drills_down_to_exactly_its_complaints(history, org, by):
    view = View(by=by, since=OCT_1, until=NOV_30)
    visible = complaints_visible_to(staff=org.director)
    with time_machine.travel(NOW, tick=False):
        stats = statistics(view=view, complaints=visible)
        slow = slow_statistics(by, OCT_1, NOV_30, _everything(), NOW)
        checked = 0
        for row in stats.rows:
            for measure, numbers in slow[row.key].numbers.items():
                found = set(
                    drill(view=view, complaints=visible, measure=measure, key=row.key).values_list(
                        "number", flat=True
                    )
                )
                assert found == numbers, (row.key, measure)
                checked += 1
            # a figure of zero drills down to nothing
            for measure in COUNTS:
                if getattr(row, measure) == 0:
                    assert not drill(view=view, complaints=visible, measure=measure, key=row.key).exists()
        # the totals drill down to the whole period
        received = drill(view=view, complaints=visible, measure="received")
        assert received.count() == stats.totals.received
    assert checked > 10


def test_month_over_month_change(history, org):
    with time_machine.travel(NOW, tick=False):
        stats = statistics(
            view=View(by="month", since=OCT_1, until=NOV_30), complaints=Complaint.objects.all()
        )
    october, november = stats.rows
    assert (october.key, october.previous_received, october.change) == ("2026-10", 0, None)
    assert november.previous_received == october.received == 2
    assert november.change == pytest.approx((november.received - 2) / 2)
    # the whole period against the 61 days before it (August and September: nothing)
    assert (stats.totals.previous_received, stats.totals.change) == (0, None)


def test_by_customer_the_change_is_against_the_previous_period(history, org):
    with time_machine.travel(NOW, tick=False):
        stats = statistics(
            view=View(by="customer", since=date(2026, 11, 1), until=NOV_30),
            complaints=Complaint.objects.all(),
        )
    acme = next(row for row in stats.rows if row.label == "宏达家具城")
    # November: three from 宏达家具城; the 61 days before: one (October 9)
    assert (acme.received, acme.previous_received, acme.change) == (3, 1, 2.0)


def test_who_bears_the_losses(history, org):
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        view = View(by="month", since=OCT_1, until=NOV_30)
        found = {
            b.label: (b.amount, b.complaints) for b in bearers(view=view, complaints=Complaint.objects.all())
        }
    # October: 1000 × 60 % production, 40 % the carrier; November: the reworked version (the
    # customer's own misuse, 200) replaces the first; the refused version counts for nothing;
    # 300 split between production and quality
    assert found == {
        "生产部 (department)": (Decimal("750.00"), 2),
        "顺丰物流 (carrier)": (Decimal("400.00"), 1),
        "宏达家具城 (customer)": (Decimal("200.00"), 1),
        "质量部 (department)": (Decimal("150.00"), 1),
    }
    with time_machine.travel(NOW, tick=False):
        production = next(
            b for b in bearers(view=view, complaints=Complaint.objects.all()) if b.amount == Decimal("750.00")
        )
        behind = drill(view=view, complaints=Complaint.objects.all(), measure="bearer", key=production.key)
        assert {c.number for c in behind} == {history[0].number, history[5].number}


def test_the_viewer_sees_only_the_figures_of_what_they_may_see(history, org):
    with time_machine.travel(NOW, tick=False):
        view = View(by="month", since=OCT_1, until=NOV_30)
        production = statistics(view=view, complaints=complaints_visible_to(staff=org.production_head))
        quality = statistics(view=view, complaints=complaints_visible_to(staff=org.quality_head))
        slow = slow_statistics(
            "month", OCT_1, NOV_30, _everything().filter(handling_department=org.production), NOW
        )
        drilled = drill(
            view=view, complaints=complaints_visible_to(staff=org.production_head), measure="received"
        )
    assert quality.rows == [] and quality.totals.received == 0 and quality.bearers == []
    assert {r.key: r.received for r in production.rows} == {k: v.received for k, v in slow.items()}
    assert production.totals.received < 10
    assert set(drilled.values_list("handling_department", flat=True)) == {org.production.pk}


def test_a_target_is_the_rule_books_own(history, org):
    from kesu.deadlines.models import HandlingTimeTarget

    HandlingTimeTarget.objects.create(
        name="月平均处理时长", max_average_hours=Decimal("17"), source="seed 000 第二篇"
    )
    with time_machine.travel(NOW, tick=False):
        stats = statistics(
            view=View(by="month", since=OCT_1, until=NOV_30), complaints=Complaint.objects.all()
        )
    assert stats.target_hours == 17
    assert [stats.above_target(row) for row in stats.rows] == [row.average_hours > 17 for row in stats.rows]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"by": "weather", "since": OCT_1, "until": NOV_30}, "by"),
        ({"by": "month", "since": NOV_30, "until": OCT_1}, "until"),
        ({"by": "month", "since": date(2000, 1, 1), "until": NOV_30}, "until"),
    ],
)
def test_bad_views_are_refused_with_the_field_named(kwargs, field):
    with pytest.raises(StatisticsError) as error:
        View(**kwargs)
    assert error.value.field == field and str(error.value)


@pytest.mark.parametrize(
    ("measure", "key"),
    [("weather", None), ("due:weather", None), ("received", "2026-13"), ("received", "x"), ("bearer", None)],
)
def test_bad_drill_downs_are_refused(db, measure, key):
    view = View(by="month", since=OCT_1, until=NOV_30)
    with pytest.raises(StatisticsError):
        drill(view=view, complaints=Complaint.objects.all(), measure=measure, key=key)
