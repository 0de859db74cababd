"""split_amount: largest remainder to the fen, ties to the earlier party (property-based)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kesu.decisions.split import SharesDoNotAddUp, split_amount

FEN = Decimal("0.01")
amounts = st.integers(min_value=0, max_value=10**14 - 1).map(lambda fens: Decimal(fens) * FEN)


@st.composite
def shares_to_100(draw):
    """1–8 shares in hundredths of a percent, each > 0, summing to exactly 100.00."""
    count = draw(st.integers(min_value=1, max_value=8))
    cuts = sorted(draw(st.lists(st.integers(1, 9999), min_size=count - 1, max_size=count - 1, unique=True)))
    bounds = [0, *cuts, 10000]
    return [Decimal(b - a) * FEN for a, b in zip(bounds, bounds[1:], strict=False)]


@given(amounts, shares_to_100())
def test_the_parts_sum_to_the_total_and_each_is_within_a_fen_of_its_exact_share(total, shares):
    parts = split_amount(total, shares)
    assert sum(parts, Decimal(0)) == total
    assert len(parts) == len(shares)
    for part, share in zip(parts, shares, strict=True):
        assert part == part.quantize(FEN) and part >= 0
        assert abs(part - total * share / 100) < FEN


@given(amounts, st.lists(st.integers(1, 10000), min_size=1, max_size=8))
def test_shares_not_summing_to_100_are_refused(total, hundredths):
    shares = [Decimal(h) * FEN for h in hundredths]
    if sum(shares) == 100:
        shares.append(FEN)  # now 100.01
    with pytest.raises(SharesDoNotAddUp):
        split_amount(total, shares)


def test_the_furniture_70_30_split_of_1000_yuan():
    """seed 000 4.2.3.3 ④: the responsibility ratio splits the repair-cost budget."""
    assert split_amount(Decimal("1000.00"), [Decimal("70"), Decimal("30")]) == [
        Decimal("700.00"),
        Decimal("300.00"),
    ]


def test_a_tie_goes_to_the_earlier_party():
    assert split_amount(Decimal("0.01"), [Decimal("50"), Decimal("50")]) == [Decimal("0.01"), Decimal("0.00")]
    assert split_amount(Decimal("100.00"), [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]) == [
        Decimal("33.33"),
        Decimal("33.33"),
        Decimal("33.34"),
    ]
    assert split_amount(Decimal("0.02"), [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]) == [
        Decimal("0.01"),
        Decimal("0.01"),
        Decimal("0.00"),
    ]


@pytest.mark.parametrize(
    "shares", [[Decimal("99.99")], [Decimal("100.01")], [], [Decimal("-10"), Decimal("110")]]
)
def test_bad_shares_are_refused(shares):
    with pytest.raises(SharesDoNotAddUp):
        split_amount(Decimal("10.00"), shares)
