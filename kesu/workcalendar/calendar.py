"""Working-day and working-hour arithmetic on the Chinese working calendar (工作日历).

The definitions below are the contract the time-limit clocks rely on.

* A **working day** is a Monday–Friday that the calendar does not list as a day off (statutory
  holiday, company day off), or a Saturday/Sunday that it lists as a working day (调休补班, company
  workday). Only those exceptions are stored; every other day follows the Monday–Friday week.
* ``add_working_days(d, n)`` is the date of the Nth working day **after** ``d``: with
  ``count_start_day=False`` (the default) ``d`` itself never counts, so from a Monday ``n=1`` is the
  Tuesday. With ``count_start_day=True`` ``d`` is the first day when it is a working day (from a
  Monday ``n=1`` is that Monday; from a Saturday it is still the next Monday). ``n=0`` returns ``d``.
* ``working_days_between(a, b)`` counts the working days in the half-open range ``(a, b]`` (negative
  when ``b < a``), so ``working_days_between(d, add_working_days(d, n)) == n``.
* **Working hours** are two periods a day (morning and afternoon, the lunch break between them) in
  the calendar's time zone. ``add_working_hours`` moves through working time only; a sum that ends
  exactly at the close of a period ends there (17:30), not at the next opening (08:30 next day).
* ``end_of_nth_working_day(received_at, n, count_receipt_day)`` is "by the end of the Nth working day
  after receipt": the close of working hours on ``add_working_days(receipt date, n)``. When the
  receipt day counts, it counts only if the complaint arrived before that day's close — a complaint
  received at 22:00 is never due at 17:30 the same day.
* Every day an answer depends on must lie in a **covered** year; otherwise ``CalendarNotCovered``
  names the first missing year. A silently wrong date is never returned.

Nothing here walks day by day: the working days of all covered years are one sorted tuple of date
ordinals, and each question is one or two ``bisect`` calls (O(log n)) plus an index.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext

from kesu.core.errors import KesuError

_US_PER_SECOND = 1_000_000


class CalendarNotCovered(KesuError):
    """A computation needs a year whose holidays and make-up days nobody has entered yet."""

    status_code = 409

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(year)

    def __str__(self) -> str:
        message = (
            "The working calendar does not cover %(year)s: enter that year's holidays and make-up "
            "working days (State Council notice) in the admin, then mark the year as covered."
        )
        # Translated inside Django; plain English where the calendar is used without it (bench).
        return (gettext(message) if settings.configured else message) % {"year": self.year}


def _us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _US_PER_SECOND + t.microsecond


def _time(us: int) -> time:
    seconds, micro = divmod(us, _US_PER_SECOND)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return time(hour, minute, second, micro)


@dataclass(frozen=True)
class WorkingHoursSpec:
    """A working day's two periods, e.g. 08:30–12:00 and 13:00–17:30, in one time zone."""

    tz: tzinfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    morning_start: time = time(8, 30)
    morning_end: time = time(12, 0)
    afternoon_start: time = time(13, 0)
    afternoon_end: time = time(17, 30)

    def __post_init__(self) -> None:
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise ValueError("working hours must be morning start < end <= afternoon start < end")

    @property
    def day_length(self) -> timedelta:
        return timedelta(microseconds=self._day_us)

    @property
    def _day_us(self) -> int:
        return (_us(self.morning_end) - _us(self.morning_start)) + (
            _us(self.afternoon_end) - _us(self.afternoon_start)
        )


class WorkingCalendar:
    """An immutable snapshot of the working calendar: covered years, exceptions, working hours."""

    __slots__ = (
        "covered_years",
        "hours",
        "_exceptions",
        "_work",
        "_runs",
        "_tz",
        "_ms",
        "_me",
        "_as",
        "_ae",
        "_morning",
        "_day",
    )

    def __init__(
        self,
        *,
        covered_years: Iterable[int],
        exceptions: Mapping[date, bool],
        hours: WorkingHoursSpec | None = None,
    ) -> None:
        years = sorted(set(covered_years))
        hours = hours or WorkingHoursSpec()
        setattr_ = object.__setattr__
        setattr_(self, "covered_years", tuple(years))
        setattr_(self, "hours", hours)

        # For each covered year: (last ordinal of its run of consecutive covered years, the first
        # uncovered year after that run). One dict lookup answers "is this span covered?".
        runs: dict[int, tuple[int, int]] = {}
        run: list[int] = []
        for year in years + [None]:
            if run and (year is None or year != run[-1] + 1):
                info = (date(run[-1], 12, 31).toordinal(), run[-1] + 1)
                runs.update(dict.fromkeys(run, info))
                run = []
            if year is not None:
                run.append(year)
        setattr_(self, "_runs", runs)

        covered = set(years)
        exc = {d.toordinal(): bool(w) for d, w in exceptions.items() if d.year in covered}
        setattr_(self, "_exceptions", exc)
        work: list[int] = []
        for year in years:
            for ordinal in range(date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal() + 1):
                working = exc.get(ordinal)
                if working is None:
                    working = (ordinal + 6) % 7 < 5  # date.weekday() from the ordinal
                if working:
                    work.append(ordinal)
        setattr_(self, "_work", tuple(work))

        setattr_(self, "_tz", hours.tz)
        setattr_(self, "_ms", _us(hours.morning_start))
        setattr_(self, "_me", _us(hours.morning_end))
        setattr_(self, "_as", _us(hours.afternoon_start))
        setattr_(self, "_ae", _us(hours.afternoon_end))
        setattr_(self, "_morning", self._me - self._ms)
        setattr_(self, "_day", self._morning + self._ae - self._as)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("WorkingCalendar is immutable")

    def __repr__(self) -> str:
        years = f"{self.covered_years[0]}–{self.covered_years[-1]}" if self.covered_years else "none"
        return f"<WorkingCalendar years={years} exceptions={len(self._exceptions)}>"

    # -- what the calendar covers -------------------------------------------------------------

    def covers(self, year: int) -> bool:
        return year in self._runs

    def exceptions(self) -> dict[date, bool]:
        """The stored exceptions to the Monday–Friday week in covered years (date → working?)."""
        return {date.fromordinal(o): w for o, w in sorted(self._exceptions.items())}

    def _run(self, year: int) -> tuple[int, int]:
        try:
            return self._runs[year]
        except KeyError:
            raise CalendarNotCovered(year) from None

    # -- working days ----------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        self._run(day.year)
        working = self._exceptions.get(day.toordinal())
        return day.weekday() < 5 if working is None else working

    def add_working_days(self, start: date, n: int, *, count_start_day: bool = False) -> date:
        """The Nth working day after ``start`` (``start`` counts only with ``count_start_day``)."""
        if n < 0:
            raise ValueError("n must be zero or more working days")
        end, next_uncovered = self._run(start.year)
        if n == 0:
            return start
        work = self._work
        ordinal = start.toordinal()
        i = (bisect_left(work, ordinal) if count_start_day else bisect_right(work, ordinal)) + n - 1
        if i >= len(work) or work[i] > end:
            raise CalendarNotCovered(next_uncovered)
        return date.fromordinal(work[i])

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in ``(a, b]``; negative when ``b`` is before ``a``."""
        if b < a:
            return -self.working_days_between(b, a)
        end, next_uncovered = self._run(a.year)
        ob = b.toordinal()
        if ob > end:
            raise CalendarNotCovered(next_uncovered)
        return bisect_right(self._work, ob) - bisect_right(self._work, a.toordinal())

    # -- working hours -------------------------------------------------------------------------

    def _position(self, moment: datetime) -> tuple[int, tuple[int, int]]:
        """Working time (µs) from the first covered working day to ``moment``, and its year's run."""
        if moment.tzinfo is None:
            raise ValueError("working-hour arithmetic needs an aware datetime")
        local = moment.astimezone(self._tz)
        day = local.date()
        run = self._run(day.year)
        ordinal = day.toordinal()
        work = self._work
        index = bisect_left(work, ordinal)
        offset = 0
        if index < len(work) and work[index] == ordinal:
            now = _us(local.time())
            offset = min(max(now - self._ms, 0), self._morning) + min(
                max(now - self._as, 0), self._ae - self._as
            )
        return index * self._day + offset, run

    def _moment(self, position: int, run: tuple[int, int]) -> datetime:
        index, rem = divmod(position, self._day)
        if rem == 0 and index > 0:
            # The close of the previous working day, not the next opening.
            index, rem = index - 1, self._day
        work = self._work
        if index >= len(work) or work[index] > run[0]:
            raise CalendarNotCovered(run[1])
        wall = self._ms + rem if rem <= self._morning else self._as + rem - self._morning
        return datetime.combine(date.fromordinal(work[index]), _time(wall), tzinfo=self._tz)

    def add_working_hours(self, start: datetime, hours: float | int | Decimal | timedelta) -> datetime:
        """``start`` plus ``hours`` of working time (lunch break, nights and days off skipped)."""
        amount = hours if isinstance(hours, timedelta) else timedelta(hours=float(hours))
        micro = amount // timedelta(microseconds=1)
        if micro < 0:
            raise ValueError("hours must be zero or more")
        position, run = self._position(start)
        if micro == 0:
            return start
        return self._moment(position + micro, run)

    def working_hours_between(self, a: datetime, b: datetime) -> timedelta:
        """The working time from ``a`` to ``b`` (negative when ``b`` is before ``a``)."""
        pa, run_a = self._position(a)
        pb, run_b = self._position(b)
        if run_a != run_b:
            raise CalendarNotCovered(min(run_a, run_b)[1])
        return timedelta(microseconds=pb - pa)

    def end_of_nth_working_day(self, received_at: datetime, n: int, *, count_receipt_day: bool) -> datetime:
        """ "By the end of the Nth working day after receipt" as an aware datetime (the close of work)."""
        if n < 1:
            raise ValueError("n must be one or more working days")
        if received_at.tzinfo is None:
            raise ValueError("received_at must be an aware datetime")
        local = received_at.astimezone(self._tz)
        counts = count_receipt_day and _us(local.time()) < self._ae
        due = self.add_working_days(local.date(), n, count_start_day=counts)
        return datetime.combine(due, self.hours.afternoon_end, tzinfo=self._tz)
