"""Splitting a money line by responsibility shares, to the fen (分).

Rounding rule (largest remainder, 最大余额法): each party first gets its exact share
``total × share / 100`` rounded DOWN to the fen; the fens left over (fewer than the number of
parties) go one each to the parties with the largest remainders cut off, ties broken by order (the
party listed first wins). So the parts always sum to the total exactly, and each part is within
one fen of its exact share.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

FEN = Decimal("0.01")
HUNDRED = Decimal("100")


class SharesDoNotAddUp(ValueError):
    """The shares do not add up to exactly 100.00 %."""


def split_amount(total: Decimal, shares: list[Decimal]) -> list[Decimal]:
    """Split ``total`` (CNY, at most 2 decimals, ≥ 0) into one part per share (percentages with at
    most 2 decimals, each ≥ 0, adding up to exactly 100.00) by the largest remainder to the fen;
    ties go to the earlier share. Raises SharesDoNotAddUp otherwise (ValueError for a bad total)."""
    total = Decimal(total)
    shares = [Decimal(s) for s in shares]
    if not total.is_finite() or total < 0 or total != total.quantize(FEN):
        raise ValueError(f"not an amount in fen: {total}")
    if not shares or any(not s.is_finite() or s < 0 for s in shares) or sum(shares, Decimal(0)) != HUNDRED:
        raise SharesDoNotAddUp(f"shares must add up to 100.00, not {sum(shares, Decimal(0))}")
    fens = int(total / FEN)
    exact = [Decimal(fens) * share / HUNDRED for share in shares]  # in fen; exact: shares have 2 places
    parts = [int(e.to_integral_value(rounding=ROUND_DOWN)) for e in exact]
    left = fens - sum(parts)
    by_remainder = sorted(range(len(shares)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return [(Decimal(p) * FEN).quantize(FEN) for p in parts]
