"""Ownership of customer archives (issue 11 §3): services and reads. The rules' numbers and cases
are rule-book data (``OwnershipRules``, ``CreditSplitCase``; see kesu.archive.models_ownership).

- **First registration wins** (seed 000 第五篇 五、1 首访原则): registering a customer another
  salesperson holds a valid registration for is refused, naming the holder and until when; a lapsed
  registration may be taken over.
- **Validity** (五、2(1), 2 months in the seed): from the registration or its last renewal, or the
  owner's latest contact with the customer (the contact log), whichever is latest.
- **Credit splits** (五、3): a deal's credit between the registrant and the other salesperson by the
  case's share, the registrant's share only while their registration is valid.
- **Disputes** (五、4): decided by the head of the owner's department (the sales manager) or the
  leadership.
- **Hand-over** (五、3(12); seed 001 客户管理制度4 六/八; 002 #4 4): every customer of a leaving
  salesperson goes to a named successor (or one drawn at random from the named ones, as the seed's
  随机抽数), recorded with who, when and why; the customers are told of their new contact (a letter in
  the contact log, an e-mail to contacts with an address), the successors are notified and each
  acknowledges.

Every write is one transaction with its ``OwnershipEvent`` row.
"""

from __future__ import annotations

import calendar
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.archive import services
from kesu.archive.models import (
    Contact,
    ContactKind,
    ContactLogEntry,
    CustomerArchive,
    StaffContact,
)
from kesu.archive.models_ownership import (
    ArchiveOwnership,
    CreditSplitCase,
    Handover,
    HandoverItem,
    OwnershipDispute,
    OwnershipEvent,
    OwnershipEventKind,
    OwnershipRules,
)
from kesu.core import limits
from kesu.core.errors import KesuError
from kesu.notifications.models import Notification
from kesu.notifications.services import notify
from kesu.organization.models import Role, Staff

log = logging.getLogger(__name__)

LEADERSHIP = frozenset({Role.GENERAL_MANAGER, Role.VICE_PRESIDENT})


class OwnershipConflict(KesuError):
    """The customer is registered to someone else and the registration is valid (409)."""

    status_code = 409


class NotAllowed(KesuError, PermissionDenied):
    status_code = 403


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, the day clamped to the month's end (Jan 31 + 1 → Feb 28/29)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------------------------------------
# Reads


@dataclass(frozen=True)
class Standing:
    """A customer's ownership as it stands: the owner, the day the registration lapses and whether
    it is valid on ``on``."""

    ownership: ArchiveOwnership | None
    last_renewal: datetime | None
    valid_until: date | None
    valid: bool


def standing(archive: CustomerArchive, *, on: date | None = None) -> Standing:
    """Two queries: the ownership and the owner's latest contact with the customer."""
    ownership = ArchiveOwnership.objects.select_related("owner", "department").filter(archive=archive).first()
    if ownership is None:
        return Standing(None, None, None, False)
    last_contact = ContactLogEntry.objects.filter(archive=archive, staff=ownership.owner).aggregate(
        last=Max("at")
    )["last"]
    renewal = max(d for d in (ownership.registered_at, ownership.renewed_at, last_contact) if d is not None)
    until = add_months(timezone.localdate(renewal), OwnershipRules.current().registration_valid_months)
    today = on or timezone.localdate()
    return Standing(ownership, renewal, until, today <= until)


def _leavers_archives(staff: Staff) -> Q:
    """The customers ``staff`` owns or looks after as a staff contact (seed 001 客户管理制度4 八:
    负责与客户联系的员工调离 — the contact person is replaced too, not only the owner)."""
    return Q(ownership__owner=staff) | Q(pk__in=StaffContact.objects.filter(staff=staff).values("archive_id"))


def archives_of(staff: Staff) -> list[CustomerArchive]:
    """What a leaver must hand over: the customers they own or are a staff contact of. One query."""
    return list(
        CustomerArchive.objects.filter(_leavers_archives(staff)).select_related("customer").order_by("number")
    )


def history(archive: CustomerArchive, *, rows: int = 50) -> list[OwnershipEvent]:
    return list(
        OwnershipEvent.objects.filter(archive=archive).select_related("from_staff", "to_staff", "by")[:rows]
    )


# ---------------------------------------------------------------------------------------------
# Who may do what


def _roles(staff: Staff | None) -> set[str]:
    return services.roles_of(staff)


def _is_manager_of(staff: Staff, department_id: int) -> bool:
    """The head of that department (the sales manager) or the leadership."""
    mine = _roles(staff)
    return bool(mine & LEADERSHIP) or (Role.DEPARTMENT_HEAD in mine and staff.department_id == department_id)


def may_hand_over(staff: Staff | None, leaver: Staff) -> bool:
    """The head of the leaver's department or the leadership hands their customers over."""
    return staff is not None and _is_manager_of(staff, leaver.department_id)


def _require_staff(by: Staff | None) -> Staff:
    if by is None:
        raise NotAllowed(_("Sign in as a staff member."))
    return by


def _reason(raw: Any, *, required: bool = True) -> str:
    return services.clean_text("reason", raw, required=required, max_length=limits.HANDLING_TEXT)


# ---------------------------------------------------------------------------------------------
# Registration


@transaction.atomic
def register(
    *, archive: CustomerArchive, salesperson: Staff, by: Staff | None, reason: Any = ""
) -> ArchiveOwnership:
    """Register ``salesperson`` as the customer's owner (客户登记). The first registration wins:
    while another salesperson's registration is valid, refused (a dispute goes to the sales
    manager); the same salesperson renews; a lapsed one is taken over."""
    actor = _require_staff(by)
    if actor.pk != salesperson.pk and not (
        services.may_keep(actor) or _is_manager_of(actor, salesperson.department_id)
    ):
        raise NotAllowed(
            _(
                "Only the salesperson, their department's head or the customer-service desk registers a customer."
            )
        )
    why = _reason(reason, required=False)
    CustomerArchive.objects.select_for_update().get(pk=archive.pk)  # one registration at a time
    now = timezone.now()
    current = standing(archive)
    ownership = current.ownership
    if ownership is None:
        ownership = ArchiveOwnership.objects.create(
            archive=archive,
            owner=salesperson,
            department=salesperson.department,
            registered_at=now,
            renewed_at=now,
        )
        kind = OwnershipEventKind.REGISTERED
        previous = None
    elif ownership.owner_id == salesperson.pk:
        ownership.renewed_at = now
        ownership.save(update_fields=["renewed_at"])
        kind, previous = OwnershipEventKind.RENEWED, salesperson
    elif current.valid:
        raise OwnershipConflict(
            _(
                "%(customer)s is registered to %(owner)s since %(since)s, valid until %(until)s: "
                "the first registration wins. A dispute goes to the sales manager."
            )
            % {
                "customer": archive.number,
                "owner": ownership.owner.display_name,
                "since": timezone.localtime(ownership.registered_at).strftime("%Y-%m-%d %H:%M"),
                "until": current.valid_until.isoformat() if current.valid_until else "—",
            }
        )
    else:
        previous = ownership.owner
        ownership.owner, ownership.department = salesperson, salesperson.department
        ownership.registered_at = ownership.renewed_at = now
        ownership.save()
        kind = OwnershipEventKind.TAKEN_OVER
    OwnershipEvent.objects.create(
        archive=archive,
        kind=kind,
        from_staff=previous,
        to_staff=salesperson,
        by=actor,
        reason=why,
        data={"valid_months": OwnershipRules.current().registration_valid_months},
    )
    return ownership


# ---------------------------------------------------------------------------------------------
# Credit splits


@dataclass(frozen=True)
class Share:
    staff: Staff
    percent: int


def split_credit(
    *, archive: CustomerArchive, case: CreditSplitCase, other: Staff, on: date | None = None
) -> list[Share]:
    """The deal's credit by ``case`` between the registered owner and ``other`` (the salesperson
    who received, closed or helped). Without an owner, or after the registration lapsed when the
    case says so, ``other`` gets it all."""
    current = standing(archive, on=on)
    owner = current.ownership.owner if current.ownership else None
    if owner is None or owner.pk == other.pk or (case.requires_valid_registration and not current.valid):
        return [Share(other, 100)]
    shares = [Share(owner, case.registrant_share), Share(other, 100 - case.registrant_share)]
    return [s for s in shares if s.percent]


@transaction.atomic
def record_credit_split(
    *, archive: CustomerArchive, case: Any, other: Staff, by: Staff | None, reason: Any = ""
) -> list[Share]:
    """Record a deal's credit split (who gets what percentage, by which case) in the ownership
    history. The sales manager of the owner's department, the leadership or the desk records it."""
    actor = _require_staff(by)
    found = (
        CreditSplitCase.objects.filter(code=case).first()
        if isinstance(case, str) and len(case) <= 40 and not limits.unstorable(case)
        else None
    )
    if found is None:
        codes = ", ".join(CreditSplitCase.objects.values_list("code", flat=True)) or "—"
        raise ValidationError({"case": [_("Choose one of: %(values)s") % {"values": codes}]})
    current = standing(archive)
    department_id = current.ownership.department_id if current.ownership else other.department_id
    if not (services.may_keep(actor) or _is_manager_of(actor, department_id)):
        raise NotAllowed(_("Only the sales manager, the leadership or the desk records a credit split."))
    why = _reason(reason, required=False)
    shares = split_credit(archive=archive, case=found, other=other)
    OwnershipEvent.objects.create(
        archive=archive,
        kind=OwnershipEventKind.CREDIT_SPLIT,
        from_staff=current.ownership.owner if current.ownership else None,
        to_staff=other,
        by=actor,
        reason=why,
        data={
            "case": found.code,
            "registration_valid": current.valid,
            "shares": [
                {"staff": s.staff.user.username, "name": s.staff.display_name, "percent": s.percent}
                for s in shares
            ],
        },
    )
    return shares


# ---------------------------------------------------------------------------------------------
# Disputes


@transaction.atomic
def open_dispute(*, archive: CustomerArchive, by: Staff | None, reason: Any) -> OwnershipDispute:
    claimant = _require_staff(by)
    why = _reason(reason)
    ownership = ArchiveOwnership.objects.filter(archive=archive).first()
    if ownership is None:
        raise ValidationError({"archive": [_("Nobody owns this customer yet: register it instead.")]})
    if ownership.owner_id == claimant.pk:
        raise ValidationError({"archive": [_("You own this customer already.")]})
    if OwnershipDispute.objects.filter(archive=archive, status=OwnershipDispute.Status.OPEN).exists():
        raise ValidationError({"archive": [_("A dispute about this customer is already open.")]})
    dispute = OwnershipDispute.objects.create(
        archive=archive, claimant=claimant, owner=ownership.owner, reason=why
    )
    OwnershipEvent.objects.create(
        archive=archive,
        kind=OwnershipEventKind.DISPUTED,
        from_staff=ownership.owner,
        to_staff=claimant,
        by=claimant,
        reason=why,
        data={"dispute": dispute.pk},
    )
    managers = Staff.objects.filter(
        department_id=ownership.department_id, role_assignments__role=Role.DEPARTMENT_HEAD
    ).select_related("user")
    notify(
        recipients=managers,
        kind=Notification.Kind.INFO,
        title=_("Ownership dispute about %(number)s") % {"number": archive.number},
        body=why,
        dedup_key=f"archive-dispute:{dispute.pk}",
    )
    return dispute


@transaction.atomic
def decide_dispute(
    *, dispute: OwnershipDispute, by: Staff | None, winner: Staff, reason: Any
) -> OwnershipDispute:
    """The sales manager (head of the owner's department) or the leadership decides; the winner
    owns the customer from now (registration renewed)."""
    actor = _require_staff(by)
    dispute = OwnershipDispute.objects.select_for_update().get(pk=dispute.pk)
    ownership = ArchiveOwnership.objects.select_for_update().get(archive_id=dispute.archive_id)
    if not _is_manager_of(actor, ownership.department_id):
        raise NotAllowed(
            _(
                "Only the head of the owner's department (the sales manager) or the leadership decides a dispute."
            )
        )
    if dispute.status != OwnershipDispute.Status.OPEN:
        raise ValidationError({"dispute": [_("This dispute is decided already.")]})
    if winner.pk not in (dispute.claimant_id, dispute.owner_id):
        raise ValidationError({"winner": [_("The winner is the owner or the claimant.")]})
    why = _reason(reason)
    now = timezone.now()
    previous = ownership.owner
    if previous.pk != winner.pk:
        ownership.owner, ownership.department = winner, winner.department
        ownership.registered_at = now
    ownership.renewed_at = now
    ownership.save()
    dispute.status, dispute.decided_by, dispute.decided_at = OwnershipDispute.Status.DECIDED, actor, now
    dispute.winner, dispute.decision = winner, why
    dispute.save()
    OwnershipEvent.objects.create(
        archive_id=dispute.archive_id,
        kind=OwnershipEventKind.DECIDED,
        from_staff=previous,
        to_staff=winner,
        by=actor,
        reason=why,
        data={"dispute": dispute.pk},
    )
    return dispute


# ---------------------------------------------------------------------------------------------
# Hand-over


def _customer_notice(archive: CustomerArchive, leaver: Staff, successor: Staff) -> str:
    return _(
        "Dear customer, your contact at our company changes from %(old)s to %(new)s (phone %(phone)s). "
        "Your archive %(number)s and everything agreed stay as they are."
    ) % {
        "old": leaver.display_name,
        "new": successor.display_name,
        "phone": successor.phone or "—",
        "number": archive.number,
    }


@transaction.atomic
def hand_over(
    *,
    leaver: Staff,
    by: Staff | None,
    successors: Any,
    reason: Any,
    draw_from: list[Staff] | None = None,
) -> Handover:
    """Hand every customer of ``leaver`` over (客户交接). ``successors`` maps archive numbers to
    successors; customers not named get one drawn at random from ``draw_from`` (seed 000 五、3(12):
    经理按随机抽数分配给其他销售代表). Every customer must get a successor. The head of the leaver's
    department or the leadership hands over. For each customer: the ownership moves, the successor
    replaces the leaver among the staff contacts, the customer is told (a letter in the contact log;
    an e-mail after commit to contacts with an address); each successor is notified once."""
    actor = _require_staff(by)
    if not may_hand_over(actor, leaver):
        raise NotAllowed(
            _(
                "Only the head of the leaving person's department or the leadership hands their customers over."
            )
        )
    why = _reason(reason)
    if not isinstance(successors, dict):
        raise ValidationError({"successors": [_("Name a successor for each customer.")]})
    pool = [s for s in (draw_from or []) if s.pk != leaver.pk]
    ids = list(CustomerArchive.objects.filter(_leavers_archives(leaver)).values_list("pk", flat=True))
    archives = list(
        CustomerArchive.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("customer")
        .order_by("number")
    )
    if not archives:
        raise ValidationError({"leaver": [_("%(name)s owns no customer.") % {"name": leaver.display_name}]})
    owned = set(
        ArchiveOwnership.objects.filter(owner=leaver, archive_id__in=ids).values_list("archive_id", flat=True)
    )
    by_number = {a.number: a for a in archives}
    errors: dict[str, list[str]] = {}
    chosen: dict[str, Staff] = {}
    for number, successor in successors.items():
        if number not in by_number:
            errors[f"successors.{str(number)[:40]}"] = [_("Not a customer of the leaving person.")]
        elif not isinstance(successor, Staff) or successor.pk == leaver.pk:
            errors[f"successors.{number}"] = [_("Name another staff member.")]
        elif not successor.user.is_active:
            errors[f"successors.{number}"] = [
                _("%(name)s cannot sign in.") % {"name": successor.display_name}
            ]
        else:
            chosen[number] = successor
    if draw_from is not None and not pool:
        errors["draw_from"] = [_("Name at least one other staff member to draw from.")]
    for s in pool:
        if not s.user.is_active:
            errors["draw_from"] = [_("%(name)s cannot sign in.") % {"name": s.display_name}]
    missing = [n for n in by_number if n not in chosen]
    if missing and not pool and "draw_from" not in errors:
        errors["successors"] = [
            _("Every customer needs a successor; missing: %(numbers)s") % {"numbers": ", ".join(missing[:20])}
        ]
    if errors:
        raise ValidationError(errors)
    draw = secrets.SystemRandom()
    for number in missing:
        chosen[number] = draw.choice(pool)
    now = timezone.now()
    handover = Handover.objects.create(leaver=leaver, by=actor, reason=why)
    emails: list[tuple[str, str, list[str]]] = []
    items, events, letters = [], [], []
    for archive in archives:
        successor = chosen[archive.number]
        if archive.pk in owned:
            ArchiveOwnership.objects.filter(archive=archive).update(
                owner=successor, department=successor.department, registered_at=now, renewed_at=now
            )
        StaffContact.objects.filter(archive=archive, staff=leaver).delete()
        StaffContact.objects.get_or_create(archive=archive, staff=successor)
        notice = _customer_notice(archive, leaver, successor)
        addresses = [
            e
            for e in Contact.objects.filter(archive=archive).exclude(email="").values_list("email", flat=True)
        ]
        if addresses:
            emails.append(
                (_("Your new contact: %(name)s") % {"name": successor.display_name}, notice, addresses)
            )
        letters.append(
            ContactLogEntry(
                archive=archive,
                kind=ContactKind.EMAIL if addresses else ContactKind.LETTER,
                at=now,
                staff=actor,
                summary=notice[: limits.CONTACT_SUMMARY],
            )
        )
        items.append(
            HandoverItem(
                handover=handover,
                archive=archive,
                successor=successor,
                customer_notified_at=now,
                notified_by_email=bool(addresses),
            )
        )
        events.append(
            OwnershipEvent(
                archive=archive,
                kind=OwnershipEventKind.HANDED_OVER,
                from_staff=leaver,
                to_staff=successor,
                by=actor,
                reason=why,
                data={"handover": handover.pk, "ownership": archive.pk in owned},
            )
        )
    HandoverItem.objects.bulk_create(items)
    OwnershipEvent.objects.bulk_create(events)
    ContactLogEntry.objects.bulk_create(letters)
    counts: dict[int, list[str]] = {}
    by_pk: dict[int, Staff] = {}
    for number, successor in chosen.items():
        counts.setdefault(successor.pk, []).append(number)
        by_pk[successor.pk] = successor
    for pk, numbers in counts.items():
        notify(
            recipients=[by_pk[pk]],
            kind=Notification.Kind.HANDOVER,
            title=_("%(n)d customer(s) of %(name)s handed over to you")
            % {"n": len(numbers), "name": leaver.display_name},
            body=", ".join(numbers) + "\n" + why,
            dedup_key=f"archive-handover:{handover.pk}",
        )
    if emails:
        transaction.on_commit(lambda: _send_notices(emails))
    return handover


def _send_notices(emails: list[tuple[str, str, list[str]]]) -> None:
    for subject, body, addresses in emails:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses)
        except OSError:  # the letter is in the contact log; the mail server's failure is logged
            log.warning("customer notice to %s not sent", addresses, exc_info=True)


@transaction.atomic
def acknowledge(*, handover: Handover, by: Staff | None) -> int:
    """A successor acknowledges (签收) the customers handed over to them; returns how many."""
    actor = _require_staff(by)
    items = list(
        HandoverItem.objects.select_for_update()
        .filter(handover=handover, successor=actor)
        .select_related("archive")
    )
    if not items:
        raise NotAllowed(_("Nothing in this hand-over is handed to you."))
    pending = [i for i in items if i.acknowledged_at is None]
    now = timezone.now()
    HandoverItem.objects.filter(pk__in=[i.pk for i in pending]).update(acknowledged_at=now)
    OwnershipEvent.objects.bulk_create(
        [
            OwnershipEvent(
                archive=i.archive,
                kind=OwnershipEventKind.ACKNOWLEDGED,
                from_staff=handover.leaver,
                to_staff=actor,
                by=actor,
                data={"handover": handover.pk},
            )
            for i in pending
        ]
    )
    return len(pending)
