"""The working calendar (工作日历) as data: the exceptions to the Monday–Friday week, the years they
cover, and the working hours. The arithmetic lives in ``kesu.workcalendar.calendar``.

The tables keep the names they had when the calendar was part of kesu.deadlines (``db_table``):
the models moved between apps without copying a row (migrations 0001 here and deadlines 0007)."""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import date, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.workcalendar.calendar import WorkingHoursSpec


class DayKind(models.TextChoices):
    STATUTORY_HOLIDAY = "statutory_holiday", _("statutory holiday")
    MAKEUP_WORKDAY = "makeup_workday", _("make-up working day (调休补班)")
    COMPANY_DAY_OFF = "company_day_off", _("company day off")
    COMPANY_WORKDAY = "company_workday", _("company working day")


WORKING_KINDS = {DayKind.MAKEUP_WORKDAY, DayKind.COMPANY_WORKDAY}


class Source(models.TextChoices):
    PACKAGE = "package", _("statutory calendar package")
    ADMIN = "admin", _("entered by an administrator")


class CalendarDay(models.Model):
    """One exception to the Monday–Friday week: a weekday off (春节, 国庆节, a company day off) or a
    weekend day worked (调休补班). Every date without a row follows the normal week."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    kind = models.CharField(_("kind"), max_length=20, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("e.g. 春节, 国庆节"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.ADMIN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "deadlines_calendarday"  # the table it had in kesu.deadlines (moved, not copied)
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()

    def clean(self) -> None:
        if (
            self.kind
            and self.is_working_day is not None
            and (self.kind in WORKING_KINDS) != self.is_working_day
        ):
            raise ValidationError(
                {
                    "is_working_day": _("A “%(kind)s” is %(what)s.")
                    % {
                        "kind": DayKind(self.kind).label,
                        "what": _("a working day") if self.kind in WORKING_KINDS else _("a day off"),
                    }
                }
            )
        if self.kind == DayKind.MAKEUP_WORKDAY and self.date and self.date.weekday() < 5:
            raise ValidationError({"date": _("A make-up working day (调休补班) is a Saturday or a Sunday.")})


class CalendarYear(models.Model):
    """A year whose holidays and make-up days are all in ``CalendarDay``. Deadlines that reach an
    uncovered year fail loudly instead of silently treating its holidays as working days."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    covered = models.BooleanField(_("covered"), default=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.ADMIN)
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("e.g. 国办发明电〔2026〕X号"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "deadlines_calendaryear"
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)

    def clean(self) -> None:
        if self.year is not None and not 1900 <= self.year <= 2200:
            raise ValidationError({"year": _("Enter a year between 1900 and 2200.")})
        if self.covered and self.year is not None:
            has_holidays = CalendarDay.objects.filter(
                date__gte=date(self.year, 1, 1),
                date__lte=date(self.year, 12, 31),
                kind=DayKind.STATUTORY_HOLIDAY,
            ).exists()
            if not has_holidays:
                raise ValidationError(
                    {
                        "covered": _(
                            "Enter %(year)s's statutory holidays and make-up working days first: "
                            "a year without holidays would give wrong deadlines."
                        )
                        % {"year": self.year}
                    }
                )


def _default_time_zone() -> str:
    return settings.TIME_ZONE


class WorkingHours(models.Model):
    """The company's working hours, one row (作息时间): a morning and an afternoon period with the
    lunch break between them. Without a row the defaults 08:30–12:00 and 13:00–17:30 apply."""

    time_zone = models.CharField(_("time zone"), max_length=64, default=_default_time_zone)
    morning_start = models.TimeField(_("morning starts"), default=time(8, 30))
    morning_end = models.TimeField(_("morning ends"), default=time(12, 0))
    afternoon_start = models.TimeField(_("afternoon starts"), default=time(13, 0))
    afternoon_end = models.TimeField(_("afternoon ends"), default=time(17, 30))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "deadlines_workinghours"
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")

    def __str__(self) -> str:
        return (
            f"{self.morning_start:%H:%M}–{self.morning_end:%H:%M}, "
            f"{self.afternoon_start:%H:%M}–{self.afternoon_end:%H:%M} ({self.time_zone})"
        )

    @classmethod
    def current(cls) -> WorkingHours:
        """The stored row, or the unsaved defaults when there is none."""
        return cls.objects.order_by("pk").first() or cls()

    def clean(self) -> None:
        errors: dict[str, str] = {}
        try:
            zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errors["time_zone"] = _("“%(tz)s” is not a known time zone, e.g. Asia/Shanghai.") % {
                "tz": self.time_zone
            }
        ms, me, as_, ae = self.morning_start, self.morning_end, self.afternoon_start, self.afternoon_end
        if None not in (ms, me) and not ms < me:
            errors["morning_end"] = _("The morning must end after it starts.")
        if None not in (as_, ae) and not as_ < ae:
            errors["afternoon_end"] = _("The afternoon must end after it starts.")
        if None not in (me, as_) and not me <= as_:
            errors["afternoon_start"] = _("The afternoon must start when the morning has ended or later.")
        if WorkingHours.objects.exclude(pk=self.pk).exists():
            errors["__all__"] = _("There is one set of working hours; edit the existing one.")
        if errors:
            raise ValidationError(errors)

    def as_spec(self) -> WorkingHoursSpec:
        return WorkingHoursSpec(
            tz=zoneinfo.ZoneInfo(self.time_zone),
            morning_start=self.morning_start,
            morning_end=self.morning_end,
            afternoon_start=self.afternoon_start,
            afternoon_end=self.afternoon_end,
        )


class CalendarRevision(models.Model):
    """One row whose token changes with every change to the calendar, in the same transaction.
    Each process caches its ``WorkingCalendar`` under the token it loaded it with; a new token (or a
    rolled-back one) makes it reload. A random token, not a counter: a counter rolled back and bumped
    again would repeat a value another state was cached under."""

    token = models.CharField(max_length=32, default="")

    class Meta:
        db_table = "deadlines_calendarrevision"

    def __str__(self) -> str:
        return self.token

    @classmethod
    def bump(cls, *, using: str = "default") -> None:
        cls.objects.using(using).update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})
