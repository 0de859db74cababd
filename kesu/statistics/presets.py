"""The statistics app's part of a rule book preset: ``report_schedules`` (kesu.rulebook.sections).

``{"schedules": [{"code", "name", "name_en", "cadence", "day", "at", "by", "listing", "roles",
"source", "quotes": [{"seed", "quote"}]}…], "source": "…"}``. Loading replaces the schedules by
code; schedules the preset no longer names are deactivated, not deleted (their stored reports stay).
A rule book whose seed names no report has an empty list and says so in ``source``.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kesu.statistics.models import ReportSchedule


def load_report_schedules(preset: dict[str, Any]) -> None:
    section = preset.get("report_schedules") or {}
    seen = []
    for number, spec in enumerate(section.get("schedules", []), start=1):
        code = spec.get("code", "")
        schedule = ReportSchedule.objects.filter(code=code).first() or ReportSchedule(code=code)
        try:
            hour, minute = (int(part) for part in str(spec.get("at", "08:30")).split(":"))
            schedule.at = time(hour, minute)
        except ValueError as exc:
            raise ValidationError(
                _("report_schedules #%(number)d (%(code)s): at must be HH:MM")
                % {"number": number, "code": code}
            ) from exc
        for name in ("name", "name_en", "cadence", "day", "by", "listing", "roles", "source"):
            if name in spec:
                setattr(schedule, name, spec[name])
        schedule.is_active = True
        try:
            schedule.full_clean()
        except ValidationError as exc:
            raise ValidationError(
                _("report_schedules #%(number)d (%(code)s): %(errors)s")
                % {"number": number, "code": code, "errors": "; ".join(exc.messages)}
            ) from exc
        schedule.save()
        seen.append(code)
    ReportSchedule.objects.exclude(code__in=seen).update(is_active=False)
