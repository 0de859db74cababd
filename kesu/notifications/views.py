"""Web views of the notification centre (通知中心)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kesu.notifications.services import mark_read
from kesu.organization.selectors import staff_of


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """ "Mark all read" in the workbench's notification centre (only the viewer's own)."""
    staff = staff_of(request.user)
    if staff is None:
        raise PermissionDenied
    count = mark_read(staff=staff)
    messages.success(
        request,
        ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.", count)
        % {"count": count},
    )
    return redirect("workbench")
