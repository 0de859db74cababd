"""Hot spots (异常集中): a product or batch whose complaints in the period exceed its own trailing
mean + k·σ (HotSpotRule) — compared with a plain computation in Python over the same rows."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from kesu.complaints.models import Complaint
from kesu.complaints.selectors import complaints_visible_to
from kesu.customers.models import Product
from kesu.statistics.models import HotSpotRule
from kesu.statistics.selectors import View, drill, hot_spots, statistics
from tests.conftest import local

NOVEMBER = View(by="month", since=date(2026, 11, 1), until=date(2026, 11, 30))
NOW = local(2026, 12, 2, 10)


@pytest.fixture
def products(org, register):
    """Chair: 1 complaint in each of the three 30-day periods before November, 3 in November (a
    spike). Sofa: 2, 4, 0 before and 3 in November (within mean + σ). Batches follow the chair."""
    chair = Product.objects.create(model_code="YZ-01", name="餐椅")
    sofa = Product.objects.create(model_code="SF-02", name="布艺沙发")
    days = {
        chair: [(-75, "A1"), (-45, "A1"), (-15, "A2"), (2, "A3"), (9, "A3"), (20, "A3")],
        sofa: [(-80, ""), (-85, ""), (-40, ""), (-41, ""), (-42, ""), (-50, ""), (3, ""), (4, ""), (5, "")],
    }
    start = local(2026, 11, 1, 10)
    for product, entries in days.items():
        for offset, batch in entries:
            at = start + timedelta(days=offset)
            with time_machine.travel(at + timedelta(minutes=5), tick=False):
                complaint = register(received_at=at)
            Complaint.objects.filter(pk=complaint.pk).update(product=product, batch_number=batch)
    return chair, sofa


def slow_hot_spots(
    view: View, complaints, periods: int, k: float, minimum: int
) -> dict[tuple[str, str], int]:
    length = view.end - view.start
    counts: dict[tuple[str, str], list[int]] = {}
    for c in complaints:
        if view.start <= c.received_at < view.end:
            index = 0
        elif view.start - length * periods <= c.received_at < view.start:
            index = (view.start - c.received_at) // length + 1
        else:
            continue
        for by, value in (("product", c.product_id), ("batch", c.batch_number or None)):
            if value is not None:
                counts.setdefault((by, str(value)), [0] * (periods + 1))[index] += 1
    found = {}
    for group, series in counts.items():
        history = series[1:]
        mean = sum(history) / periods
        sigma = math.sqrt(sum((c - mean) ** 2 for c in history) / periods)
        if series[0] >= minimum and series[0] > mean + k * sigma:
            found[group] = series[0]
    return found


@pytest.mark.parametrize(("periods", "k", "minimum"), [(3, "1", 2), (6, "2", 3), (2, "0", 1), (3, "3", 4)])
def test_hot_spots_equal_the_slow_computation(products, org, periods, k, minimum):
    HotSpotRule.objects.create(periods=periods, k=k, minimum=minimum)
    with time_machine.travel(NOW, tick=False):
        found = hot_spots(view=NOVEMBER, complaints=complaints_visible_to(staff=org.director))
    slow = slow_hot_spots(NOVEMBER, Complaint.objects.all(), periods, float(k), minimum)
    assert {(h.by, h.key): h.count for h in found} == slow


def test_the_chair_spikes_and_the_sofa_does_not(products, org):
    chair, sofa = products
    HotSpotRule.objects.create(periods=3, k="1", minimum=2)
    with time_machine.travel(NOW, tick=False):
        stats = statistics(view=NOVEMBER, complaints=complaints_visible_to(staff=org.director))
    spots = {(h.by, h.key): h for h in stats.hot_spots}
    assert set(spots) == {("product", str(chair.pk)), ("batch", "A3")}
    spot = spots[("product", str(chair.pk))]
    assert spot.label == "YZ-01 餐椅" and spot.count == 3 and spot.history == (1, 1, 1)
    assert spot.mean == 1 and spot.sigma == 0
    # the hot spot drills down to its complaints of the period
    with time_machine.travel(NOW, tick=False):
        view = View(by="product", since=NOVEMBER.since, until=NOVEMBER.until)
        behind = drill(view=view, complaints=Complaint.objects.all(), measure="received", key=str(chair.pk))
    assert behind.count() == 3


def test_without_a_rule_the_defaults_apply_and_a_scope_limits_the_hot_spots(products, org):
    rule = HotSpotRule.current()
    assert (rule.periods, float(rule.k), rule.minimum) == (6, 2.0, 3) and rule.pk is None
    with time_machine.travel(NOW, tick=False):
        everything = hot_spots(view=NOVEMBER, complaints=complaints_visible_to(staff=org.director))
        nothing = hot_spots(view=NOVEMBER, complaints=complaints_visible_to(staff=org.outsider))
    assert everything and nothing == []


def test_a_bad_rule_is_refused_by_field(db):
    with pytest.raises(ValidationError) as error:
        HotSpotRule(periods=0, k="-1", minimum=0).full_clean()
    assert set(error.value.message_dict) == {"periods", "k", "minimum"}
