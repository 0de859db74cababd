"""The notification centre (通知中心): my notifications, read ones kept, filter, mark read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from kesu.core.paging import page_of
from kesu.notifications import selectors, services
from kesu.notifications.forms import CentreFilter
from kesu.organization.models import Staff
from kesu.organization.selectors import staff_of

PAGE_SIZE = 30


def _staff(request: HttpRequest) -> Staff:
    staff = staff_of(request.user)
    if staff is None:
        raise PermissionDenied
    return staff


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the centre as the viewer filtered it (only a local address is followed)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notification-centre")


@login_required
@require_GET
def centre(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    form = CentreFilter(request.GET)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    show = data.get("show") or "all"  # the history by default; unread ones stand out
    kind = data.get("kind") or None
    page = page_of(
        selectors.inbox(staff=staff, unread_only=show == "unread", kind=kind),
        number=request.GET.get("page"),
        page_size=PAGE_SIZE,
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "show": show,
        "page": page,
        "unread": selectors.unread_count(staff=staff),
        "query": query.urlencode(),
        "here": request.get_full_path(),
    }
    return render(request, "notifications/centre.html", context, status=200 if valid else 400)


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_read(staff=_staff(request))
    messages.success(
        request,
        ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.", count)
        % {"count": count},
    )
    return _back(request)


@login_required
@require_POST
def read_one(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of mine read; someone else's is left alone (mark_read filters by recipient)."""
    services.mark_read(staff=_staff(request), ids=[pk])
    return _back(request)


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """ "Mark all read" in the workbench's unread panel (only the viewer's own); back to the workbench."""
    count = services.mark_read(staff=_staff(request))
    messages.success(
        request,
        ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.", count)
        % {"count": count},
    )
    return redirect("workbench")
