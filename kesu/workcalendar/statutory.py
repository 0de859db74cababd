"""The statutory calendar as the ``chinesecalendar`` package publishes it.

Each year the General Office of the State Council (国务院办公厅) announces the public holidays and the
make-up working days (调休补班) of the next year; the package carries those notices up to its last
release. Only the *exceptions* to the Monday–Friday week are returned here: holidays that fall on a
weekday and make-up working days that fall on a weekend. A holiday on a Saturday changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from chinese_calendar import constants

# The package names days in English; Kesu shows the names Chinese staff use.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


@dataclass(frozen=True)
class StatutoryDay:
    day: date
    is_working_day: bool
    name: str


def package_years() -> range:
    """The years the installed package covers (2004–2026 for chinesecalendar 1.11)."""
    years = {d.year for d in constants.holidays}
    return range(min(years), max(years) + 1)


def statutory_exceptions(years: Iterable[int] | None = None) -> list[StatutoryDay]:
    """The package's exceptions to the normal week for ``years`` (all package years if None)."""
    wanted = set(package_years() if years is None else years)
    days = [
        StatutoryDay(day, False, HOLIDAY_NAMES.get(name, name))
        for day, name in constants.holidays.items()
        if day.year in wanted and day.weekday() < 5
    ]
    days += [
        StatutoryDay(day, True, HOLIDAY_NAMES.get(name, name))
        for day, name in constants.workdays.items()
        if day.year in wanted and day.weekday() >= 5
    ]
    return sorted(days, key=lambda d: d.day)
