"""Paging without counting a million rows: a capped count and a page that peeks one row ahead."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

COUNT_CAP = 10_000


@dataclass(frozen=True)
class CappedCount:
    """How many rows match, counted up to ``cap``; ``exact`` is False when there are more."""

    value: int
    exact: bool

    def __str__(self) -> str:
        return str(self.value) if self.exact else f"{self.value}+"


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> CappedCount:
    """Count at most ``cap`` rows. ``COUNT(*)`` over a sliced subquery stops after ``cap + 1`` rows,
    so a broad filter on a large table costs the same as a narrow one."""
    counted = queryset.order_by().values("pk")[: cap + 1].count()
    return CappedCount(value=min(counted, cap), exact=counted <= cap)


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    number: int
    has_next: bool
    count: CappedCount
    page_size: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def num_pages(self) -> int | None:
        """Known only when the count is exact."""
        if not self.count.exact:
            return None
        return max(1, -(-self.count.value // self.page_size))

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.page_size + len(self.rows)


def page_of(queryset: QuerySet, *, number: Any, page_size: int, cap: int = COUNT_CAP) -> Page:
    """Rows of page ``number`` (1-based; junk or out-of-range numbers fall back to page 1)."""
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    count = capped_count(queryset, cap)
    if count.exact and (number - 1) * page_size >= count.value:
        number = 1
    offset = (number - 1) * page_size
    rows = list(queryset[offset : offset + page_size + 1])
    return Page(
        rows=rows[:page_size],
        number=number,
        has_next=len(rows) > page_size,
        count=count,
        page_size=page_size,
    )
