"""Property-based tests (hypothesis): a split by base points sums to the loss to the fen; the
carry-over of capped deductions never creates or loses money over any sequence of months."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kesu.accountability.sheet import carry
from kesu.accountability.split import split_by_weights

FEN = Decimal("0.01")
amounts = st.integers(min_value=0, max_value=10**11).map(lambda fens: Decimal(fens) * FEN)
base_points = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)


@given(total=amounts, weights=st.lists(base_points, min_size=1, max_size=60).filter(lambda w: sum(w) > 0))
def test_a_split_by_base_points_sums_to_the_loss_to_the_fen(total, weights):
    parts = split_by_weights(total, weights)
    assert sum(parts, Decimal(0)) == total
    whole = sum(weights, Decimal(0))
    for part, weight in zip(parts, weights, strict=True):
        assert part == part.quantize(FEN) and part >= 0
        assert abs(part - total * weight / whole) < FEN  # within a fen of the exact share
        if weight == 0:
            assert part == 0


months = st.lists(
    st.tuples(amounts, st.one_of(st.none(), amounts)),  # (this month's capped deductions, the cap)
    min_size=1,
    max_size=36,
)


@given(months=months)
def test_carry_over_never_creates_or_loses_money(months):
    carried = Decimal("0.00")
    owed = deducted_total = Decimal("0.00")
    for due, cap in months:
        deducted, carried_out = carry(carried_in=carried, due=due, cap=cap)
        assert deducted >= 0 and carried_out >= 0
        assert cap is None or deducted <= cap
        assert deducted + carried_out == carried + due
        owed += due
        deducted_total += deducted
        carried = carried_out
    assert deducted_total + carried == owed  # every yuan owed is deducted or still carried


@given(cap=amounts.filter(lambda cap: cap > 0), share=st.fractions(min_value=0, max_value=36))
def test_a_carried_balance_is_paid_off_in_the_months_that_follow(cap, share):
    """(三)4 逐月分期罚扣: at most the cap each month until nothing is left."""
    due = (cap * Decimal(share.numerator) / Decimal(share.denominator)).quantize(FEN)
    carried, months = Decimal("0.00"), 0
    deducted, carried = carry(carried_in=carried, due=due, cap=cap)
    while carried:
        deducted, carried = carry(carried_in=carried, due=Decimal("0.00"), cap=cap)
        months += 1
        assert deducted == min(cap, deducted + carried)
    assert months <= due / cap + 1
