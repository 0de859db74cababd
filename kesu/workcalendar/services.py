"""Writes to the working calendar: the statutory import, an administrator's day and year edits.

Every write changes the ``CalendarRevision`` token in its transaction (the model signals do it for
single rows; the bulk import does it explicitly), so each process reloads its cached calendar, and
an administrator's edit sends ``calendar_changed`` in its transaction (kesu.deadlines re-times its
open clocks on it) — the calendar knows nothing of the apps that count in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.workcalendar.models import CalendarDay, CalendarRevision, CalendarYear, DayKind, Source
from kesu.workcalendar.signals import calendar_changed
from kesu.workcalendar.statutory import package_years, statutory_exceptions


@dataclass(frozen=True)
class ImportResult:
    years: tuple[int, ...]
    created: int
    updated: int
    deleted: int
    years_covered: int

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted or self.years_covered)


def import_statutory_calendar(*, years: Iterable[int] | None = None, using: str = "default") -> ImportResult:
    """Bring the statutory days of ``years`` (default: every year the package covers) in line with the
    ``chinesecalendar`` package and mark those years covered. Idempotent: a second run changes nothing.

    Rows an administrator entered or edited (source=admin) win over the package and are left alone;
    package rows the package no longer lists (a corrected release) are removed."""
    available = package_years()
    wanted = sorted(set(available if years is None else years))
    outside = [y for y in wanted if y not in available]
    if outside:
        raise ValidationError(
            {
                "years": _("The statutory calendar package covers %(first)s–%(last)s, not %(years)s.")
                % {"first": available[0], "last": available[-1], "years": ", ".join(map(str, outside))}
            }
        )
    if not wanted:
        return ImportResult((), 0, 0, 0, 0)
    now = timezone.now()
    with transaction.atomic(using=using):
        days = CalendarDay.objects.using(using)
        statutory = {s.day: s for s in statutory_exceptions(wanted)}
        existing = {
            row.date: row
            for row in days.filter(date__gte=date(wanted[0], 1, 1), date__lte=date(wanted[-1], 12, 31))
            if row.date.year in wanted
        }
        to_create, to_update = [], []
        for day, s in statutory.items():
            kind = DayKind.MAKEUP_WORKDAY if s.is_working_day else DayKind.STATUTORY_HOLIDAY
            row = existing.get(day)
            if row is None:
                to_create.append(
                    CalendarDay(
                        date=day,
                        is_working_day=s.is_working_day,
                        kind=kind,
                        name=s.name,
                        source=Source.PACKAGE,
                    )
                )
            elif row.source == Source.PACKAGE and (row.is_working_day, row.kind, row.name) != (
                s.is_working_day,
                kind,
                s.name,
            ):
                row.is_working_day, row.kind, row.name, row.updated_at = s.is_working_day, kind, s.name, now
                to_update.append(row)
        stale = [row.pk for d, row in existing.items() if row.source == Source.PACKAGE and d not in statutory]
        days.bulk_create(to_create)
        days.bulk_update(to_update, ["is_working_day", "kind", "name", "updated_at"])
        if stale:
            days.filter(pk__in=stale).delete()

        calendar_years = CalendarYear.objects.using(using)
        known = {row.year: row for row in calendar_years.filter(year__in=wanted)}
        new_years = [
            CalendarYear(year=y, covered=True, source=Source.PACKAGE) for y in wanted if y not in known
        ]
        calendar_years.bulk_create(new_years)
        # A package year is complete by definition; an administrator's own row for it stays as it is.
        uncovered = [r.pk for r in known.values() if r.source == Source.PACKAGE and not r.covered]
        calendar_years.filter(pk__in=uncovered).update(covered=True, updated_at=now)

        result = ImportResult(
            tuple(wanted), len(to_create), len(to_update), len(stale), len(new_years) + len(uncovered)
        )
        if result.changed:
            CalendarRevision.bump(using=using)
    return result


def changed(*, reason: str) -> int:
    """Tell the apps that count in the calendar that it changed (in the caller's transaction);
    returns how many complaints they re-timed."""
    answers = calendar_changed.send(sender=CalendarDay, reason=reason)
    return sum(count for _receiver, count in answers if isinstance(count, int))


def set_day(*, day: date, is_working_day: bool, kind: str, name: str = "") -> CalendarDay:
    """Record an exception for ``day`` as an administrator's entry (it wins over the package):
    the next year's holidays, a company day off, a company working Saturday."""
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(date=day).first() or CalendarDay(date=day)
        row.is_working_day, row.kind, row.name, row.source = is_working_day, kind, name, Source.ADMIN
        row.full_clean()
        row.save()
        changed(reason=_("Calendar changed: %(day)s") % {"day": day.isoformat()})
    return row


def reset_day(*, day: date) -> CalendarDay | None:
    """Undo an administrator's entry: the day follows the package again (or the normal week)."""
    with transaction.atomic():
        CalendarDay.objects.filter(date=day).delete()
        statutory = (
            {s.day: s for s in statutory_exceptions([day.year])}.get(day)
            if day.year in package_years()
            else None
        )
        row = None
        if statutory is not None:
            row = CalendarDay.objects.create(
                date=day,
                is_working_day=statutory.is_working_day,
                kind=DayKind.MAKEUP_WORKDAY if statutory.is_working_day else DayKind.STATUTORY_HOLIDAY,
                name=statutory.name,
                source=Source.PACKAGE,
            )
        changed(reason=_("Calendar changed: %(day)s") % {"day": day.isoformat()})
        return row


def cover_year(year: int, *, note: str = "") -> CalendarYear:
    """Declare ``year`` complete once its holidays and make-up days are entered (``set_day``);
    deadlines may then reach into it."""
    with transaction.atomic():
        row = CalendarYear.objects.select_for_update().filter(year=year).first() or CalendarYear(
            year=year, source=Source.ADMIN
        )
        row.covered = True
        if note:
            row.note = note
        row.full_clean()
        row.save()
        changed(reason=_("Calendar now covers %(year)s") % {"year": year})
    return row
