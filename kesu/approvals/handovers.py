"""Who an approval's timeline entries put work on (待办通知), for kesu.notifications.handover.

Registered in ApprovalsConfig.ready(): notifications sits below approvals in the import layers, so
approvals tells it whom to notify rather than notifications reading approvals' rows. Each function
runs in the worker, after the action committed, with the timeline entry:

- ``approval_requested``: the approvers of the first level (``approvers_for``), while the request
  still waits at that level;
- ``approval_decided``: when the decision completed a level and the request waits at the next,
  that level's approvers; when it decided the request (approved, or refused with the reason), the
  person who asked for it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kesu.approvals.models import Approval, ApprovalStatus
from kesu.approvals.selectors import approvers_for
from kesu.complaints.models import ComplaintEvent
from kesu.notifications.handover import Waiting


def _approval(event: ComplaintEvent) -> Approval | None:
    pk = (event.data or {}).get("approval")
    if not isinstance(pk, int):
        return None
    return (
        Approval.objects.select_related("complaint", "requested_by__user", "requested_by__deputy__user")
        .prefetch_related("complaint__accused_staff")
        .filter(pk=pk, complaint_id=event.complaint_id)
        .first()
    )


def _to_approve(approval: Approval) -> list[Waiting]:
    what = _("approve “%(subject)s” (%(amount)s CNY, level %(level)d of %(levels)d)") % {
        "subject": approval.subject,
        "amount": f"{approval.amount:,}",
        "level": approval.current_level,
        "levels": len(approval.levels),
    }
    return [Waiting(people=approvers_for(approval=approval), what=what)]


def requested(event: ComplaintEvent) -> list[Waiting]:
    approval = _approval(event)
    if approval is None or not approval.is_pending or approval.current_level != 1:
        return []  # decided (or past level 1) before the worker ran: a later entry tells
    return _to_approve(approval)


def decided(event: ComplaintEvent) -> list[Waiting]:
    approval = _approval(event)
    if approval is None:
        return []
    level = (event.data or {}).get("level")
    if event.data.get("approval_status") == ApprovalStatus.PENDING:
        if approval.is_pending and isinstance(level, int) and approval.current_level == level + 1:
            return _to_approve(approval)  # this decision completed its level: the next one decides
        return []  # the level still waits for others (会签), or a later decision moved it on
    what = _("your request “%(subject)s” was %(status)s") % {
        "subject": approval.subject,
        "status": approval.get_status_display(),
    }
    return [Waiting(people=[approval.requested_by], what=what)]
