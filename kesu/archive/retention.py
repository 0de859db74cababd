"""Retention and destruction of customer archives (issue 11 §5; see kesu.archive.models_retention).

- An archive is **due** when its retention period (rule-book data: seed 001 客户管理制度6 3、2、8,
  10 years) has run from its last activity — the archive's creation, the customer's latest complaint
  or latest contact — and none of its complaints is open. Never earlier.
- The worker (and ``kesu retention propose``) **proposes** the due archives on one destruction
  list; idempotent: an archive already on an open list or destroyed is not proposed again.
- The **responsible manager reviews** (the period's ``reviewer_role``: the CS director, who keeps the
  archives), the **general manager approves** (``approver_role``), a keeper **destroys** — with a
  witness where the rule book requires one. Destruction without the approval is refused; an archive
  that became active again since it was proposed is refused (not due any more).
- Destroying removes the personal data (PIPL): the customer's name, phone, address and contact
  person, the contacts (people), the profile's personal fields (a person's whole profile), the
  contact log's summaries, the old and new values of the change history, and the complainant's
  name, phone and address on the customer's complaints. It keeps the skeleton: the archive number,
  kind, region, classes and credit, dates, complaint numbers and their classes, every timeline entry
  (who, when, what kind). The destruction list is the destruction record and is never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DateTimeField, Exists, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.archive import services
from kesu.archive.models import (
    ArchiveChange,
    Contact,
    ContactLogEntry,
    CustomerArchive,
    CustomerKind,
    ProfileField,
)
from kesu.archive.models_retention import (
    DestructionItem,
    DestructionList,
    DestructionStatus,
    DestructionUnlock,
    RecordClass,
    RetentionPeriod,
)
from kesu.complaints.models import TERMINAL_STATUSES, Complaint
from kesu.core import limits
from kesu.core.errors import KesuError
from kesu.customers.models import Customer
from kesu.notifications.models import Notification
from kesu.notifications.services import notify
from kesu.organization.models import Staff

# What the change history keeps after destruction: fields that are no personal data.
KEPT_CHANGE_FIELDS = frozenset(
    {"created", "registered", "customer_class", "grade", "credit_class", "credit_limit", "confidentiality"}
)
DESTROYED_NAME = "已销毁"


class NotAllowed(KesuError, PermissionDenied):
    status_code = 403


class WrongState(KesuError):
    """The list is not in the state the step needs (409), naming the state it is in."""

    status_code = 409


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → 28 February
        return day.replace(year=day.year + years, day=28)


def _cutoff(on: date, years: int) -> datetime:
    """Activity before this moment has been kept ``years`` full years by ``on``: the period of an
    archive last active on 2015-06-01 ends on 2025-06-01, and it is due from 2025-06-02."""
    return timezone.make_aware(datetime.combine(add_years(on, -years), time.min))


def _with_last_activity(queryset: QuerySet[CustomerArchive]) -> QuerySet[CustomerArchive]:
    last_complaint = (
        Complaint.objects.filter(customer_id=OuterRef("pk"))
        .order_by()
        .values("customer_id")
        .annotate(m=Max("registered_at"))
        .values("m")
    )
    last_contact = (
        ContactLogEntry.objects.filter(archive_id=OuterRef("pk"))
        .order_by()
        .values("archive_id")
        .annotate(m=Max("at"))
        .values("m")
    )
    return queryset.annotate(
        last_activity=Greatest(
            "created_at",
            Coalesce(Subquery(last_complaint, output_field=DateTimeField()), "created_at"),
            Coalesce(Subquery(last_contact, output_field=DateTimeField()), "created_at"),
        )
    )


def destroyed_ids() -> QuerySet[DestructionItem]:
    return DestructionItem.objects.filter(destroyed_at__isnull=False).values("archive_id")


def due(*, on: date | None = None, limit: int | None = None) -> list[CustomerArchive]:
    """The archives whose retention period has run on ``on`` (today), oldest activity first, with
    ``last_activity`` and ``due_on`` set. Long-term (no years): none."""
    period = RetentionPeriod.for_record(RecordClass.ARCHIVE)
    if period.years is None:
        return []
    today = on or timezone.localdate()
    cutoff = _cutoff(today, period.years)
    open_complaints = Complaint.objects.filter(customer_id=OuterRef("pk")).exclude(
        status__in=TERMINAL_STATUSES
    )
    queryset = (
        _with_last_activity(CustomerArchive.objects.filter(created_at__lt=cutoff))
        .filter(last_activity__lt=cutoff)
        .exclude(Exists(open_complaints))
        .exclude(pk__in=destroyed_ids())
        .select_related("customer")
        .order_by("last_activity", "pk")
    )
    rows = list(queryset[:limit] if limit else queryset)
    for archive in rows:
        archive.last_activity_on = timezone.localdate(archive.last_activity)
        archive.due_on = add_years(archive.last_activity_on, period.years)
    return rows


def is_destroyed(archive: CustomerArchive) -> bool:
    return DestructionItem.objects.filter(archive=archive, destroyed_at__isnull=False).exists()


# ---------------------------------------------------------------------------------------------
# Proposal, review, approval


@transaction.atomic
def propose(*, by: Staff | None = None, on: date | None = None) -> DestructionList | None:
    """Put the due archives not yet on an open list on a new destruction list (the worker:
    ``by`` None). Idempotent: None when nothing new is due. Tells the reviewers."""
    if by is not None and not services.may_keep(by):
        raise NotAllowed(_("Only the customer-service desk proposes archives for destruction."))
    period = RetentionPeriod.for_record(RecordClass.ARCHIVE)
    on_open_lists = DestructionItem.objects.filter(
        destruction__status__in=[
            DestructionStatus.PROPOSED,
            DestructionStatus.REVIEWED,
            DestructionStatus.APPROVED,
        ]
    ).values_list("archive_id", flat=True)
    taken = set(on_open_lists)
    rows = [a for a in due(on=on) if a.pk not in taken]
    if not rows:
        return None
    destruction = DestructionList.objects.create(record=RecordClass.ARCHIVE, proposed_by=by)
    DestructionItem.objects.bulk_create(
        [
            DestructionItem(
                destruction=destruction,
                archive=a,
                number=a.number,
                last_activity=a.last_activity_on,
                due_on=a.due_on,
            )
            for a in rows
        ]
    )
    reviewers = Staff.objects.filter(role_assignments__role=period.reviewer_role).select_related("user")
    notify(
        recipients=reviewers,
        kind=Notification.Kind.INFO,
        title=_("%(n)d customer archive(s) due for destruction: review list #%(id)d")
        % {"n": len(rows), "id": destruction.pk},
        body=_("Kept %(years)d years (%(source)s).") % {"years": period.years, "source": period.source[:200]},
        dedup_key=f"archive-destruction:{destruction.pk}:proposed",
    )
    return destruction


def _locked(destruction: DestructionList) -> DestructionList:
    return DestructionList.objects.select_for_update().get(pk=destruction.pk)


def _require_role(by: Staff | None, role: str, message: str) -> Staff:
    if by is None or role not in services.roles_of(by):
        raise NotAllowed(message)
    return by


def _require_status(destruction: DestructionList, status: str) -> None:
    if destruction.status != status:
        raise WrongState(
            _("Destruction list #%(id)d is %(status)s; this step needs it %(needed)s.")
            % {
                "id": destruction.pk,
                "status": destruction.get_status_display(),
                "needed": DestructionStatus(status).label,
            }
        )


@transaction.atomic
def review(
    *, destruction: DestructionList, by: Staff | None, note: Any = "", reject: bool = False
) -> DestructionList:
    """The responsible manager reviews the list (审核): passes it on to the approver, or rejects it."""
    period = RetentionPeriod.for_record(destruction.record)
    actor = _require_role(
        by,
        period.reviewer_role,
        _("Only the responsible manager (%(role)s) reviews a destruction list.")
        % {"role": period.get_reviewer_role_display()},
    )
    text = services.clean_text("note", note, required=reject, max_length=limits.HANDLING_TEXT)
    destruction = _locked(destruction)
    _require_status(destruction, DestructionStatus.PROPOSED)
    destruction.reviewed_by, destruction.reviewed_at = actor, timezone.now()
    destruction.status = DestructionStatus.REJECTED if reject else DestructionStatus.REVIEWED
    destruction.note = text
    destruction.save()
    if not reject:
        approvers = Staff.objects.filter(role_assignments__role=period.approver_role).select_related("user")
        notify(
            recipients=approvers,
            kind=Notification.Kind.INFO,
            title=_("Destruction list #%(id)d reviewed: your approval is needed") % {"id": destruction.pk},
            dedup_key=f"archive-destruction:{destruction.pk}:reviewed",
        )
    return destruction


@transaction.atomic
def approve(
    *, destruction: DestructionList, by: Staff | None, note: Any = "", reject: bool = False
) -> DestructionList:
    """The general manager approves (审批) — or rejects — a reviewed list; never the reviewer."""
    period = RetentionPeriod.for_record(destruction.record)
    actor = _require_role(
        by,
        period.approver_role,
        _("Only the %(role)s approves a destruction.") % {"role": period.get_approver_role_display()},
    )
    text = services.clean_text("note", note, required=reject, max_length=limits.HANDLING_TEXT)
    destruction = _locked(destruction)
    _require_status(destruction, DestructionStatus.REVIEWED)
    if destruction.reviewed_by_id == actor.pk:
        raise NotAllowed(_("The reviewer cannot also approve the destruction."))
    destruction.approved_by, destruction.approved_at = actor, timezone.now()
    destruction.status = DestructionStatus.REJECTED if reject else DestructionStatus.APPROVED
    if text:
        destruction.note = (destruction.note + "\n" + text).strip()[: limits.HANDLING_TEXT]
    destruction.save()
    return destruction


# ---------------------------------------------------------------------------------------------
# Destruction


@dataclass(frozen=True)
class Destroyed:
    destruction: DestructionList
    archives: int
    complaints: int


@transaction.atomic
def destroy(*, destruction: DestructionList, by: Staff | None, witness: Staff | None = None) -> Destroyed:
    """Carry out an approved destruction (销毁): remove each archive's personal data, keep its
    skeleton, and complete the destruction record. Refused without the approval, without a witness
    where the rule book requires one, and for an archive no longer due (active again since)."""
    if by is None or not services.may_keep(by):
        raise NotAllowed(_("Only the customer-service desk carries out a destruction."))
    destruction = _locked(destruction)
    if destruction.status in (DestructionStatus.PROPOSED, DestructionStatus.REVIEWED):
        raise NotAllowed(
            _("Destruction list #%(id)d is not approved by the general manager: nothing is destroyed.")
            % {"id": destruction.pk}
        )
    _require_status(destruction, DestructionStatus.APPROVED)
    period = RetentionPeriod.for_record(destruction.record)
    if period.witness_required and witness is None:
        raise ValidationError({"witness": [_("The rule book requires a witness (监销人).")]})
    if witness is not None and witness.pk == by.pk:
        raise ValidationError({"witness": [_("The witness is someone other than the person destroying.")]})
    items = list(destruction.items.select_related("archive", "archive__customer"))
    still_due = {a.pk for a in due()}
    early = [i.number for i in items if i.archive_id not in still_due and i.destroyed_at is None]
    if early:
        raise ValidationError(
            {
                "items": [
                    _(
                        "Not due any more (active since it was proposed, or an open complaint): %(numbers)s. "
                        "Reject this list; the worker proposes them again when they are due."
                    )
                    % {"numbers": ", ".join(early[:20])}
                ]
            }
        )
    now = timezone.now()
    complaints = 0
    for item in items:
        if item.destroyed_at is not None:
            continue
        kept, scrubbed = _scrub(item.archive, by=by, destruction=destruction)
        complaints += scrubbed
        item.kept, item.destroyed_at = kept, now
        item.save(update_fields=["kept", "destroyed_at"])
    destruction.status = DestructionStatus.DESTROYED
    destruction.destroyed_by, destruction.witness, destruction.destroyed_at = by, witness, now
    destruction.save()
    return Destroyed(destruction, len(items), complaints)


def _scrub(
    archive: CustomerArchive, *, by: Staff, destruction: DestructionList
) -> tuple[dict[str, Any], int]:
    """Remove one archive's personal data; what it keeps is returned for the record."""
    customer: Customer = archive.customer
    complaints = Complaint.objects.filter(customer=customer)
    kept = {
        "number": archive.number,
        "code": customer.code,
        "kind": archive.kind,
        "region": customer.region,
        "created": timezone.localdate(archive.created_at).isoformat(),
        "customer_class": archive.customer_class.code if archive.customer_class_id else None,
        "complaints": list(complaints.order_by("registered_at").values_list("number", flat=True)[:500]),
        "contacts_logged": ContactLogEntry.objects.filter(archive=archive).count(),
    }
    # The append-only triggers let this archive's log rows be scrubbed while this row exists.
    DestructionUnlock.objects.create(archive_id=archive.pk)
    ContactLogEntry.objects.filter(archive=archive).update(summary=DESTROYED_NAME)
    ArchiveChange.objects.filter(archive=archive).exclude(field__in=KEPT_CHANGE_FIELDS).update(
        old=None, new=None, reason=DESTROYED_NAME
    )
    DestructionUnlock.objects.filter(archive_id=archive.pk).delete()
    ArchiveChange.objects.create(
        archive=archive,
        field="destroyed",
        old=None,
        new=destruction.pk,
        by=by,
        reason=_("Destroyed by destruction list #%(id)d") % {"id": destruction.pk},
    )
    Contact.objects.filter(archive=archive).delete()
    if archive.kind == CustomerKind.PERSON:
        archive.profile = {}
    else:
        personal = set(
            ProfileField.objects.filter(kind=archive.kind, personal=True).values_list("code", flat=True)
        )
        archive.profile = {k: v for k, v in archive.profile.items() if k not in personal}
    archive.save(update_fields=["profile"])
    customer.name = f"{DESTROYED_NAME} {archive.number}"[:200]
    customer.phone = customer.address = customer.contact_name = ""
    customer.save()
    scrubbed = complaints.update(
        complainant_name=DESTROYED_NAME, complainant_phone="", complainant_address=""
    )
    return kept, scrubbed


# ---------------------------------------------------------------------------------------------
# Reads


def lists(*, limit: int = 50) -> list[DestructionList]:
    return list(
        DestructionList.objects.select_related(
            "proposed_by", "reviewed_by", "approved_by", "destroyed_by", "witness"
        )[:limit]
    )


def item_rows(destruction: DestructionList) -> list[DestructionItem]:
    return list(destruction.items.all())


def periods() -> list[RetentionPeriod]:
    return list(RetentionPeriod.objects.all())
