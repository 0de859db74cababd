"""Web pages of ownership, hand-over, retention and destruction (issue 11 §3, §5). Thin: parse,
call a service in kesu.archive.ownership or kesu.archive.retention, render or redirect; a refused
step shows the page again with the reason (400 for bad input, 403 without authority, 409 for a
valid registration held by someone else or a list in the wrong state)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kesu.archive import ownership, retention, selectors, services
from kesu.archive.models import CustomerArchive
from kesu.archive.models_ownership import CreditSplitCase, Handover, OwnershipDispute, OwnershipRules
from kesu.archive.models_retention import DestructionList, RecordClass, RetentionPeriod
from kesu.core.errors import KesuError
from kesu.organization.models import Staff
from kesu.organization.selectors import staff_of


def _staff(request: HttpRequest) -> Staff:
    staff = staff_of(request.user)
    if staff is None:
        raise PermissionDenied(_("Only staff members see the customer archive."))
    return staff


def _people() -> list[Staff]:
    return list(Staff.objects.filter(user__is_active=True).select_related("user", "department"))


def _pick(request: HttpRequest, name: str) -> Staff | None:
    raw = request.POST.get(name, "")
    if not raw.isdigit() or len(raw) > 10:
        return None
    return Staff.objects.select_related("user", "department").filter(pk=int(raw)).first()


def _status(error: Exception) -> int:
    if isinstance(error, KesuError):
        return error.status_code
    return 403 if isinstance(error, PermissionDenied) else 400


def _errors(error: Exception) -> dict[str, list[str]]:
    if isinstance(error, ValidationError):
        return error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    return {"": [str(error)]}


# ---------------------------------------------------------------------------------------------
# A customer's ownership


def _archive(number: str, staff: Staff) -> CustomerArchive:
    customer = selectors.customer_by_number(number, staff=staff)
    if customer is None:
        raise Http404(_("No such customer."))
    return services.archive_for(customer, by=staff)


def _ownership_context(staff: Staff, archive: CustomerArchive) -> dict[str, Any]:
    current = ownership.standing(archive)
    dispute = OwnershipDispute.objects.filter(archive=archive, status=OwnershipDispute.Status.OPEN).first()
    return {
        "archive": archive,
        "customer": archive.customer,
        "standing": current,
        "rules": OwnershipRules.current(),
        "history": ownership.history(archive),
        "dispute": dispute,
        "may_decide": dispute is not None
        and current.ownership is not None
        and ownership.may_hand_over(staff, current.ownership.owner),
        "cases": list(CreditSplitCase.objects.all()),
        "people": _people(),
        "me": staff,
    }


@login_required
@require_http_methods(["GET", "POST"])
def customer_ownership(request: HttpRequest, number: str) -> HttpResponse:
    """Who owns the customer; register (or renew), record a credit split, dispute, decide."""
    staff = _staff(request)
    archive = _archive(number, staff)
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "register":
                salesperson = _pick(request, "salesperson")
                if salesperson is None:
                    raise ValidationError({"salesperson": [_("Choose a staff member.")]})
                ownership.register(
                    archive=archive, salesperson=salesperson, by=staff, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Registration recorded."))
            elif step == "split":
                other = _pick(request, "other")
                if other is None:
                    raise ValidationError({"other": [_("Choose a staff member.")]})
                shares = ownership.record_credit_split(
                    archive=archive,
                    case=request.POST.get("case", ""),
                    other=other,
                    by=staff,
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, "、".join(f"{s.staff.display_name} {s.percent}%" for s in shares))
            elif step == "dispute":
                ownership.open_dispute(archive=archive, by=staff, reason=request.POST.get("reason", ""))
                messages.success(request, _("Dispute sent to the sales manager."))
            elif step == "decide":
                dispute = OwnershipDispute.objects.filter(
                    archive=archive, status=OwnershipDispute.Status.OPEN
                ).first()
                winner = _pick(request, "winner")
                if dispute is None or winner is None:
                    raise ValidationError({"winner": [_("Choose the owner or the claimant.")]})
                ownership.decide_dispute(
                    dispute=dispute, by=staff, winner=winner, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Dispute decided."))
            else:
                raise ValidationError({"step": [_("Unknown step.")]})
        except (ValidationError, PermissionDenied, KesuError) as error:
            context = _ownership_context(staff, archive)
            context.update({"errors": _errors(error), "step": step, "values": request.POST})
            return render(request, "archive/ownership/customer.html", context, status=_status(error))
        return redirect("archive-ownership", number=archive.number)
    return render(request, "archive/ownership/customer.html", _ownership_context(staff, archive))


# ---------------------------------------------------------------------------------------------
# Hand-over


@login_required
@require_http_methods(["GET", "POST"])
def handover_new(request: HttpRequest) -> HttpResponse:
    """Choose the leaving salesperson, see every customer they own, name successors, hand over."""
    staff = _staff(request)
    source = request.POST if request.method == "POST" else request.GET
    raw = source.get("leaver", "")
    leaver = (
        Staff.objects.select_related("user", "department").filter(pk=int(raw)).first()
        if raw.isdigit() and len(raw) <= 10
        else None
    )
    context: dict[str, Any] = {
        "people": _people(),
        "leaver": leaver,
        "archives": ownership.archives_of(leaver) if leaver else [],
        "may_hand_over": leaver is not None and ownership.may_hand_over(staff, leaver),
        "rules": OwnershipRules.current(),
        "recent": list(Handover.objects.select_related("leaver", "by")[:20]),
    }
    if leaver is not None and leaver.pk != staff.pk and not context["may_hand_over"]:
        context["archives"] = []
        context["errors"] = {
            "": [_("Only the leaving person, their manager or the leadership see this list.")]
        }
        return render(request, "archive/ownership/handover_new.html", context, status=403)
    if request.method == "POST":
        if leaver is None:
            context["errors"] = {"leaver": [_("Choose a staff member.")]}
            return render(request, "archive/ownership/handover_new.html", context, status=400)
        successors: dict[str, Staff] = {}
        for archive in context["archives"]:
            chosen = _pick(request, f"successor-{archive.number}")
            if chosen is not None:
                successors[archive.number] = chosen
        pool_ids = [v for v in request.POST.getlist("draw_from") if v.isdigit() and len(v) <= 10][:100]
        pool = list(Staff.objects.select_related("user").filter(pk__in=pool_ids))
        try:
            handover = ownership.hand_over(
                leaver=leaver,
                by=staff,
                successors=successors,
                draw_from=pool or None,
                reason=request.POST.get("reason", ""),
            )
        except (ValidationError, PermissionDenied, KesuError) as error:
            context.update({"errors": _errors(error), "values": request.POST})
            return render(request, "archive/ownership/handover_new.html", context, status=_status(error))
        messages.success(request, _("Hand-over recorded; the customers and the successors are told."))
        return redirect("archive-handover", pk=handover.pk)
    return render(request, "archive/ownership/handover_new.html", context)


def _handover(pk: int, staff: Staff) -> Handover:
    handover = Handover.objects.select_related("leaver", "by").filter(pk=pk).first()
    if handover is None:
        raise Http404(_("No such hand-over."))
    if not handover.items.filter(successor=staff).exists() and not (
        staff.pk == handover.leaver_id or ownership.may_hand_over(staff, handover.leaver)
    ):
        raise Http404(_("No such hand-over."))
    return handover


@login_required
@require_GET
def handover_detail(request: HttpRequest, pk: int) -> HttpResponse:
    staff = _staff(request)
    handover = _handover(pk, staff)
    items = list(handover.items.select_related("archive", "successor"))
    return render(
        request,
        "archive/ownership/handover.html",
        {
            "handover": handover,
            "items": items,
            "mine_pending": any(i.successor_id == staff.pk and not i.acknowledged_at for i in items),
        },
    )


@login_required
@require_POST
def handover_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    staff = _staff(request)
    handover = _handover(pk, staff)
    try:
        count = ownership.acknowledge(handover=handover, by=staff)
    except KesuError as error:
        messages.error(request, str(error))
        return redirect("archive-handover", pk=handover.pk)
    messages.success(request, _("%(n)d customer(s) acknowledged.") % {"n": count})
    return redirect("archive-handover", pk=handover.pk)


# ---------------------------------------------------------------------------------------------
# Retention and destruction


def _may_see_retention(staff: Staff) -> bool:
    period = RetentionPeriod.for_record(RecordClass.ARCHIVE)
    return services.may_keep(staff) or bool(
        services.roles_of(staff) & {period.reviewer_role, period.approver_role}
    )


@login_required
@require_http_methods(["GET", "POST"])
def retention_overview(request: HttpRequest) -> HttpResponse:
    """The retention periods, the archives due for destruction and the destruction lists."""
    staff = _staff(request)
    if not _may_see_retention(staff):
        raise PermissionDenied(
            _("Only the desk, the reviewer and the approver see the archives due for destruction.")
        )
    if request.method == "POST":
        try:
            destruction = retention.propose(by=staff)
        except KesuError as error:
            messages.error(request, str(error))
            return redirect("archive-retention")
        if destruction is None:
            messages.info(request, _("Nothing new is due."))
            return redirect("archive-retention")
        return redirect("archive-destruction", pk=destruction.pk)
    return render(
        request,
        "archive/retention/overview.html",
        {
            "periods": retention.periods(),
            "due": retention.due(limit=200),
            "lists": retention.lists(),
            "may_propose": services.may_keep(staff),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def destruction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A destruction list and, once carried out, the destruction record; the review, approval and
    destruction forms for who may take them."""
    staff = _staff(request)
    if not _may_see_retention(staff):
        raise PermissionDenied(
            _("Only the desk, the reviewer and the approver see the archives due for destruction.")
        )
    destruction = DestructionList.objects.filter(pk=pk).first()
    if destruction is None:
        raise Http404(_("No such destruction list."))
    status = 200
    errors: dict[str, list[str]] | None = None
    if request.method == "POST":
        step = request.POST.get("step", "")
        reject = request.POST.get("reject") == "1"
        try:
            if step == "review":
                retention.review(
                    destruction=destruction, by=staff, note=request.POST.get("note", ""), reject=reject
                )
            elif step == "approve":
                retention.approve(
                    destruction=destruction, by=staff, note=request.POST.get("note", ""), reject=reject
                )
            elif step == "destroy":
                retention.destroy(destruction=destruction, by=staff, witness=_pick(request, "witness"))
            else:
                raise ValidationError({"step": [_("Unknown step.")]})
        except (ValidationError, PermissionDenied, KesuError) as error:
            errors, status = _errors(error), _status(error)
        else:
            messages.success(request, _("Destruction list updated."))
            return redirect("archive-destruction", pk=destruction.pk)
        destruction.refresh_from_db()
    period = RetentionPeriod.for_record(destruction.record)
    roles = services.roles_of(staff)
    return render(
        request,
        "archive/retention/destruction.html",
        {
            "destruction": destruction,
            "items": retention.item_rows(destruction),
            "period": period,
            "may_review": period.reviewer_role in roles and destruction.status == "proposed",
            "may_approve": period.approver_role in roles and destruction.status == "reviewed",
            "may_destroy": services.may_keep(staff) and destruction.status == "approved",
            "people": _people(),
            "errors": errors,
        },
        status=status,
    )
