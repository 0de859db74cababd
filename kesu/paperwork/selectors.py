"""What the paper forms print, read in a fixed number of queries per form (never per row).

The forms (seed 000 第一篇 4.2.2, seed 002 总经理室 催办/洽办):

- the registration and tracking form 《客户投诉登记及跟踪处理记录表单》: intake, class, transfers,
  the handling opinion and its approval, the reply, the follow-up and the closing, each with who
  signed and when;
- the transfer slip 《客户投诉转交处理联系单》, one per transfer: the desk hands over, the GM
  approves, the receiving department signs (seed 000 4.2.2.2 6: 双方签字确认后联系单由客服主任存档);
- the reminder slip 催办单 while a time limit runs out or has run out (seed 002: 对于逾期案件应开立
  “催办单”催促有关部门处理);
- the quality memo 《客户产品质量投诉处理备忘单》 (seed 000 4.2.3.3 2)③–⑦): the facts collected
  on site, the responsibility determination with its ratio, the repair-cost budget split by it, the
  remedy, the approval and the customer's countersignature — from the handling decision
  (kesu.decisions);
- the inquiry slip 洽办单 after closing for every time limit met late, with the reason given
  (seed 002: 对于处理时效逾期案件，得开立“洽办单”送有关部门追查逾期原因).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from kesu.complaints.models import Complaint, ComplaintEvent, TransferSlip
from kesu.deadlines.models import ClockState, ComplaintClock
from kesu.deadlines.selectors import ClockView, Standing, clocks_of
from kesu.decisions.models import DecisionVersion
from kesu.decisions.panels import decision_panel
from kesu.organization.models import Staff
from kesu.rulebook.models import RuleBook

# The timeline entries whose actor signs a line of the registration form, by the form's line.
SIGNED_STEPS = (
    "registered",
    "classify",
    "answer_on_spot",
    "propose_transfer",
    "approve_transfer",
    "accept_transfer",
    "propose_resolution",
    "approve_resolution",
    "reply_to_customer",
    "record_follow_up",
    "close",
    "mark_not_upheld",
    "withdraw",
)
# A reminder slip lists what the deadline sweep sent (kesu.deadlines.sweeps).
REMINDER_EVENTS = ("reminder", "escalated")


@dataclass(frozen=True)
class Signature:
    """Who signed one line of a form and when; ``acting_for`` when a deputy signed (代)."""

    name: str
    at: datetime | None
    acting_for: str = ""

    @classmethod
    def of_event(cls, event: ComplaintEvent) -> Signature:
        return cls(
            name=event.actor.display_name if event.actor else "",
            at=event.at,
            acting_for=event.acting_for.display_name if event.acting_for else "",
        )

    @classmethod
    def of(cls, staff: Staff | None, at: datetime | None) -> Signature | None:
        return cls(name=staff.display_name, at=at) if staff is not None else None


def company_name() -> str:
    rulebook = RuleBook.objects.order_by("pk").only("company_name").first()
    return rulebook.company_name if rulebook else ""


def slips_of(complaint: Complaint) -> list[TransferSlip]:
    return list(
        complaint.transfer_slips.select_related(
            "to_department", "to_position", "proposed_by", "approved_by", "received_by"
        ).order_by("proposed_at", "pk")
    )


def complaint_for_forms(complaint: Complaint) -> Complaint:
    """The complaint with what every form prints about it (one query)."""
    return Complaint.objects.select_related(
        "customer", "product", "category", "severity", "registered_by", "handler", "handling_department"
    ).get(pk=complaint.pk)


@dataclass(frozen=True)
class RegistrationForm:
    complaint: Complaint
    company: str
    slips: list[TransferSlip]
    signatures: dict[str, Signature]  # the last signature of each SIGNED_STEPS entry
    comments: dict[str, str]  # that entry's comment (the answer on the spot, the visit's notes, …)


def registration_form(complaint: Complaint) -> RegistrationForm:
    events = (
        ComplaintEvent.objects.filter(complaint=complaint, action__in=SIGNED_STEPS)
        .select_related("actor", "acting_for")
        .order_by("at", "pk")
    )
    signatures: dict[str, Signature] = {}
    comments: dict[str, str] = {}
    for event in events:  # the latest of each kind wins (a transfer proposed again, …)
        signatures[event.action] = Signature.of_event(event)
        comments[event.action] = event.comment
    return RegistrationForm(
        complaint=complaint_for_forms(complaint),
        company=company_name(),
        slips=slips_of(complaint),
        signatures=signatures,
        comments=comments,
    )


@dataclass(frozen=True)
class ReminderSlip:
    complaint: Complaint
    company: str
    clocks: list[ClockView]  # running past their due time
    sent: list[ComplaintEvent]  # the reminders and escalations, oldest first


def reminder_slip(complaint: Complaint, *, now: datetime | None = None) -> ReminderSlip | None:
    """The reminder slip (催办单) of an open complaint with a time limit run out (逾期案件), with
    the reminders and escalations already sent; None when no limit has run out."""
    if not complaint.is_open:
        return None
    now = now or timezone.now()
    sent = list(
        ComplaintEvent.objects.filter(complaint=complaint, action__in=REMINDER_EVENTS).order_by("at", "pk")
    )
    clocks = [c for c in clocks_of(complaint, now=now) if c.standing == Standing.OVERDUE]
    if not clocks:
        return None
    return ReminderSlip(
        complaint=complaint_for_forms(complaint), company=company_name(), clocks=clocks, sent=sent
    )


@dataclass(frozen=True)
class InquirySlip:
    complaint: Complaint
    company: str
    clocks: list[ClockView]  # met late, each with the reason given at closing
    closed: Signature | None


def inquiry_slip(complaint: Complaint) -> InquirySlip | None:
    """The inquiry slip (洽办单) of a closed complaint that missed a time limit; None otherwise."""
    if complaint.is_open:
        return None
    clocks = [c for c in clocks_of(complaint) if c.standing == Standing.MET_LATE]
    if not clocks:
        return None
    closing = (
        ComplaintEvent.objects.filter(complaint=complaint, to_status=complaint.status)
        .exclude(from_status=complaint.status)
        .select_related("actor", "acting_for")
        .order_by("-at", "-pk")
        .first()
    )
    return InquirySlip(
        complaint=complaint_for_forms(complaint),
        company=company_name(),
        clocks=clocks,
        closed=Signature.of_event(closing) if closing else None,
    )


@dataclass(frozen=True)
class QualityMemo:
    complaint: Complaint
    company: str
    decision: dict[str, Any]  # kesu.decisions.panels.decision_panel: current version, ledger, approval
    attachments: list[Any]


def quality_memo(complaint: Complaint) -> QualityMemo | None:
    """The quality memo (《客户产品质量投诉处理备忘单》) of a complaint with a handling decision;
    None while there is none."""
    decision = decision_panel(complaint)
    if not decision.get("versions"):
        return None
    return QualityMemo(
        complaint=complaint_for_forms(complaint),
        company=company_name(),
        decision=decision,
        attachments=list(complaint.attachments.select_related("uploaded_by")),
    )


def forms_panel(complaint: Complaint) -> dict[str, Any]:
    """The complaint page's "Forms to print" panel: which forms exist for this complaint (two
    queries, whatever the number of slips, clocks or decision versions: the slips, and one row of
    three flags — a decision to print as the quality memo, a limit run out, a limit met late)."""
    slips = list(
        complaint.transfer_slips.order_by("proposed_at", "pk").values_list("pk", "to_department__name")
    )
    clocks = ComplaintClock.objects.filter(complaint=OuterRef("pk"), due_at__isnull=False)
    memo, overdue, met_late = (
        Complaint.objects.filter(pk=complaint.pk)
        .annotate(
            memo=Exists(DecisionVersion.objects.filter(decision__complaint=OuterRef("pk"))),
            overdue=Exists(clocks.filter(state=ClockState.RUNNING, due_at__lt=timezone.now())),
            met_late=Exists(clocks.filter(state=ClockState.MET, stopped_at__gt=F("due_at"))),
        )
        .values_list("memo", "overdue", "met_late")
        .get()
    )
    return {
        "paperwork_slips": [{"pk": pk, "ordinal": i, "to": name} for i, (pk, name) in enumerate(slips, 1)],
        "paperwork_memo": memo,
        "paperwork_reminder": complaint.is_open and overdue,
        "paperwork_inquiry": not complaint.is_open and met_late,
    }
