"""Reads of the clocks as people see them (a complaint's time limits, urgency for lists)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesu.complaints.models import Complaint
from kesu.deadlines.models import ClockState, ComplaintClock, ExtensionRequest, Unit
from kesu.organization.models import Staff

# ---------------------------------------------------------------------------------------------
# Visible time (时限): a complaint's clocks as people read them, and urgency for lists


class Due(models.TextChoices):
    """The list filter "due today / overdue" (今日到期 / 已超时)."""

    TODAY = "today", _("due today")
    OVERDUE = "overdue", _("overdue")


class Standing(models.TextChoices):
    """Where a clock stands now, for display: one of these per clock."""

    RUNNING = "running", _("running")
    OVERDUE = "overdue", _("overdue")
    PAUSED = "paused", _("paused")
    MET_ON_TIME = "met_on_time", _("met on time")
    MET_LATE = "met_late", _("met late")
    CANCELLED = "cancelled", _("cancelled")
    NO_DUE_TIME = "no_due_time", _("no due time")


@dataclass(frozen=True)
class ExtensionView:
    """One extension request (延期申请) on a clock."""

    extra_amount: Decimal
    unit: str
    unit_label: str
    reason: str
    state: str
    state_label: str
    requested_by: Staff
    requested_at: datetime
    decided_by: Staff | None
    decided_at: datetime | None


@dataclass(frozen=True)
class ClockView:
    """One clock of a complaint as of ``now``: what it measures, when it is due, where it stands."""

    kind: str
    kind_label: str
    state: str
    state_label: str
    unit: str
    started_at: datetime
    due_at: datetime | None
    due_error: str
    paused_at: datetime | None
    stopped_at: datetime | None
    escalation_level: int
    late_reason: str
    late: bool  # ComplaintClock.is_late_at(now)
    extensions: list[ExtensionView]
    now: datetime

    @property
    def paused(self) -> bool:
        return self.state == ClockState.PAUSED

    @property
    def overdue(self) -> bool:
        """Still running past its due time."""
        return self.late and self.state == ClockState.RUNNING

    @property
    def remaining(self) -> timedelta | None:
        """Until the due time (negative when overdue); only for a running clock with a due time."""
        if self.state != ClockState.RUNNING or self.due_at is None:
            return None
        return self.due_at - self.now

    @property
    def remaining_seconds(self) -> int | None:
        remaining = self.remaining
        return None if remaining is None else int(remaining.total_seconds())

    @property
    def overdue_by(self) -> timedelta | None:
        return -self.remaining if self.overdue and self.remaining is not None else None

    @property
    def met_late(self) -> bool:
        return self.late and self.state == ClockState.MET

    @property
    def standing(self) -> Standing:
        if self.state == ClockState.CANCELLED:
            return Standing.CANCELLED
        if self.state == ClockState.PAUSED:
            return Standing.PAUSED
        if self.state == ClockState.MET:
            return Standing.MET_LATE if self.met_late else Standing.MET_ON_TIME
        if self.due_at is None:
            return Standing.NO_DUE_TIME
        return Standing.OVERDUE if self.overdue else Standing.RUNNING


def clocks_of(complaint: Complaint, *, now: datetime | None = None) -> list[ClockView]:
    """The complaint's clocks in the order they started, with their extension requests (two queries)."""
    now = now or timezone.now()
    extensions = Prefetch(
        "extensions",
        queryset=ExtensionRequest.objects.select_related("requested_by__user", "decided_by__user"),
    )
    clocks = ComplaintClock.objects.filter(complaint=complaint).prefetch_related(extensions)
    return [
        ClockView(
            kind=clock.kind,
            kind_label=clock.get_kind_display(),
            state=clock.state,
            state_label=clock.get_state_display(),
            unit=clock.unit,
            started_at=clock.started_at,
            due_at=clock.due_at,
            due_error=clock.due_error,
            paused_at=clock.paused_at,
            stopped_at=clock.stopped_at,
            escalation_level=clock.escalation_level,
            late_reason=clock.late_reason,
            late=clock.is_late_at(now),
            extensions=[
                ExtensionView(
                    extra_amount=e.extra_amount,
                    unit=clock.unit,
                    unit_label=Unit(clock.unit).label if clock.unit in Unit.values else clock.unit,
                    reason=e.reason,
                    state=e.state,
                    state_label=e.get_state_display(),
                    requested_by=e.requested_by,
                    requested_at=e.requested_at,
                    decided_by=e.decided_by,
                    decided_at=e.decided_at,
                )
                for e in clock.extensions.all()
            ],
            now=now,
        )
        for clock in clocks.order_by("started_at", "id")
    ]


def due_condition(due: str, *, now: datetime | None = None) -> Exists:
    """A filter on complaints: ``overdue`` — a running clock is past its due time; ``today`` — a
    running clock is due between now and the end of today (local time), i.e. still to be met
    today. A complaint can be both. Uses the (state, due_at) index on clocks."""
    now = now or timezone.now()
    running = ComplaintClock.objects.filter(complaint=OuterRef("pk"), state=ClockState.RUNNING)
    if due == Due.OVERDUE:
        return Exists(running.filter(due_at__lt=now))
    if due == Due.TODAY:
        end_of_today = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min)) + timedelta(
            days=1
        )
        return Exists(running.filter(due_at__gte=now, due_at__lt=end_of_today))
    raise ValueError(f"due must be one of {Due.values}")
