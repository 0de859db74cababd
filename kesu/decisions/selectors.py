"""Reads about the handling decision: the current version, its cost ledger (each money line split
per responsible party, kesu.decisions.split) and the approved text replies must quote."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesu.complaints.models import Complaint
from kesu.decisions.models import MONEY_LINES, DecisionVersion, ResponsibilityShare, VersionStatus
from kesu.decisions.split import split_amount
from kesu.organization.models import Role, Staff
from kesu.organization.selectors import Capacity, capacities_of


def versions_of(*, complaint: Complaint) -> list[DecisionVersion]:
    """Every version of the complaint's decision, oldest first, with cause, shares and remedies
    (a fixed number of queries whatever the number of versions)."""
    return list(
        DecisionVersion.objects.filter(decision__complaint=complaint)
        .select_related("cause", "proposed_by__user", "answer_recorded_by")
        .prefetch_related(
            Prefetch(
                "shares",
                queryset=ResponsibilityShare.objects.select_related("department", "staff__user").order_by(
                    "position"
                ),
            ),
            "remedies__kind",
        )
        .order_by("number")
    )


def current_decision(*, complaint: Complaint) -> DecisionVersion | None:
    """The current (last) version of the complaint's decision, or None."""
    versions = versions_of(complaint=complaint)
    return versions[-1] if versions else None


LINE_LABELS = {
    "loss_amount": gettext_lazy("Loss amount"),
    "repair_budget": gettext_lazy("Repair-cost budget"),
    "compensation": gettext_lazy("Compensation"),
    "freight": gettext_lazy("Freight"),
}


@dataclass(frozen=True)
class LedgerLine:
    line: str  # loss_amount, repair_budget, compensation, freight
    total: Decimal
    parts: list[tuple[ResponsibilityShare, Decimal]]  # (party, what it bears), in the shares' order


def ledger_of(version: DecisionVersion) -> list[LedgerLine]:
    shares = list(version.shares.all())
    lines = []
    for line in MONEY_LINES:
        total = getattr(version, line)
        parts = split_amount(total, [s.share for s in shares])
        lines.append(LedgerLine(line=line, total=total, parts=list(zip(shares, parts, strict=True))))
    return lines


def cost_ledger(*, complaint: Complaint) -> list[LedgerLine]:
    """The current decision's money lines, each split per responsible party (the parts sum to the
    line's total to the fen); [] without a decision."""
    version = current_decision(complaint=complaint)
    return [] if version is None else ledger_of(version)


def approved_decision_text(*, complaint: Complaint) -> str:
    """What replies to the customer must quote (seed 002 (九)11: sales may promise nothing beyond
    the approved decision): the last approved version's cause, remedies and the money the customer
    receives, or "" when no version is approved."""
    return approved_text_of(versions_of(complaint=complaint))


def approved_text_of(versions: list[DecisionVersion]) -> str:
    """approved_decision_text for versions already read (versions_of)."""
    approved = [v for v in versions if v.status == VersionStatus.APPROVED]
    if not approved:
        return ""
    version = approved[-1]
    remedies = []
    for remedy in version.remedies.all():
        text = remedy.kind.name
        if remedy.quantity is not None:
            text += f" ×{remedy.quantity}"
        if remedy.amount is not None:
            text += f" ¥{remedy.amount:.2f}"
        remedies.append(text)
    parts = [
        _("Decision v%(n)d") % {"n": version.number},
        _("Cause: %(cause)s") % {"cause": version.cause.name},
        _("Remedy: %(remedies)s") % {"remedies": "、".join(remedies)},
    ]
    if version.compensation:
        parts.append(_("Compensation: ¥%(amount)s") % {"amount": f"{version.compensation:.2f}"})
    for entry in ledger_of(version):
        borne = sum((part for share, part in entry.parts if share.party == "customer"), Decimal("0"))
        if borne:
            parts.append(
                _("%(line)s ¥%(total)s, borne by the customer: ¥%(borne)s")
                % {"line": LINE_LABELS[entry.line], "total": f"{entry.total:.2f}", "borne": f"{borne:.2f}"}
            )
    return "; ".join(str(p) for p in parts)


def proposing_capacity(*, complaint: Complaint, staff: Staff) -> Capacity | None:
    """The capacity in which ``staff`` may propose the complaint's decision, or None: the
    responsible department's head, the handler or the CS director — themselves or as deputy of an
    absent one (kesu.organization.selectors.capacities_of); never someone complained about
    (回避), nor anyone for them. For a page or an action list to offer "propose"."""
    accused = set(complaint.accused_staff.values_list("pk", flat=True))
    if staff.pk in accused:
        return None
    for capacity in capacities_of(staff=staff):
        principal = capacity.principal
        if principal.pk in accused:
            continue
        if (
            Role.CS_DIRECTOR in principal.roles
            or (complaint.handler_id is not None and principal.pk == complaint.handler_id)
            or (
                Role.DEPARTMENT_HEAD in principal.roles
                and complaint.handling_department_id is not None
                and principal.department_id == complaint.handling_department_id
            )
        ):
            return capacity
    return None


def answering_capacity(*, complaint: Complaint, staff: Staff) -> Capacity | None:
    """The capacity in which ``staff`` may record the customer's answer to the approved decision:
    whoever may propose, and the desk (客服专员) — never someone complained about, nor anyone for
    them. (A refusal also files the new complaint, which only the desk may register.)"""
    capacity = proposing_capacity(complaint=complaint, staff=staff)
    if capacity is not None:
        return capacity
    accused = set(complaint.accused_staff.values_list("pk", flat=True))
    if staff.pk in accused:
        return None
    for capacity in capacities_of(staff=staff):
        if Role.DESK_CLERK in capacity.principal.roles and capacity.principal.pk not in accused:
            return capacity
    return None
