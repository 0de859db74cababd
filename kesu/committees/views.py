"""The committee page of a complaint (/complaints/<number>/committee/): the committee, its memo and
determination, and the forms the viewer may use — convene, record the evidence memo, record the
determination, agree or not. Views parse, call one service (the API's too), render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kesu.committees import selectors, services
from kesu.committees.errors import CommitteeConflict
from kesu.committees.forms import AgreementForm, ConveneForm, DeterminationForm, EvidenceForm
from kesu.committees.models import Agreement, Committee, CommitteeRule, CommitteeStatus
from kesu.complaints.models import Complaint
from kesu.complaints.selectors import complaint_visible_to
from kesu.core.errors import KesuError
from kesu.organization.models import Staff
from kesu.organization.selectors import staff_of

ACTS = ("convene", "evidence", "determination", "agreement")


def _staff(request: HttpRequest) -> Staff:
    staff = staff_of(request.user)
    if staff is None:
        raise Http404
    return staff


def _complaint(staff: Staff, number: str) -> Complaint:
    complaint = complaint_visible_to(staff=staff, number=number)
    if complaint is None:
        raise Http404
    return complaint


def _convene_form(rule: CommitteeRule, complaint: Complaint, data: Any = None) -> ConveneForm:
    seats = list(rule.seats.order_by("position", "pk"))
    people = list(
        Staff.objects.filter(user__is_active=True)
        .select_related("user", "department")
        .prefetch_related("role_assignments")
        .order_by("department__code", "display_name")
    )
    accused = set(complaint.accused_staff.values_list("pk", flat=True))
    candidates = {
        seat.pk: [p for p in people if p.pk not in accused and services.fits_seat(seat, p, complaint)]
        for seat in seats
    }
    return ConveneForm(data, seats=seats, candidates=candidates)


def _forms(
    staff: Staff,
    complaint: Complaint,
    committee: Committee | None,
    rule: CommitteeRule | None,
    data: Any = None,
) -> dict[str, Form | None]:
    """Each form the viewer may use now (bound to ``data`` when given), else None."""
    if committee is None:
        may = rule is not None and complaint.is_open and services.convening_capacity(rule, complaint, staff)
        return {"convene": _convene_form(rule, complaint, data) if may and rule else None}
    members = list(committee.members.all())
    convenor = services.convening_capacity(committee.rule, complaint, staff) is not None
    mine = [m for m in members if services.member_capacity(m, staff) is not None]
    return {
        "evidence": EvidenceForm(data, complaint=complaint)
        if committee.status == CommitteeStatus.CONVENED and any(m.collects_evidence for m in mine)
        else None,
        "determination": DeterminationForm(data)
        if convenor and committee.evidence_at and committee.status != CommitteeStatus.AGREED
        else None,
        "agreement": AgreementForm(data)
        if committee.status == CommitteeStatus.DETERMINED
        and any(m.agreement == Agreement.PENDING for m in mine)
        else None,
    }


def _page(
    request: HttpRequest,
    staff: Staff,
    complaint: Complaint,
    *,
    bound: tuple[str, Form] | None = None,
    error: KesuError | None = None,
    status: int = 200,
) -> HttpResponse:
    committee = selectors.committee_of(complaint=complaint)
    rule = committee.rule if committee else services.rule_for(complaint)
    forms = _forms(staff, complaint, committee, rule)
    if bound is not None:
        forms[bound[0]] = bound[1]
    context: dict[str, Any] = {
        "complaint": complaint,
        "committee": committee,
        "committee_rule": rule,
        "error": error,
        "on_committee_page": True,
        **{f"{name}_form": form for name, form in forms.items()},
    }
    return render(request, "committees/committee.html", context, status=status)


@login_required
@require_GET
def committee_page(request: HttpRequest, number: str) -> HttpResponse:
    staff = _staff(request)
    return _page(request, staff, _complaint(staff, number))


@login_required
@require_POST
def committee_act(request: HttpRequest, number: str, act: str) -> HttpResponse:
    if act not in ACTS:
        raise Http404
    staff = _staff(request)
    complaint = _complaint(staff, number)
    committee = selectors.committee_of(complaint=complaint)
    rule = committee.rule if committee else services.rule_for(complaint)
    form = _forms(staff, complaint, committee, rule, request.POST).get(act)
    if form is None:  # not offered to this person now: let the service say why
        form = {
            "evidence": EvidenceForm(request.POST, complaint=complaint),
            "determination": DeterminationForm(request.POST),
            "agreement": AgreementForm(request.POST),
        }.get(act) or (_convene_form(rule, complaint, request.POST) if rule else None)
    if form is None:
        return _page(
            request,
            staff,
            complaint,
            error=KesuError(_("The rule book has no committee for this complaint's class.")),
            status=409,
        )
    if not form.is_valid():
        return _page(request, staff, complaint, bound=(act, form), status=400)
    data = form.cleaned_data
    try:
        if act == "convene":
            assert isinstance(form, ConveneForm)
            services.convene_committee(complaint=complaint, by=staff, members=form.members())
            messages.success(request, _("The committee is convened."))
        elif committee is None:
            raise CommitteeConflict(_("No committee is convened for this complaint."))
        elif act == "evidence":
            services.record_evidence(
                committee=committee,
                by=staff,
                evidence=services.EvidenceIn(
                    facts=data["facts"],
                    customer_statement=data["customer_statement"],
                    photos=tuple(p.pk for p in data["photos"]),
                ),
            )
            messages.success(request, _("The evidence memo is recorded."))
        elif act == "determination":
            assert isinstance(form, DeterminationForm)
            services.record_determination(
                committee=committee,
                by=staff,
                cause=data["cause"],
                shares=form.shares(),
                remedies=form.remedies(),
                money=form.money(),
                delivery_memo=data["delivery_memo"],
            )
            messages.success(request, _("The determination is recorded: every member answers it."))
        else:
            services.record_agreement(
                committee=committee, by=staff, agree=data["agree"], comment=data["comment"]
            )
            messages.success(request, _("Your answer is recorded."))
    except ValidationError as exc:
        if isinstance(form, DeterminationForm):
            form.add_service_errors(exc)
        else:
            items = exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
            for name, texts in items:
                field = f"member_{name.split('.', 1)[1]}" if name.startswith("members.") else name
                form.add_error(field if field in form.fields else None, texts)
        return _page(request, staff, complaint, bound=(act, form), status=400)
    except KesuError as exc:
        return _page(request, staff, complaint, error=exc, status=exc.status_code)
    return redirect("complaint-committee", number=complaint.number)
