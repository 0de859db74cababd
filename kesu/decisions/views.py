"""The decision page of a complaint (处理决定): the current version with its cost ledger, and the
forms the viewer may use — propose (or rework) the decision, record the customer's countersign or
refusal. Views parse, call one service of kesu.decisions.services (the API's and the CLI's too),
render; a service's field errors go back on the form, nothing is saved."""

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

from kesu.complaints.models import Complaint
from kesu.complaints.selectors import complaint_visible_to
from kesu.core.errors import KesuError
from kesu.decisions import objections, selectors, services
from kesu.decisions.errors import DecisionConflict
from kesu.decisions.forms import (
    CountersignForm,
    ObjectionDecisionForm,
    ObjectionForm,
    ProposeForm,
    RefusalForm,
)
from kesu.decisions.models import Decision, Objection, ObjectionStatus, VersionStatus
from kesu.decisions.panels import decision_panel
from kesu.organization.models import Staff
from kesu.organization.selectors import capacities_of, staff_of

FORMS: dict[str, type[Form]] = {
    "propose": ProposeForm,
    "countersign": CountersignForm,
    "refusal": RefusalForm,
    "objection": ObjectionForm,
    "objection_decision": ObjectionDecisionForm,
}


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


def _page(
    request: HttpRequest,
    staff: Staff,
    complaint: Complaint,
    *,
    bound: dict[str, Form] | None = None,
    error: KesuError | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    panel = decision_panel(complaint)
    current = panel.get("current")
    may_propose = (
        complaint.is_open and selectors.proposing_capacity(complaint=complaint, staff=staff) is not None
    )
    awaiting_answer = (
        current is not None and current.status == VersionStatus.APPROVED and not current.customer_answer
    )
    may_answer = (
        awaiting_answer and selectors.answering_capacity(complaint=complaint, staff=staff) is not None
    )
    found = list(
        Objection.objects.filter(version__decision__complaint=complaint).select_related(
            "version", "department", "raised_by", "decider", "decided_by"
        )
    )
    pending = next((o for o in found if o.status == ObjectionStatus.PENDING), None)
    route = objections.route()
    may_object = (
        current is not None
        and current.status == VersionStatus.APPROVED
        and pending is None
        and route is not None
        and objections.raising_capacity(complaint=complaint, staff=staff) is not None
    )
    decides = pending is not None and any(
        c.principal.pk == pending.decider_id for c in capacities_of(staff=staff)
    )
    context: dict[str, Any] = {
        "complaint": complaint,
        **panel,
        "error": error,
        "objections": found,
        "propose_form": (bound.get("propose") or ProposeForm()) if may_propose else None,
        "countersign_form": (bound.get("countersign") or CountersignForm()) if may_answer else None,
        "refusal_form": (bound.get("refusal") or RefusalForm()) if may_answer else None,
        "objection_form": (
            bound.get("objection") or ObjectionForm(deciders=objections.deciders(route, complaint))
        )
        if may_object and route is not None
        else None,
        "objection_decision_form": (bound.get("objection_decision") or ObjectionDecisionForm())
        if decides
        else None,
        "pending_objection": pending,
    }
    return render(request, "decisions/decision.html", context, status=status)


@login_required
@require_GET
def decision_page(request: HttpRequest, number: str) -> HttpResponse:
    staff = _staff(request)
    return _page(request, staff, _complaint(staff, number))


@login_required
@require_POST
def decision_act(request: HttpRequest, number: str, act: str) -> HttpResponse:
    """Propose (``propose``), or record the customer's ``countersign`` or ``refusal``."""
    if act not in FORMS:
        raise Http404
    staff = _staff(request)
    complaint = _complaint(staff, number)
    if act == "objection":
        objection_route = objections.route()
        form: Form = ObjectionForm(
            request.POST, deciders=objections.deciders(objection_route, complaint) if objection_route else []
        )
    else:
        form = FORMS[act](request.POST)
    if not form.is_valid():
        return _page(request, staff, complaint, bound={act: form}, status=400)
    data = form.cleaned_data
    try:
        if isinstance(form, ProposeForm):
            version = services.propose_decision(
                complaint=complaint,
                by=staff,
                cause=data["cause"],
                shares=form.shares(),
                remedies=form.remedies(),
                money=form.money(),
                note=data["note"],
            )
            messages.success(request, _("Decision version %(n)d proposed.") % {"n": version.number})
        elif act == "objection":
            objections.raise_objection(
                complaint=complaint, by=staff, reason=data["reason"], decider=data.get("decider") or ""
            )
            messages.success(request, _("The objection (签呈) is raised."))
        elif act == "objection_decision":
            pending = Objection.objects.filter(
                version__decision__complaint=complaint, status=ObjectionStatus.PENDING
            ).first()
            if pending is None:
                raise DecisionConflict(_("No objection is pending."))
            objections.decide_objection(
                objection=pending, by=staff, uphold=data["uphold"], reason=data["reason"]
            )
            messages.success(request, _("The objection's outcome is recorded."))
        else:
            decision = Decision.objects.filter(complaint=complaint).select_related("complaint").first()
            if decision is None:
                raise Http404
            if act == "countersign":
                services.record_countersign(
                    decision=decision, by=staff, how=data["how"], signed_by=data["signed_by"], at=data["at"]
                )
                messages.success(request, _("The customer's countersign is recorded."))
            else:
                _version, refiled = services.record_refusal(
                    decision=decision, by=staff, reason=data["reason"]
                )
                messages.success(
                    request,
                    _(
                        "The customer's refusal is recorded; complaint %(number)s was filed with this one attached."
                    )
                    % {"number": refiled.number},
                )
    except ValidationError as exc:
        if isinstance(form, ProposeForm):
            form.add_service_errors(exc)
        else:
            items = exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
            for name, texts in items:
                form.add_error(name if name in form.fields else None, texts)
        return _page(request, staff, complaint, bound={act: form}, status=400)
    except KesuError as exc:
        return _page(request, staff, complaint, error=exc, status=exc.status_code)
    return redirect("complaint-decision", number=complaint.number)
