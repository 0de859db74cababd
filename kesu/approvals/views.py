"""Web view of the approvals app: what waits for my decision, and a form to decide each (核决).
Parse, call, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kesu.approvals import selectors, services
from kesu.approvals.errors import ApprovalClosed, NotAnApprover
from kesu.approvals.models import Approval
from kesu.core import limits
from kesu.organization.selectors import staff_of


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Your decision"),
        choices=[("approve", gettext_lazy("Approve")), ("refuse", gettext_lazy("Refuse"))],
    )
    reason = forms.CharField(
        label=gettext_lazy("reason"),
        max_length=limits.max_length("reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Required to refuse."),
    )


def _page(
    request: HttpRequest, forms_by_id: dict[int, DecisionForm] | None = None, status: int = 200
) -> HttpResponse:
    staff = staff_of(request.user)
    waiting = selectors.approvals_waiting_for(staff=staff) if staff is not None else []
    forms_by_id = forms_by_id or {}
    rows = [{"approval": a, "form": forms_by_id.get(a.pk) or DecisionForm(prefix=str(a.pk))} for a in waiting]
    return render(request, "approvals/list.html", {"rows": rows}, status=status)


@login_required
@require_GET
def approvals_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def decide_page(request: HttpRequest, approval_id: int) -> HttpResponse:
    staff = staff_of(request.user)
    approval = Approval.objects.select_related("complaint").filter(pk=approval_id).first()
    if staff is None or approval is None:
        raise Http404
    form = DecisionForm(request.POST, prefix=str(approval_id))
    if not form.is_valid():
        return _page(request, {approval_id: form}, status=400)
    try:
        services.decide_approval(
            approval=approval,
            by=staff,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        return _page(request, {approval_id: form}, status=400)
    except (NotAnApprover, ApprovalClosed) as exc:
        messages.error(request, str(exc))
        return redirect("approvals")
    messages.success(request, _("Decision recorded on %(number)s.") % {"number": approval.complaint.number})
    return redirect("approvals")
