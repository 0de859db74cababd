"""Approved access to customer archives (issue 11 §4) and lending (借阅).

- **Access (查阅)**: someone who may not know a classified archive asks, with a reason. Seed 002
  客户管理管理制度通用5 1.5: the own department's archive with the department manager's approval,
  another department's with the general manager's (``AccessRules.read_own_approver`` /
  ``read_other_approver``); a top-secret archive only with a vice president's or the general
  manager's (seed 001 客户管理制度10 四、1: 绝密级只限总公司副/总经理指定的人员知晓). The approval
  holds for ``AccessRules.read_days``; then it expires (the worker marks it, and it is not honoured
  a minute later in any case).
- **Lending (借阅)**: seed 001 客户管理制度6 3.2.7 — a request, the department head reviews, the
  general manager approves, the keeper registers it lent out with its due-back date, and its
  return; an overdue loan reminds the borrower and the keepers every day (the worker).

An archive's department: the departments of its staff contacts (the salespeople who look after
the customer) and the customer-service department that keeps every archive. Every step writes a
row of the archive's history (``ArchiveChange``: field ``access``) in the same transaction, so it is
on the customer's timeline and in the audit; a read under an approval is audited like any
classified read (``secrecy.audit``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from kesu.archive import secrecy
from kesu.archive.access_models import AccessKind, AccessRequest, AccessRules, AccessStatus
from kesu.archive.models import ArchiveChange, Confidentiality, CustomerArchive, StaffContact
from kesu.archive.services import KEEPERS, clean_text
from kesu.core import limits
from kesu.core.errors import KesuError
from kesu.organization.models import Department, Role, Staff

MANAGERS = frozenset({Role.DEPARTMENT_HEAD, Role.CS_DIRECTOR})
OPEN_STATUSES = (AccessStatus.REVIEW, AccessStatus.APPROVAL)


class WrongState(KesuError):
    """The request is not at the step asked for (409)."""

    status_code = 409


def archive_departments(archive: CustomerArchive) -> set[int]:
    """The departments an archive belongs to: its staff contacts' and the keeping CS department."""
    found = set(StaffContact.objects.filter(archive=archive).values_list("staff__department_id", flat=True))
    found |= set(Department.objects.filter(is_customer_service=True).values_list("pk", flat=True))
    return found


def active_filter(staff: Staff, *, now: datetime | None = None) -> QuerySet[AccessRequest]:
    """The requests that let ``staff`` read now: an approved access not yet expired, a loan lent out."""
    now = now or timezone.now()
    return AccessRequest.objects.filter(requested_by=staff).filter(
        Q(kind=AccessKind.READ, status=AccessStatus.APPROVED, valid_until__gt=now)
        | Q(kind=AccessKind.LEND, status=AccessStatus.LENT)
    )


def active_archive_ids(staff: Staff) -> Any:
    """A subquery of the archives ``staff`` may read under an approval (``secrecy.known_filter``)."""
    return active_filter(staff).values("archive_id")


def _log(archive: CustomerArchive, request: AccessRequest, *, by: Staff, old: str, reason: str) -> None:
    ArchiveChange.objects.create(
        archive=archive,
        field="access",
        old={"request": request.pk, "status": old} if old else None,
        new={"request": request.pk, "kind": request.kind, "status": request.status},
        by=by,
        reason=reason or request.get_status_display(),
    )


def _roles(staff: Staff | None) -> set[str]:
    return secrecy.roles(staff)


def _holds(staff: Staff, role: str, *, departments: set[int]) -> bool:
    """Whether ``staff`` holds ``role`` — a manager's role only for one of ``departments``."""
    mine = _roles(staff)
    if role == Role.DEPARTMENT_HEAD:
        return bool(mine & MANAGERS) and staff.department_id in departments
    if role == Role.CS_DIRECTOR:
        return Role.CS_DIRECTOR in mine
    return role in mine


def _requester_department(request: AccessRequest) -> set[int]:
    return {request.requested_by.department_id}


def step_role(request: AccessRequest, rules: AccessRules | None = None) -> str | None:
    """The role that decides the request's current step, None when nothing waits."""
    rules = rules or AccessRules.current()
    if request.status == AccessStatus.REVIEW:
        return rules.lend_reviewer
    if request.status == AccessStatus.APPROVAL:
        if request.kind == AccessKind.LEND:
            return rules.lend_approver
        return rules.read_own_approver if request.own_department else rules.read_other_approver
    return None


def may_decide(staff: Staff | None, request: AccessRequest, rules: AccessRules | None = None) -> bool:
    """Whether ``staff`` decides the request's current step: the rule book's role (a department
    manager for the requester's department); the general manager always; never one's own request;
    a top-secret archive's access only by a vice president or the general manager."""
    if staff is None or staff.pk == request.requested_by_id:
        return False
    role = step_role(request, rules)
    if role is None:
        return False
    mine = _roles(staff)
    if request.kind == AccessKind.READ and request.archive.confidentiality == Confidentiality.TOP_SECRET:
        return bool(mine & secrecy.LEADERSHIP)
    if Role.GENERAL_MANAGER in mine:
        return True
    return _holds(staff, role, departments=_requester_department(request))


def _due(raw: Any, *, today: date, rules: AccessRules) -> date:
    latest = today + timedelta(days=rules.lend_days)
    if raw in (None, ""):
        return latest
    day = None
    if isinstance(raw, date):
        day = raw
    elif isinstance(raw, str) and len(raw) <= 10:
        try:
            day = parse_date(raw)
        except ValueError:
            day = None
    if day is None:
        raise ValidationError({"due_back": [_("Enter a date, e.g. 2025-03-01.")]})
    if not today <= day <= latest:
        raise ValidationError(
            {
                "due_back": [
                    _("The archive comes back from today to %(latest)s (at most %(days)d days).")
                    % {"latest": latest.isoformat(), "days": rules.lend_days}
                ]
            }
        )
    return day


@transaction.atomic
def request_access(*, archive: CustomerArchive, by: Staff | None, kind: Any, reason: Any) -> AccessRequest:
    """File a request to read (``read``) or borrow (``lend``) an archive. Reading is asked only
    for a classified archive one may not know already (an open archive, one's own department's
    included, is read without a request); one open request per person, archive and kind."""
    if by is None:
        raise secrecy.NotAllowed(_("Sign in as a staff member."))
    if kind not in AccessKind.values:
        raise ValidationError(
            {"kind": [_("Choose one of: %(values)s") % {"values": ", ".join(AccessKind.values)}]}
        )
    why = clean_text("reason", reason, required=True, max_length=limits.HANDLING_TEXT)
    if kind == AccessKind.READ:
        if not archive.confidentiality:
            raise ValidationError(
                {"archive": [_("This archive is not classified: you may read it without a request.")]}
            )
        if secrecy.may_know(by, archive):
            raise ValidationError({"archive": [_("You may already read this archive.")]})
    if (
        AccessRequest.objects.filter(
            archive=archive, requested_by=by, kind=kind, status__in=[*OPEN_STATUSES, AccessStatus.APPROVED]
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=timezone.now()))
        .exists()
    ):
        raise ValidationError({"archive": [_("You already have an open request for this archive.")]})
    rules = AccessRules.current()
    own = by.department_id in archive_departments(archive)
    first = AccessStatus.REVIEW if kind == AccessKind.LEND and rules.lend_reviewer else AccessStatus.APPROVAL
    request = AccessRequest.objects.create(
        archive=archive, kind=kind, status=first, requested_by=by, reason=why, own_department=own
    )
    _log(archive, request, by=by, old="", reason=why)
    return request


def _locked(request: AccessRequest) -> AccessRequest:
    return (
        AccessRequest.objects.select_for_update().select_related("archive", "requested_by").get(pk=request.pk)
    )


@transaction.atomic
def decide(*, request: AccessRequest, by: Staff | None, approve: bool, note: Any = "") -> AccessRequest:
    """Decide the request's current step (review or approval). An approved access holds for the
    rule book's days from now; an approved loan waits for the keeper to hand the archive out."""
    request = _locked(request)
    if request.status not in OPEN_STATUSES:
        raise WrongState(
            _("This request is %(status)s: nothing to decide.") % {"status": request.get_status_display()}
        )
    rules = AccessRules.current()
    if not may_decide(by, request, rules):
        raise secrecy.NotAllowed(
            _("Only %(role)s decides this step (and never on their own request).")
            % {"role": Role(step_role(request, rules)).label}
        )
    assert by is not None
    text = clean_text("note", note, required=not approve, max_length=limits.HANDLING_TEXT)
    old = request.status
    now = timezone.now()
    if not approve:
        request.status = AccessStatus.REFUSED
        request.decided_by, request.decided_at = by, now
    elif request.status == AccessStatus.REVIEW:
        request.status = AccessStatus.APPROVAL
        request.reviewed_by, request.reviewed_at = by, now
    else:
        request.status = AccessStatus.APPROVED
        request.decided_by, request.decided_at = by, now
        if request.kind == AccessKind.READ:
            request.valid_until = now + timedelta(days=rules.read_days)
    request.note = text
    request.save()
    _log(request.archive, request, by=by, old=old, reason=text)
    return request


def _require_keeper(staff: Staff | None) -> Staff:
    if staff is None or not _roles(staff) & KEEPERS:
        raise secrecy.NotAllowed(_("Only the customer-service desk keeps the archive's lending register."))
    return staff


@transaction.atomic
def lend(*, request: AccessRequest, by: Staff | None, due_back: Any = None) -> AccessRequest:
    """The keeper registers the approved loan as handed out, with its due-back date (at most the
    rule book's days; the latest by default)."""
    keeper = _require_keeper(by)
    request = _locked(request)
    if request.kind != AccessKind.LEND or request.status != AccessStatus.APPROVED:
        raise WrongState(_("Only an approved lending request is handed out."))
    rules = AccessRules.current()
    today = timezone.localdate()
    request.due_back = _due(due_back, today=today, rules=rules)
    request.status, request.lent_by, request.lent_at = AccessStatus.LENT, keeper, timezone.now()
    request.save()
    _log(
        request.archive,
        request,
        by=keeper,
        old=AccessStatus.APPROVED,
        reason=_("Lent out until %(day)s") % {"day": request.due_back.isoformat()},
    )
    return request


@transaction.atomic
def return_archive(*, request: AccessRequest, by: Staff | None) -> AccessRequest:
    keeper = _require_keeper(by)
    request = _locked(request)
    if request.status != AccessStatus.LENT:
        raise WrongState(_("Only a lent-out archive is returned."))
    request.status, request.returned_to, request.returned_at = AccessStatus.RETURNED, keeper, timezone.now()
    request.save()
    _log(request.archive, request, by=keeper, old=AccessStatus.LENT, reason=_("Returned"))
    return request


def expire(*, now: datetime | None = None) -> int:
    """Mark approved accesses past their end as expired (the worker; idempotent). Reading stops at
    ``valid_until`` whether or not this has run."""
    now = now or timezone.now()
    count = 0
    due = AccessRequest.objects.filter(
        kind=AccessKind.READ, status=AccessStatus.APPROVED, valid_until__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due[:1000]):
        with transaction.atomic():
            request = (
                AccessRequest.objects.select_for_update()
                .select_related("archive", "requested_by")
                .filter(pk=pk, status=AccessStatus.APPROVED)
                .first()
            )
            if request is None:
                continue
            request.status = AccessStatus.EXPIRED
            request.save(update_fields=["status"])
            _log(
                request.archive,
                request,
                by=request.requested_by,
                old=AccessStatus.APPROVED,
                reason=_("Access expired"),
            )
            count += 1
    return count


def overdue_loans(*, today: date | None = None) -> QuerySet[AccessRequest]:
    today = today or timezone.localdate()
    return AccessRequest.objects.filter(status=AccessStatus.LENT, due_back__lt=today).select_related(
        "archive", "requested_by"
    )


def remind_overdue(*, today: date | None = None) -> int:
    """Remind the borrower and the keepers of each loan past its due-back date, once a day (the
    notification's key holds the day: a second run the same day sends nothing). Returns how many
    loans were reminded of. The reminder names the archive's number, never its content."""
    from kesu.notifications.models import Notification
    from kesu.notifications.services import notify

    today = today or timezone.localdate()
    keepers = list(
        Staff.objects.filter(
            role_assignments__role__in=[Role.CS_DIRECTOR, Role.DESK_CLERK], user__is_active=True
        )
        .select_related("user")
        .distinct()
    )
    count = 0
    for loan in overdue_loans(today=today):
        with transaction.atomic():
            created = notify(
                recipients=[loan.requested_by, *keepers],
                kind=Notification.Kind.REMINDER,
                title=_("Borrowed archive %(number)s was due back on %(day)s")
                % {"number": loan.archive.number, "day": loan.due_back.isoformat() if loan.due_back else ""},
                body=_("Borrowed by %(who)s. Please return it to the customer-service desk.")
                % {"who": loan.requested_by.display_name},
                dedup_key=f"archive-loan-overdue:{loan.pk}:{today.isoformat()}",
            )
        count += bool(created)
    return count


def waiting_for(staff: Staff) -> list[AccessRequest]:
    """The requests ``staff`` may decide now (the approver's list)."""
    rules = AccessRules.current()
    open_requests = AccessRequest.objects.filter(status__in=OPEN_STATUSES).select_related(
        "archive", "archive__customer", "requested_by"
    )[:200]
    return [r for r in open_requests if may_decide(staff, r, rules)]


def requests_of(staff: Staff) -> list[AccessRequest]:
    return list(
        AccessRequest.objects.filter(requested_by=staff).select_related("archive", "archive__customer")[:100]
    )


def register(*, kind: str | None = None) -> QuerySet[AccessRequest]:
    """The lending register (借阅登记): loans approved, lent out and returned, newest first."""
    rows = AccessRequest.objects.filter(
        kind=AccessKind.LEND, status__in=[AccessStatus.APPROVED, AccessStatus.LENT, AccessStatus.RETURNED]
    )
    return rows.select_related("archive", "archive__customer", "requested_by", "lent_by", "returned_to")


def archive_by_number(number: Any) -> CustomerArchive:
    """An archive to ask for, by number (the requester may not see it: the number is all they have)."""
    if not isinstance(number, str) or not number or len(number) > 40 or limits.unstorable(number):
        raise ValidationError({"archive": [_("Enter an archive number.")]})
    archive = CustomerArchive.objects.select_related("customer").filter(number=number.strip()).first()
    if archive is None:
        raise ValidationError({"archive": [_("No archive has this number.")]})
    return archive


def may_keep_register(staff: Staff | None) -> bool:
    """The keepers (the CS desk and director, the administrator) keep the lending register."""
    return bool(_roles(staff) & KEEPERS)
