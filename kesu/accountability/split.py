"""Splitting an amount by base points (基点数), to the fen: the same rounding rule as
kesu.decisions.split (largest remainder, 最大余额法; ties to the earlier party), over weights
instead of percentages — a department's base points rarely divide 100 evenly."""

from __future__ import annotations

from decimal import Decimal

FEN = Decimal("0.01")


def split_by_weights(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """``total`` (CNY, ≥ 0, at most 2 decimals) into one part per weight (≥ 0, some > 0),
    proportional to the weight, summing to ``total`` exactly; each part within a fen of its
    exact share. ValueError otherwise."""
    total = Decimal(total)
    if not total.is_finite() or total < 0 or total != total.quantize(FEN):
        raise ValueError(f"not an amount in fen: {total}")
    if not weights or any(not Decimal(w).is_finite() or Decimal(w) < 0 for w in weights):
        raise ValueError("weights must be finite and not negative")
    # Integers throughout (a draft splits hundreds of losses): the weights scaled to whole
    # numbers by their largest number of decimals, the total in fen. Each exact share is
    # fens × w ÷ whole; its floor and remainder come from one integer division, and comparing
    # remainders over the same denominator orders the shares as their fractional parts do.
    decimals = [Decimal(w) for w in weights]
    places = max(0, *(-int(d.as_tuple().exponent) for d in decimals))
    scale = 10**places
    scaled = [int(d * scale) for d in decimals]
    whole = sum(scaled)
    if whole == 0:
        raise ValueError("the weights add up to zero")
    fens = int(total / FEN)
    divided = [divmod(fens * w, whole) for w in scaled]
    parts = [quotient for quotient, _remainder in divided]
    left = fens - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-divided[i][1], i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return [(Decimal(p) * FEN).quantize(FEN) for p in parts]
