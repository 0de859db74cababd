"""Web pages for approved access to archives, lending (借阅) and corrections of wrong customer data
(seed 001 #4). Thin: parse, call kesu.archive.access or kesu.archive.corrections, render; a refused
step answers the page again with the error (403 without authority, 409 at the wrong step, 400 bad
input)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kesu.archive import access, corrections, secrecy, selectors, services
from kesu.archive.access_models import AccessKind, AccessRequest, AccessRules, CorrectionRequest
from kesu.archive.views import _page_context, _staff
from kesu.core.errors import KesuError
from kesu.organization.models import Staff


def _context(staff: Staff) -> dict[str, Any]:
    keeper = access.may_keep_register(staff)
    return {
        "mine": access.requests_of(staff),
        "waiting": access.waiting_for(staff),
        "corrections_waiting": corrections.waiting_for(staff),
        "register": list(access.register()[:100]) if keeper else [],
        "overdue": set(access.overdue_loans().values_list("pk", flat=True)) if keeper else set(),
        "keeper": keeper,
        "kinds": AccessKind.choices,
        "rules": AccessRules.current(),
    }


def _status(error: Exception) -> int:
    if isinstance(error, KesuError):
        return error.status_code
    return 400


def _errors(error: Exception) -> dict[str, list[str]]:
    if isinstance(error, ValidationError):
        return error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    return {"": [str(error)]}


@login_required
@require_GET
def access_page(request: HttpRequest) -> HttpResponse:
    """Access requests and lending: ask, my requests, what waits for my decision, the register."""
    staff = _staff(request)
    return render(request, "archive/access.html", _context(staff))


@login_required
@require_POST
def access_request(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    try:
        archive = access.archive_by_number(request.POST.get("archive", ""))
        access.request_access(
            archive=archive,
            by=staff,
            kind=request.POST.get("kind", ""),
            reason=request.POST.get("reason", ""),
        )
    except (ValidationError, KesuError) as error:
        context = {**_context(staff), "request_errors": _errors(error), "values": request.POST}
        return render(request, "archive/access.html", context, status=_status(error))
    messages.success(request, _("Request filed."))
    return redirect("archive-access")


def _found(staff: Staff, pk: int) -> AccessRequest:
    found = AccessRequest.objects.select_related("archive", "requested_by").filter(pk=pk).first()
    if found is None or not (
        found.requested_by_id == staff.pk
        or access.may_keep_register(staff)
        or secrecy.roles(staff) & (access.MANAGERS | secrecy.LEADERSHIP)
    ):
        raise Http404(_("No such request."))
    return found


@login_required
@require_POST
def access_step(request: HttpRequest, request_id: int, step: str) -> HttpResponse:
    """Decide (``decision``: approve or refuse with a note), hand out (``lent``) or take back
    (``returned``) one request."""
    staff = _staff(request)
    found = _found(staff, request_id)
    try:
        if step == "decision":
            access.decide(
                request=found,
                by=staff,
                approve=request.POST.get("approve") == "yes",
                note=request.POST.get("note", ""),
            )
        elif step == "lent":
            access.lend(request=found, by=staff, due_back=request.POST.get("due_back") or None)
        elif step == "returned":
            access.return_archive(request=found, by=staff)
        else:
            raise Http404(step)
    except (ValidationError, KesuError) as error:
        context = {**_context(staff), "step_errors": _errors(error), "step_request": found.pk}
        return render(request, "archive/access.html", context, status=_status(error))
    messages.success(request, _("Saved."))
    return redirect("archive-access")


def _page_again(request: HttpRequest, staff: Staff, number: str, error: Exception) -> HttpResponse:
    customer = selectors.customer_by_number(number, staff=staff)
    if customer is None:
        raise Http404(_("No such customer."))
    context = _page_context(staff, customer)
    context["correction_errors"] = _errors(error)
    return render(request, "archive/customer.html", context, status=_status(error))


@login_required
@require_POST
def correction_draft(request: HttpRequest, number: str) -> HttpResponse:
    """Draft a correction (seed 001 #4's 补救处理方案): one field, its corrected value, the plan."""
    staff = _staff(request)
    customer = selectors.customer_by_number(number, staff=staff)
    if customer is None:
        raise Http404(_("No such customer."))
    archive = services.archive_for(customer, by=staff)
    field = request.POST.get("field", "")
    try:
        corrections.draft(
            archive=archive,
            by=staff,
            changes={field: request.POST.get("value", "")} if field else {},
            plan=request.POST.get("plan", ""),
        )
    except (ValidationError, KesuError) as error:
        return _page_again(request, staff, number, error)
    messages.success(request, _("Correction drafted: it waits for the review."))
    return redirect("customer-page", number=archive.number)


@login_required
@require_POST
def correction_step(request: HttpRequest, correction_id: int) -> HttpResponse:
    staff = _staff(request)
    found = CorrectionRequest.objects.select_related("archive").filter(pk=correction_id).first()
    if found is None or selectors.customer_by_number(found.archive.number, staff=staff) is None:
        raise Http404(_("No such correction."))
    try:
        corrections.advance(
            correction=found,
            by=staff,
            approve=request.POST.get("approve", "yes") == "yes",
            note=request.POST.get("note", ""),
        )
    except (ValidationError, KesuError) as error:
        return _page_again(request, staff, found.archive.number, error)
    messages.success(request, _("Saved."))
    return redirect("customer-page", number=found.archive.number)
