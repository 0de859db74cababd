"""Writes to complaints: one function per domain act. Views, the API and the CLI all call these.

Each function validates before it saves, locks the complaint row, checks the caller's version
(optimistic concurrency: a stale version raises StaleVersion → 409), checks permission through
``workflow.authorize``, and writes the change and its timeline entry in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.complaints import attachments as attachment_rules
from kesu.complaints import registry
from kesu.complaints.classes import default_severity
from kesu.complaints.models import (
    FINAL_REPLY_ACTIONS,
    PROVISIONAL_NUMBER_PREFIX,
    TERMINAL_STATUSES,
    Attachment,
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    IdempotencyKey,
    Satisfaction,
    Severity,
    Status,
    TransferSlip,
)
from kesu.complaints.workflow import ACTIONS, authorize, refuse_accused, register_capacity, transfer_target
from kesu.core.errors import ActionNotAllowed, IdempotencyConflict, StaleVersion
from kesu.customers.models import Customer, Product
from kesu.organization.models import Department, Position, Staff
from kesu.organization.selectors import Capacity
from kesu.rulebook.models import NumberCounter, RuleBook
from kesu.rulebook.numbering import period_key, split_pattern
from kesu.rulebook.selectors import current_rule_book

# Registered facts a correction may change (the rest change only through actions).
CORRECTABLE_FIELDS = (
    "channel",
    "received_at",
    "complainant_name",
    "complainant_phone",
    "complainant_address",
    "customer",
    "product",
    "product_model",
    "batch_number",
    "order_number",
    "shipped_on",
    "arrived_on",
    "quantity",
    "defective_quantity",
    "description",
    "requested_remedy",
    "severity",
)


@dataclass(frozen=True)
class Intake:
    """The registration form's facts (《客户投诉登记表》), as given by a clerk, the API or a file."""

    channel: str
    received_at: datetime
    complainant_name: str
    description: str
    complainant_phone: str = ""
    complainant_address: str = ""
    customer: Customer | None = None
    product: Product | None = None
    product_model: str = ""
    batch_number: str = ""
    order_number: str = ""
    shipped_on: date | None = None
    arrived_on: date | None = None
    quantity: int | None = None
    defective_quantity: int | None = None
    requested_remedy: str = ""
    category: Category | None = None
    severity: Severity | None = None


# ---------------------------------------------------------------------------------------------
# Numbering


def provisional_number() -> str:
    """A unique stand-in for the number while the registering transaction writes the complaint
    and everything that comes with it; never committed (``number_complaint`` replaces it)."""
    return f"{PROVISIONAL_NUMBER_PREFIX}{uuid.uuid4().hex}"


def number_complaint(complaint: Complaint, *, on: date, rulebook: RuleBook) -> str:
    """Draw the next number for the day ``on`` and write it on the (already inserted) complaint.

    Call it as the registering transaction's LAST write: drawing locks the period's counter row
    until commit, so every other registration of the period waits from here to our commit; all
    the rest of the registration (complaint, accused staff, timeline, clocks, idempotency key) is
    already written and holds no lock another registration needs. A rollback gives the number
    back (gap-free); the unique number column makes a reused number impossible."""
    period = f"{rulebook.numbering_reset}:{period_key(rulebook.numbering_reset, on)}"
    before, width, after = split_pattern(rulebook.numbering_pattern, on)
    counters = connection.ops.quote_name(NumberCounter._meta.db_table)
    complaints = connection.ops.quote_name(Complaint._meta.db_table)
    draw = (
        f"INSERT INTO {counters} (period, last_value) VALUES (%s, 1) ON CONFLICT (period)"
        f" DO UPDATE SET last_value = {counters}.last_value + 1 RETURNING last_value"
    )
    if connection.vendor == "postgresql":
        # One statement and one round trip while the counter is locked: draw (an upsert that
        # creates the period's counter at 1 or counts it up) and write the number (as
        # format_number: zero-padded to the width, never cut).
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH drawn AS ({draw}), seq AS (SELECT last_value::text AS v FROM drawn)"
                f" UPDATE {complaints} SET number = %s::text || lpad(seq.v, greatest(%s::int, length(seq.v)), '0') || %s::text"
                " FROM seq WHERE id = %s RETURNING number",
                [period, before, width, after, complaint.pk],
            )
            (complaint.number,) = cursor.fetchone()
        return complaint.number
    if connection.features.can_return_columns_from_insert:
        # SQLite ≥ 3.35 (no data-modifying CTE): draw, then write. SQLite locks the whole database
        # for the writing transaction (BEGIN IMMEDIATE) anyway.
        with connection.cursor() as cursor:
            cursor.execute(draw, [period])
            (value,) = cursor.fetchone()
    else:
        # SQLite before 3.35 has no RETURNING. Create the period's counter if it is the first
        # number of the period (a concurrent creator makes this a no-op), then lock it, count up.
        NumberCounter.objects.bulk_create([NumberCounter(period=period, last_value=0)], ignore_conflicts=True)
        counter = NumberCounter.objects.select_for_update().get(period=period)
        value = counter.last_value = counter.last_value + 1
        counter.save(update_fields=["last_value"])
    complaint.number = f"{before}{str(value).zfill(width)}{after}"
    Complaint.objects.filter(pk=complaint.pk).update(number=complaint.number)
    return complaint.number


# ---------------------------------------------------------------------------------------------
# Registration


def _desk_capacity(staff: Staff) -> Capacity:
    capacity = register_capacity(staff)
    if capacity is not None:
        return capacity
    raise ActionNotAllowed(
        action="register",
        allowed=[],
        reason=_("Only the customer-service desk registers complaints (one window)."),
    )


def register_complaint(
    *,
    by: Staff,
    intake: Intake,
    accused_staff: list[Staff] | tuple[Staff, ...] = (),
    parent: Complaint | None = None,
    files: list[UploadedFile] | tuple[UploadedFile, ...] = (),
    now: datetime | None = None,
    idempotency: tuple[str, str] | None = None,
) -> Complaint:
    """Register a complaint with a fresh number (登记编号). Classified at once if a class is given.

    ``idempotency`` (key, request digest) is stored with the complaint, before the number is drawn
    (see ``register_complaint_idempotently``)."""
    capacity = _desk_capacity(by)
    now = now or timezone.now()
    severity = intake.severity or default_severity()
    complaint = Complaint(
        number="pending",
        registered_at=now,
        registered_by=by,
        status=Status.CLASSIFIED if intake.category else Status.REGISTERED,
        parent=parent,
        **{**intake.__dict__, "severity": severity},
    )
    errors: dict[str, list[str]] = {}
    if intake.channel not in Channel.values:
        errors["channel"] = [_("Unknown channel.")]
    if intake.category is not None and not intake.category.is_active:
        errors["category"] = [_("This class is no longer in use.")]
    if any(person.pk == by.pk for person in accused_staff):  # 回避: a colleague registers it
        errors["accused_staff"] = [
            _("You are complained about in this complaint: a colleague must register it.")
        ]
    try:
        # The model's one check constraint (defective ≤ quantity) is also in Complaint.clean(), which
        # full_clean runs: no need for Django to validate it again with a database query.
        # Objects given as instances were just loaded; their foreign keys are enforced by the
        # database, so Django need not query each one again.
        loaded = [name for name in ("category", "severity", "customer", "product") if getattr(intake, name)]
        complaint.full_clean(
            exclude=["number", "registered_by", "parent", *loaded], validate_constraints=False
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    for upload in files:
        try:
            attachment_rules.check_upload(upload)
        except ValidationError as exc:
            errors.setdefault("attachments", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)

    rulebook = current_rule_book()
    with _files_removed_on_failure() as stored, transaction.atomic():
        complaint.number = provisional_number()
        complaint.save()
        if accused_staff:
            # A new complaint has no accused staff yet: insert, without .set()'s read of the current ones.
            through = Complaint.accused_staff.through
            through.objects.bulk_create(
                [
                    through(complaint_id=complaint.pk, staff_id=staff.pk)
                    for staff in dict.fromkeys(accused_staff)
                ]
            )
        _event(
            complaint,
            capacity,
            "registered",
            from_status="",
            comment="",
            data={
                "channel": complaint.channel,
                "category": intake.category.code if intake.category else None,
                "severity": severity.code if severity else None,
                "parent": parent.number if parent else None,
            },
            at=now,
        )
        for upload in files:
            _store_attachment(complaint, upload, by, stored)
        if idempotency is not None:
            key, request_digest = idempotency
            IdempotencyKey.objects.create(
                staff=by, key=key, request_digest=request_digest, complaint=complaint
            )
        # Last write: the period's counter stays locked only from here to the commit.
        number_complaint(complaint, on=timezone.localdate(now), rulebook=rulebook)
    return complaint


def file_secondary_complaint(
    *,
    complaint: Complaint,
    by: Staff,
    description: str,
    received_at: datetime,
    channel: str,
    version: int | None = None,
) -> Complaint:
    """A secondary complaint (二次投诉): a new complaint about the same matter, linked to the first."""
    with transaction.atomic():
        original, capacity = lock_for_action(complaint, "file_secondary", by, version)
        intake = Intake(
            channel=channel,
            received_at=received_at,
            complainant_name=original.complainant_name,
            complainant_phone=original.complainant_phone,
            complainant_address=original.complainant_address,
            customer=original.customer,
            product=original.product,
            product_model=original.product_model,
            batch_number=original.batch_number,
            order_number=original.order_number,
            description=description,
            category=original.category,
            severity=original.severity,
        )
        secondary = register_complaint(
            by=by, intake=intake, parent=original, accused_staff=list(original.accused_staff.all())
        )
        record_action(original, capacity, "file_secondary", comment="", data={"secondary": secondary.number})
    return secondary


# ---------------------------------------------------------------------------------------------
# Lifecycle actions


def lock_for_action(
    complaint: Complaint, action: str, by: Staff, version: int | None
) -> tuple[Complaint, Capacity]:
    """Lock the complaint, check the caller's version, check permission."""
    locked = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("category", "handling_department", "severity")
        .get(pk=complaint.pk)
    )
    if version is not None and version != locked.version:
        raise StaleVersion(expected=version, current=locked.version)
    capacity = authorize(complaint=locked, action=action, staff=by)
    return locked, capacity


def _event(
    complaint: Complaint,
    capacity: Capacity,
    action: str,
    *,
    from_status: str,
    comment: str,
    data: dict[str, Any],
    at: datetime | None = None,
) -> ComplaintEvent:
    """Append the timeline entry, then let other apps react in the same transaction (registry.after_event)."""
    if capacity.stands_in_for:  # deciding for a role whose every holder is recused (回避)
        data = {**data, "stands_in_for": capacity.stands_in_for}
    event = ComplaintEvent.objects.create(
        complaint=complaint,
        action=action,
        at=at or timezone.now(),
        actor=capacity.actor,
        acting_for=capacity.acting_for,
        from_status=from_status,
        to_status=complaint.status,
        comment=comment,
        data=data,
    )
    registry.event_recorded(event)
    return event


def append_event(
    *,
    complaint: Complaint,
    capacity: Capacity,
    action: str,
    comment: str = "",
    data: dict[str, Any] | None = None,
) -> ComplaintEvent:
    """Append a timeline entry that changes neither the complaint's status nor its version, for an
    app that keeps its own rows about the complaint (e.g. an approval request and its decisions).
    Call it inside the caller's transaction, with the complaint row locked; other apps react
    through the registry (after_event) as to every entry."""
    return _event(complaint, capacity, action, from_status=complaint.status, comment=comment, data=data or {})


def record_action(
    complaint: Complaint,
    capacity: Capacity,
    action: str,
    *,
    comment: str,
    data: dict[str, Any] | None = None,
    to_status: str | None = None,
) -> Complaint:
    """Move the complaint (if ``to_status``), bump its version and append the timeline entry."""
    from_status = complaint.status
    at = timezone.now()
    if to_status is not None:
        complaint.status = to_status
    if complaint.status in TERMINAL_STATUSES and complaint.closed_at is None:
        complaint.closed_at = at
    if action in FINAL_REPLY_ACTIONS:  # the statistics' handling time ends here
        complaint.final_reply_at = at
    complaint.version += 1
    # Only what changed (the row is locked, so what was loaded is current): rewriting the same
    # long description would store it again and, on PostgreSQL, recompute its search indexes —
    # up to a 10 000-character text on every action.
    complaint.save(update_fields=complaint.changed_fields())
    _event(complaint, capacity, action, from_status=from_status, comment=comment, data=data or {}, at=at)
    return complaint


def require_fields(**values: Any) -> None:
    """Field errors for every value that is missing (None or empty), all at once."""
    missing = {name: [_("This field is required.")] for name, value in values.items() if value in (None, "")}
    if missing:
        raise ValidationError(missing)


def _transition(
    complaint: Complaint,
    action: str,
    by: Staff,
    version: int | None,
    comment: str,
    data: dict[str, Any] | None = None,
) -> Complaint:
    """The common case: an action whose only effect is its status change and timeline entry."""
    spec = ACTIONS[action]
    if spec.needs_comment:
        require_fields(comment=comment.strip())
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, action, by, version)
        return record_action(locked, capacity, action, comment=comment, data=data, to_status=spec.target)


def classify_complaint(
    *,
    complaint: Complaint,
    by: Staff,
    category: Category,
    severity: Severity | None = None,
    version: int | None = None,
    comment: str = "",
) -> Complaint:
    """Set or change the class (分类) and severity; the old values stay on the timeline."""
    require_fields(category=category)
    if not category.is_active:
        raise ValidationError({"category": [_("This class is no longer in use.")]})
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "classify", by, version)
        data = {
            "category": {"old": locked.category.code if locked.category else None, "new": category.code},
            "severity": {"old": locked.severity.code, "new": (severity or locked.severity).code},
        }
        locked.category = category
        locked.severity = severity or locked.severity
        return record_action(
            locked, capacity, "classify", comment=comment, data=data, to_status=Status.CLASSIFIED
        )


def answer_on_spot(*, complaint: Complaint, by: Staff, reply: str, version: int | None = None) -> Complaint:
    """Answer at once and close (当场答复) — grievances the desk can settle on the phone."""
    require_fields(reply=reply.strip())
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "answer_on_spot", by, version)
        locked.reply = reply
        return record_action(locked, capacity, "answer_on_spot", comment=reply, to_status=Status.CLOSED)


def propose_transfer(
    *,
    complaint: Complaint,
    by: Staff,
    to_department: Department,
    reason: str,
    to_position: Position | None = None,
    version: int | None = None,
) -> Complaint:
    """The desk names the responsible department and position (转交); the GM approves unless the
    class's procedure has no approval step, in which case the transfer is approved in the same step."""
    require_fields(to_department=to_department, reason=reason.strip())
    if to_position is not None and to_position.department_id != to_department.pk:
        raise ValidationError({"to_position": [_("The position is not in that department.")]})
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "propose_transfer", by, version)
        return _hand_over(locked, capacity, "propose_transfer", to_department, to_position, reason)


def answer_and_forward(
    *,
    complaint: Complaint,
    by: Staff,
    reply: str,
    to_department: Department,
    reason: str,
    to_position: Position | None = None,
    version: int | None = None,
) -> Complaint:
    """Answer the customer at once and forward the complaint for internal handling (答复并转交):
    a grievance born of a sales policy the customer did not know is answered, and handed to the
    sales VP's system to find the salesperson responsible (seed 000 furniture 4.2.3.1 2)). The
    answer is kept as the reply; the hand-over follows the transfer's steps."""
    require_fields(reply=reply.strip(), to_department=to_department, reason=reason.strip())
    if to_position is not None and to_position.department_id != to_department.pk:
        raise ValidationError({"to_position": [_("The position is not in that department.")]})
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "answer_and_forward", by, version)
        locked.reply = reply
        return _hand_over(
            locked, capacity, "answer_and_forward", to_department, to_position, reason, answered=reply
        )


def _hand_over(
    locked: Complaint,
    capacity: Capacity,
    action: str,
    to_department: Department,
    to_position: Position | None,
    reason: str,
    answered: str | None = None,
) -> Complaint:
    """Write the transfer slip of a hand-over and move the complaint to its approver, or straight
    to the department when the procedure lists no transfer approval."""
    target = transfer_target(locked)
    needs_approval = target == Status.TRANSFER_PROPOSED
    slip = TransferSlip.objects.create(
        complaint=locked,
        to_department=to_department,
        to_position=to_position,
        reason=reason,
        proposed_by=capacity.actor,
        state=TransferSlip.State.PROPOSED if needs_approval else TransferSlip.State.APPROVED,
    )
    locked.handling_department = to_department
    data = {
        "slip": slip.pk,
        "to_department": to_department.name,
        "to_position": to_position.name if to_position else None,
        "approval_required": needs_approval,
    }
    if answered is not None:
        data["reply"] = answered
    return record_action(locked, capacity, action, comment=reason, data=data, to_status=target)


def _open_slip(complaint: Complaint, state: str) -> TransferSlip:
    return (
        TransferSlip.objects.select_for_update()
        .filter(complaint=complaint, state=state)
        .latest("proposed_at", "id")
    )


def approve_transfer(
    *, complaint: Complaint, by: Staff, comment: str = "", version: int | None = None
) -> Complaint:
    """The general manager approves the hand-over (总经理审批)."""
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "approve_transfer", by, version)
        slip = _open_slip(locked, TransferSlip.State.PROPOSED)
        slip.state, slip.approved_by, slip.approved_at = (
            TransferSlip.State.APPROVED,
            capacity.actor,
            timezone.now(),
        )
        slip.save()
        return record_action(
            locked,
            capacity,
            "approve_transfer",
            comment=comment,
            data={"slip": slip.pk},
            to_status=Status.TRANSFER_APPROVED,
        )


def reject_transfer(
    *, complaint: Complaint, by: Staff, comment: str, version: int | None = None
) -> Complaint:
    require_fields(comment=comment.strip())
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "reject_transfer", by, version)
        slip = _open_slip(locked, TransferSlip.State.PROPOSED)
        slip.state = TransferSlip.State.REJECTED
        slip.save()
        locked.handling_department = None
        return record_action(
            locked,
            capacity,
            "reject_transfer",
            comment=comment,
            data={"slip": slip.pk},
            to_status=Status.CLASSIFIED,
        )


def accept_transfer(
    *,
    complaint: Complaint,
    by: Staff,
    handler: Staff | None = None,
    comment: str = "",
    version: int | None = None,
) -> Complaint:
    """The receiving department signs the transfer slip (签收): who received it and when."""
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "accept_transfer", by, version)
        handler = handler or capacity.actor
        if handler.department_id != locked.handling_department_id:
            raise ValidationError({"handler": [_("The handler must belong to the responsible department.")]})
        refuse_accused(locked, handler=handler)
        slip = _open_slip(locked, TransferSlip.State.APPROVED)
        slip.state, slip.received_by, slip.received_at = (
            TransferSlip.State.ACCEPTED,
            capacity.actor,
            timezone.now(),
        )
        slip.save()
        locked.handler = handler
        return record_action(
            locked,
            capacity,
            "accept_transfer",
            comment=comment,
            data={
                "slip": slip.pk,
                "handed_over_by": slip.proposed_by.display_name,
                "handler": handler.display_name,
            },
            to_status=Status.ACCEPTED,
        )


def decline_transfer(
    *, complaint: Complaint, by: Staff, comment: str, version: int | None = None
) -> Complaint:
    """The department says the complaint is not theirs; it goes back to the desk to re-route."""
    require_fields(comment=comment.strip())
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "decline_transfer", by, version)
        slip = _open_slip(locked, TransferSlip.State.APPROVED)
        slip.state = TransferSlip.State.DECLINED
        slip.save()
        locked.handling_department = None
        return record_action(
            locked,
            capacity,
            "decline_transfer",
            comment=comment,
            data={"slip": slip.pk},
            to_status=Status.CLASSIFIED,
        )


def start_investigation(
    *, complaint: Complaint, by: Staff, comment: str = "", version: int | None = None
) -> Complaint:
    return _transition(complaint, "start_investigation", by, version, comment)


def propose_resolution(
    *, complaint: Complaint, by: Staff, resolution: str, version: int | None = None
) -> Complaint:
    """The handling department's opinion (处理意见) for the desk to pass on."""
    require_fields(resolution=resolution.strip())
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "propose_resolution", by, version)
        old = locked.resolution
        locked.resolution = resolution
        return record_action(
            locked,
            capacity,
            "propose_resolution",
            comment=resolution,
            data={"resolution": {"old": old, "new": resolution}},
            to_status=Status.RESOLUTION_PROPOSED,
        )


def approve_resolution(
    *, complaint: Complaint, by: Staff, comment: str = "", version: int | None = None
) -> Complaint:
    """The handling decision is approved before it goes back to the desk (seed 000 furniture
    4.2.3.3 4): 提交审批后将表单反馈客服主任). Who approves is the procedure's; an app may add a
    condition (an approval by amount) through registry.guard("approve_resolution", …)."""
    return _transition(complaint, "approve_resolution", by, version, comment)


def return_resolution(
    *, complaint: Complaint, by: Staff, comment: str, version: int | None = None
) -> Complaint:
    """The approver does not approve the decision: back to the department, with the reason."""
    return _transition(complaint, "return_resolution", by, version, comment)


def return_for_rework(
    *, complaint: Complaint, by: Staff, comment: str, version: int | None = None
) -> Complaint:
    return _transition(complaint, "return_for_rework", by, version, comment)


def _satisfaction(value: str) -> str:
    if value not in Satisfaction.values:
        raise ValidationError({"satisfaction": [_("Choose one of: %s") % ", ".join(Satisfaction.values)]})
    return value


def reply_to_customer(
    *,
    complaint: Complaint,
    by: Staff,
    reply: str,
    channel: str,
    satisfaction: str,
    version: int | None = None,
) -> Complaint:
    """The desk tells the customer the outcome and records their satisfaction with it."""
    require_fields(reply=reply.strip(), channel=channel, satisfaction=satisfaction)
    if channel not in Channel.values:
        raise ValidationError({"channel": [_("Unknown channel.")]})
    _satisfaction(satisfaction)
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "reply_to_customer", by, version)
        locked.reply, locked.satisfaction = reply, satisfaction
        return record_action(
            locked,
            capacity,
            "reply_to_customer",
            comment=reply,
            data={"channel": channel, "satisfaction": satisfaction},
            to_status=Status.REPLIED,
        )


def record_follow_up(
    *, complaint: Complaint, by: Staff, comment: str, satisfaction: str, version: int | None = None
) -> Complaint:
    """The follow-up visit (回访) records satisfaction again."""
    require_fields(comment=comment.strip(), satisfaction=satisfaction)
    _satisfaction(satisfaction)
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "record_follow_up", by, version)
        registry.validate("record_follow_up", locked, {"comment": comment})
        locked.satisfaction = satisfaction
        return record_action(
            locked,
            capacity,
            "record_follow_up",
            comment=comment,
            data={"satisfaction": satisfaction},
            to_status=Status.FOLLOWED_UP,
        )


def close_complaint(
    *, complaint: Complaint, by: Staff, comment: str = "", late_reason: str = "", version: int | None = None
) -> Complaint:
    """Close (结案). A complaint that missed a time limit needs the reason it was late (洽办), which
    other apps may require (registry.validator) and which is kept on the timeline."""
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "close", by, version)
        registry.validate("close", locked, {"late_reason": late_reason})
        data = {"late_reason": late_reason} if late_reason.strip() else {}
        return record_action(locked, capacity, "close", comment=comment, data=data, to_status=Status.CLOSED)


def mark_not_upheld(
    *, complaint: Complaint, by: Staff, comment: str, version: int | None = None
) -> Complaint:
    """The complaint is not upheld (不成立); the reason is required."""
    return _transition(complaint, "mark_not_upheld", by, version, comment)


def withdraw_complaint(
    *, complaint: Complaint, by: Staff, comment: str, version: int | None = None
) -> Complaint:
    return _transition(complaint, "withdraw", by, version, comment)


def reopen_complaint(
    *, complaint: Complaint, by: Staff, comment: str, version: int | None = None
) -> Complaint:
    """Reopen a closed, not-upheld or withdrawn complaint: back to its department if one had
    accepted it, otherwise back to the desk."""
    require_fields(comment=comment.strip())
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "reopen", by, version)
        accepted = locked.transfer_slips.filter(state=TransferSlip.State.ACCEPTED).exists()
        if accepted and locked.handling_department_id:
            target = Status.INVESTIGATING
        else:
            target = Status.CLASSIFIED if locked.category_id else Status.REGISTERED
        locked.closed_at = None
        return record_action(locked, capacity, "reopen", comment=comment, to_status=target)


def add_comment(*, complaint: Complaint, by: Staff, comment: str, version: int | None = None) -> Complaint:
    return _transition(complaint, "comment", by, version, comment)


def correct_complaint(
    *, complaint: Complaint, by: Staff, changes: dict[str, Any], reason: str, version: int | None = None
) -> Complaint:
    """Correct registered facts. Nothing is overwritten silently: the timeline keeps each field's
    old and new value, who corrected it and why."""
    require_fields(reason=reason.strip())
    unknown = sorted(set(changes) - set(CORRECTABLE_FIELDS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be corrected.")] for name in unknown})
    with transaction.atomic():
        locked, capacity = lock_for_action(complaint, "correct", by, version)
        diff = {}
        for name, new in changes.items():
            old = getattr(locked, name)
            if old != new:
                setattr(locked, name, new)
                diff[name] = {"old": _printable(old), "new": _printable(new)}
        if not diff:
            raise ValidationError({"__all__": [_("Nothing changed.")]})
        locked.full_clean(exclude=["number", "registered_by", "parent"])
        return record_action(locked, capacity, "correct", comment=reason, data={"changes": diff})


def _printable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------------------------------------
# Attachments


@contextmanager
def _files_removed_on_failure() -> Iterator[list[str]]:
    """Files are written before the rows that point at them commit; if the transaction fails,
    delete them again so a failed registration leaves nothing behind."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def _store_attachment(complaint: Complaint, upload: UploadedFile, by: Staff, stored: list[str]) -> Attachment:
    content_type = attachment_rules.check_upload(upload)
    attachment = Attachment(
        complaint=complaint,
        original_name=upload.name or "upload",
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=by,
    )
    attachment.file.save(attachment_rules.storage_name(upload.name or "upload"), upload, save=False)
    stored.append(attachment.file.name)
    attachment.save()
    return attachment


def add_attachment(
    *, complaint: Complaint, by: Staff, upload: UploadedFile, version: int | None = None
) -> Attachment:
    try:
        attachment_rules.check_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    with _files_removed_on_failure() as stored, transaction.atomic():
        locked, capacity = lock_for_action(complaint, "comment", by, version)
        attachment = _store_attachment(locked, upload, by, stored)
        record_action(
            locked,
            capacity,
            "attach",
            comment="",
            data={"file": attachment.original_name, "size": attachment.size},
        )
    return attachment


# ---------------------------------------------------------------------------------------------
# Idempotent registration (the API's ``Idempotency-Key``)


def _replayed(by: Staff, key: str, request_digest: str) -> Complaint | None:
    """The complaint an earlier request with this key registered, or None; the same key with a
    different request is a conflict."""
    row = IdempotencyKey.objects.filter(staff=by, key=key).select_related("complaint").first()
    if row is None:
        return None
    if row.request_digest != request_digest:
        raise IdempotencyConflict()
    return row.complaint


def register_complaint_idempotently(
    *,
    by: Staff,
    intake: Intake,
    key: str,
    request_digest: str,
    accused_staff: list[Staff] | tuple[Staff, ...] = (),
    now: datetime | None = None,
) -> tuple[Complaint, bool]:
    """Register once per (staff, key): returns (complaint, created). A retry with the same key and
    request returns the first complaint; with a different request it raises IdempotencyConflict.

    The key is stored in the registering transaction. If a concurrent twin with the same key
    commits first, our insert of the key fails, the whole registration rolls back (its number is
    given back, so numbering stays gap-free) and the twin's complaint is returned."""
    if (first := _replayed(by, key, request_digest)) is not None:
        return first, False
    try:
        with transaction.atomic():  # a savepoint if the caller is already in a transaction
            complaint = register_complaint(
                by=by, intake=intake, accused_staff=accused_staff, now=now, idempotency=(key, request_digest)
            )
    except IntegrityError:
        twin = _replayed(by, key, request_digest)
        if twin is None:
            raise
        return twin, False
    return complaint, True
