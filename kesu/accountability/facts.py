"""The facts of a month, gathered from what Kesu already records (nothing typed twice):

- ``upheld_against``: the approved handling decisions (kesu.decisions) decided in the month whose
  cause is upheld, one fact per department or person share, with the decision's loss amount and
  that share's part of it (split like the decision's own cost ledger, to the fen);
- ``complaint_against``: complaints registered in the month, one fact per person complained about;
- ``complaint_received``: complaints registered in the month, one per complaint, against the
  department handling it (none yet: no fact);
- ``clock_missed``: the late clocks (``ClockLateness``) due in the month, with who held them;
- ``average_handling``: per handling department, the average hours from receipt to the final
  reply of the complaints finally replied to in the month (the figures page's measure);
- ``secondary``: secondary complaints (二次投诉) registered in the month, against the first
  complaint's handler and department;
- ``manual``: the month's findings, typed with reason and evidence.

Withdrawn complaints are no facts. Every gatherer returns its facts in a fixed order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q

from kesu.accountability.models import ClockLateness, FactKind, Finding
from kesu.complaints.models import Complaint, ComplaintEvent, Status
from kesu.decisions.models import DecisionVersion, PartyKind, ResponsibilityShare, VersionStatus
from kesu.decisions.split import split_amount

REPLY_ACTIONS = ("reply_to_customer", "answer_on_spot")  # as kesu.deadlines.figures


@dataclass(slots=True)
class Fact:
    kind: str
    sort_key: tuple
    complaint_id: int | None = None
    complaint_number: str = ""
    staff_id: int | None = None
    department_id: int | None = None
    clock_kind: str = ""
    lateness_id: int | None = None
    finding: Finding | None = None
    loss: Decimal | None = None  # the decision's loss amount
    portion: Decimal | None = None  # this share's part of it
    share: Decimal | None = None  # percent
    hours: Decimal | None = None
    count: int = 1
    handling_department_id: int | None = None


def month_bounds(month: date) -> tuple[datetime, datetime]:
    tz = ZoneInfo(settings.TIME_ZONE)
    start = datetime(month.year, month.month, 1, tzinfo=tz)
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start, datetime(following.year, following.month, 1, tzinfo=tz)


def upheld_against(month: date) -> list[Fact]:
    start, end = month_bounds(month)
    versions = (
        DecisionVersion.objects.filter(
            status=VersionStatus.APPROVED, decided_at__gte=start, decided_at__lt=end, cause__upheld=True
        )
        .select_related("decision__complaint")
        .only(
            "id",
            "decision_id",
            "number",
            "loss_amount",
            "decision__id",
            "decision__complaint__id",
            "decision__complaint__number",
        )
        .prefetch_related(
            Prefetch(
                "shares",
                ResponsibilityShare.objects.select_related("staff").only(
                    "id",
                    "version_id",
                    "position",
                    "party",
                    "department_id",
                    "staff_id",
                    "share",
                    "staff__department_id",
                ),
            )
        )
        .order_by("decision__complaint__number", "number")
    )
    latest: dict[int, DecisionVersion] = {}
    for version in versions:  # a decision approved again in the month counts once, as last approved
        latest[version.decision_id] = version
    facts = []
    for version in latest.values():
        shares = list(version.shares.all())
        parts = split_amount(version.loss_amount, [s.share for s in shares])
        complaint = version.decision.complaint
        for share, part in zip(shares, parts, strict=True):
            if share.party == PartyKind.DEPARTMENT and share.department_id:
                staff_id, department_id = None, share.department_id
            elif share.party == PartyKind.STAFF and share.staff_id:
                staff_id, department_id = share.staff_id, share.staff.department_id
            else:
                continue  # the customer, a carrier, a supplier: not assessed here
            facts.append(
                Fact(
                    FactKind.UPHELD_AGAINST,
                    (complaint.number, share.position),
                    complaint_id=complaint.pk,
                    complaint_number=complaint.number,
                    staff_id=staff_id,
                    department_id=department_id,
                    loss=version.loss_amount,
                    portion=part,
                    share=share.share,
                )
            )
    return facts


def _registered_in(month: date):
    start, end = month_bounds(month)
    return Complaint.objects.filter(registered_at__gte=start, registered_at__lt=end).exclude(
        status=Status.WITHDRAWN
    )


def complaint_against(month: date) -> list[Fact]:
    through = Complaint.accused_staff.through
    rows = (
        through.objects.filter(complaint__in=_registered_in(month))
        .values_list("complaint_id", "complaint__number", "staff_id", "staff__department_id")
        .order_by("complaint__number", "staff_id")
    )
    return [
        Fact(
            FactKind.COMPLAINT_AGAINST,
            (number, staff),
            complaint_id=pk,
            complaint_number=number,
            staff_id=staff,
            department_id=department,
        )
        for pk, number, staff, department in rows
    ]


def complaint_received(month: date) -> list[Fact]:
    rows = (
        _registered_in(month)
        .exclude(handling_department=None)
        .values_list("pk", "number", "handling_department_id")
        .order_by("number")
    )
    return [
        Fact(
            FactKind.COMPLAINT_RECEIVED,
            (number,),
            complaint_id=pk,
            complaint_number=number,
            department_id=department,
        )
        for pk, number, department in rows
    ]


def clock_missed(month: date) -> list[Fact]:
    start, end = month_bounds(month)
    rows = (
        ClockLateness.objects.filter(due_at__gte=start, due_at__lt=end)
        .exclude(complaint__status=Status.WITHDRAWN)
        .values_list(
            "pk",
            "complaint_id",
            "complaint__number",
            "kind",
            "staff_id",
            "department_id",
            "handling_department_id",
        )
        .order_by("complaint__number", "kind", "pk")
    )
    return [
        Fact(
            FactKind.CLOCK_MISSED,
            (number, kind, pk),
            complaint_id=complaint,
            complaint_number=number,
            staff_id=staff,
            department_id=department,
            handling_department_id=handling if handling is not None else department,
            clock_kind=kind,
            lateness_id=pk,
        )
        for pk, complaint, number, kind, staff, department, handling in rows
    ]


def average_handling(month: date) -> list[Fact]:
    """Per handling department: the average hours from receipt to the final reply (the last
    reply event of the complaint) of the complaints finally replied to in the month."""
    start, end = month_bounds(month)
    later_reply = ComplaintEvent.objects.filter(
        complaint_id=OuterRef("complaint_id"), action__in=REPLY_ACTIONS
    ).filter(Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), pk__gt=OuterRef("pk")))
    rows = (
        ComplaintEvent.objects.filter(action__in=REPLY_ACTIONS, at__gte=start, at__lt=end)
        .filter(~Exists(later_reply))
        .exclude(complaint__handling_department=None)
        .values_list("complaint__handling_department_id", "at", "complaint__received_at")
    )
    seconds: dict[int, list[float]] = defaultdict(list)
    for department, at, received in rows:
        seconds[department].append((at - received).total_seconds())
    facts = []
    for department in sorted(seconds):
        values = seconds[department]
        hours = (Decimal(str(sum(values) / len(values))) / 3600).quantize(Decimal("0.01"))
        facts.append(Fact(FactKind.AVERAGE_HANDLING, (department,), department_id=department, hours=hours))
    return facts


def secondary(month: date) -> list[Fact]:
    rows = (
        _registered_in(month)
        .exclude(parent=None)
        .values_list(
            "pk",
            "number",
            "parent__handler_id",
            "parent__handler__department_id",
            "parent__handling_department_id",
        )
        .order_by("number")
    )
    return [
        Fact(
            FactKind.SECONDARY,
            (number,),
            complaint_id=pk,
            complaint_number=number,
            staff_id=handler,
            department_id=department if department is not None else handler_department,
            handling_department_id=department,
        )
        for pk, number, handler, handler_department, department in rows
    ]


def manual(month: date) -> list[Fact]:
    findings = (
        Finding.objects.filter(month__month=month).select_related("complaint", "staff", "rule").order_by("id")
    )
    return [
        Fact(
            FactKind.MANUAL,
            (finding.pk,),
            complaint_id=finding.complaint_id,
            complaint_number=finding.complaint.number if finding.complaint else "",
            staff_id=finding.staff_id,
            department_id=finding.department_id or (finding.staff.department_id if finding.staff else None),
            finding=finding,
            count=finding.count,
        )
        for finding in findings
    ]


GATHERERS = {
    FactKind.UPHELD_AGAINST: upheld_against,
    FactKind.COMPLAINT_AGAINST: complaint_against,
    FactKind.COMPLAINT_RECEIVED: complaint_received,
    FactKind.CLOCK_MISSED: clock_missed,
    FactKind.AVERAGE_HANDLING: average_handling,
    FactKind.SECONDARY: secondary,
    FactKind.MANUAL: manual,
}
