"""The forms as PDF downloads: whoever may see the complaint's page may print its forms (the same
permission scope, ``complaints.selectors.complaint_visible_to``); anyone else gets a 404, as for
the page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kesu.complaints.models import Complaint
from kesu.complaints.selectors import complaint_visible_to
from kesu.organization.selectors import staff_of
from kesu.paperwork import documents, selectors


def _visible(request: HttpRequest, number: str) -> tuple[str, Complaint]:
    staff = staff_of(request.user)
    complaint = complaint_visible_to(staff=staff, number=number)
    if complaint is None:
        raise Http404(_("No complaint %(number)s, or you may not see it.") % {"number": number})
    printed_by = staff.display_name if staff is not None else request.user.get_username()
    return printed_by, complaint


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"  # a signed form with personal data
    return response


def _none(request: HttpRequest, complaint: Complaint, why: str) -> HttpResponse:
    """A form this complaint does not have (yet): 404, saying why."""
    return render(request, "paperwork/none.html", {"complaint": complaint, "why": why}, status=404)


@login_required
@require_GET
def registration_form(request: HttpRequest, number: str) -> HttpResponse:
    printed_by, complaint = _visible(request, number)
    form = selectors.registration_form(complaint)
    return _pdf(
        documents.registration_pdf(form, printed_by=printed_by), f"{complaint.number}-registration.pdf"
    )


@login_required
@require_GET
def transfer_slip(request: HttpRequest, number: str, slip_id: int) -> HttpResponse:
    printed_by, complaint = _visible(request, number)
    slips = selectors.slips_of(complaint)
    for ordinal, slip in enumerate(slips, 1):
        if slip.pk == slip_id:
            slip.complaint = selectors.complaint_for_forms(complaint)
            content = documents.transfer_slip_pdf(
                slip, ordinal=ordinal, company=selectors.company_name(), printed_by=printed_by
            )
            return _pdf(content, f"{complaint.number}-transfer-{ordinal}.pdf")
    why = _("Complaint %(number)s has no such transfer slip.") % {"number": complaint.number}
    return _none(request, complaint, why)


@login_required
@require_GET
def reminder_slip(request: HttpRequest, number: str) -> HttpResponse:
    printed_by, complaint = _visible(request, number)
    slip = selectors.reminder_slip(complaint)
    if slip is None:
        why = _("No time limit of complaint %(number)s has run out: there is no reminder slip to print.")
        return _none(request, complaint, why % {"number": complaint.number})
    return _pdf(documents.reminder_pdf(slip, printed_by=printed_by), f"{complaint.number}-reminder.pdf")


@login_required
@require_GET
def inquiry_slip(request: HttpRequest, number: str) -> HttpResponse:
    printed_by, complaint = _visible(request, number)
    slip = selectors.inquiry_slip(complaint)
    if slip is None:
        why = _("Complaint %(number)s is open or met every time limit: there is no inquiry slip to print.")
        return _none(request, complaint, why % {"number": complaint.number})
    return _pdf(documents.inquiry_pdf(slip, printed_by=printed_by), f"{complaint.number}-inquiry.pdf")


@login_required
@require_GET
def quality_memo(request: HttpRequest, number: str) -> HttpResponse:
    printed_by, complaint = _visible(request, number)
    memo = selectors.quality_memo(complaint)
    if memo is None:
        why = _("Complaint %(number)s has no handling decision yet: there is no quality memo to print.")
        return _none(request, complaint, why % {"number": complaint.number})
    return _pdf(
        documents.quality_memo_pdf(memo, printed_by=printed_by), f"{complaint.number}-quality-memo.pdf"
    )
