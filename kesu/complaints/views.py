"""Web views for complaints: parse the request, call a selector or a service, render.

The rules live elsewhere: ``workflow`` decides who may do what, ``services``/``actions`` change
things, ``selectors`` read. Errors map to statuses: field errors → 400 with the form shown again,
ActionNotAllowed → 403 naming the allowed actions, StaleVersion → 409 asking to reload.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied, ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kesu.complaints import actions, registry, selectors, services, workflow
from kesu.complaints.attachments import PHOTO_TYPES, is_photo, thumbnail
from kesu.complaints.forms import (
    AttachmentForm,
    CorrectionForm,
    IntakeForm,
    ListFilterForm,
    SavedFilterForm,
    VersionedForm,
    action_form,
    action_inputs,
)
from kesu.complaints.models import (
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    Satisfaction,
    SavedFilter,
    Severity,
)
from kesu.complaints.templatetags.kesu_ui import localized
from kesu.core.errors import ActionNotAllowed, StaleVersion
from kesu.core.paging import page_of
from kesu.organization.models import Role, Staff
from kesu.organization.selectors import capacities_of, staff_of

# Timeline entries that are not workflow actions (apps add theirs: registry.register_event).
registry.register_event("registered", gettext_lazy("Registered"))
registry.register_event("attach", gettext_lazy("Attachment added"))
DATA_LABELS = {
    "to_department": gettext_lazy("to department"),
    "to_position": gettext_lazy("to position"),
    "approval_required": gettext_lazy("needs GM approval"),
    "handed_over_by": gettext_lazy("handed over by"),
    "handler": gettext_lazy("handler"),
    "secondary": gettext_lazy("secondary complaint"),
    "parent": gettext_lazy("first complaint"),
    "file": gettext_lazy("file"),
    "size": gettext_lazy("size (bytes)"),
    "role": gettext_lazy("role"),
    "late_reason": gettext_lazy("late reason (洽办)"),
    "stands_in_for": gettext_lazy("decided instead of (回避)"),
}
HIDDEN_DATA = {"slip"}  # internal ids (apps hide theirs: registry.DataKey(hidden=True))


# ---------------------------------------------------------------------------------------------
# Workbench (工作台)


@login_required
@require_GET
def workbench(request: HttpRequest) -> HttpResponse:
    staff = staff_of(request.user)
    panels = []
    if staff is not None:
        bench = selectors.workbench(staff=staff)
        panels = [
            ("my-tasks", _("My tasks"), bench.my_tasks),
            ("awaiting-approval", _("Awaiting my approval"), bench.awaiting_my_approval),
            ("due-soon", _("Due soon"), bench.due_soon),
            ("registered-today", _("Registered today"), bench.registered_today),
        ]
    context = {
        "staff": staff,
        "panels": panels,
        "app_panels": registry.panels("workbench", staff) if staff is not None else [],
        "may_register": workflow.may_register(staff),
    }
    return render(request, "complaints/workbench.html", context)


# ---------------------------------------------------------------------------------------------
# Intake (登记)


def _add_errors(form: Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, field by field where the field is on it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages_ in error.message_dict.items():
        if name in form.fields:
            form.add_error(name, messages_)
        elif name == NON_FIELD_ERRORS:
            form.add_error(None, messages_)
        else:
            form.add_error(None, [f"{name}: {m}" for m in messages_])


@login_required
@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    staff = staff_of(request.user)
    if staff is None or not workflow.may_register(staff):
        raise PermissionDenied(_("Only the customer-service desk registers complaints (one window)."))
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                intake, accused = form.intake()
                complaint = services.register_complaint(
                    by=staff,
                    intake=intake,
                    accused_staff=accused,
                    files=form.cleaned_data["attachments"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request, _("Complaint %(number)s registered.") % {"number": complaint.number}
                )
                return redirect("complaint-detail", number=complaint.number)
        return render(request, "complaints/new.html", _intake_context(form, staff), status=400)
    now = timezone.localtime().replace(microsecond=0)
    form = IntakeForm(initial={"received_at": now, "channel": "phone"})
    return render(request, "complaints/new.html", _intake_context(form, staff))


def _intake_context(form: IntakeForm, staff: Staff) -> dict[str, Any]:
    """The form and what apps add to it (registry place "intake", e.g. the caller's card); the
    fields an app's panel renders itself are left out of the form's own layout."""
    return {
        "form": form,
        "app_panels": registry.panels("intake", (form, staff)),
        "replaced": registry.replaced_fields("intake"),
    }


# ---------------------------------------------------------------------------------------------
# List (列表)


def _filters(data: dict[str, Any], staff: Staff | None) -> selectors.ComplaintFilters:
    department, handler = data.get("department"), data.get("handler")
    return selectors.ComplaintFilters(
        statuses=tuple(data.get("status") or ()),
        category=data.get("category") or None,
        severity=data.get("severity") or None,
        department=department.pk if department else None,
        received_from=data.get("received_from"),
        received_to=data.get("received_to"),
        q=(data.get("q") or "").strip() or None,
        extra={name: data.get(name) or "" for name in registry.FILTERS},
        channel=data.get("channel") or None,
        handler=handler.pk if handler else None,
        customer=(data.get("customer") or "").strip() or None,
        # nobody is assigned anything without a staff record: -1 names no one
        assigned_to=(staff.pk if staff is not None else -1) if data.get("mine") else None,
    )


def _listed(staff: Staff | None, data: dict[str, Any]):
    """The complaints the list shows for valid filters, in the chosen order."""
    filters = _filters(data, staff)
    panel = data.get("panel")
    if panel and staff is not None:
        complaints = selectors.panel_complaints(staff=staff, panel=panel, filters=filters)
    elif panel:
        complaints = Complaint.objects.none()
    else:
        complaints = selectors.complaints_visible_to(staff=staff, filters=filters)
    complaints = complaints.select_related("handler")
    return selectors.sorted_by(complaints, data.get("sort") or None)


def _bulk_approval(staff: Staff | None) -> bool:
    """Whether the list offers the GM's bulk approval of transfers (each is still checked)."""
    return any(Role.GENERAL_MANAGER in c.roles for c in capacities_of(staff=staff))


# The complaints the list shows for its cleaned filters, in its order: the statistics app exports
# exactly them (kesu.statistics, /exports/complaints.xlsx).
listed_complaints = _listed


@login_required
@require_GET
def complaint_list(request: HttpRequest) -> HttpResponse:
    staff = staff_of(request.user)
    form = ListFilterForm(request.GET)
    page, status = None, 200
    if form.is_valid():
        page = page_of(
            _listed(staff, form.cleaned_data),
            number=request.GET.get("page"),
            page_size=settings.KESU_PAGE_SIZE,
        )
    else:
        status = 400
    partial = request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "sort": form.cleaned_data.get("sort", "") if form.is_valid() else "",
        "query": query.urlencode(),
        "bulk_approval": _bulk_approval(staff),
        "saved_filters": list(staff.saved_filters.all()) if staff is not None else [],
        "save_form": SavedFilterForm(initial={"query": query.urlencode()}),
    }
    template = "complaints/_results.html" if partial else "complaints/list.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def saved_filter_add(request: HttpRequest) -> HttpResponse:
    """Save the list's filters under a name; the same name replaces the earlier filters."""
    staff = staff_of(request.user)
    if staff is None:
        raise PermissionDenied
    form = SavedFilterForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[name].label or name}: {' '.join(e)}" for name, e in form.errors.items()
        )
        messages.error(request, _("The filter was not saved: %(errors)s") % {"errors": errors})
        return redirect(
            f"{reverse('complaint-list')}?{QueryDict(request.POST.get('query', '')[:2000]).urlencode()}"
        )
    SavedFilter.objects.update_or_create(
        staff=staff, name=form.cleaned_data["name"], defaults={"query": form.cleaned_data["query"]}
    )
    messages.success(request, _("Filter “%(name)s” saved.") % {"name": form.cleaned_data["name"]})
    return redirect(f"{reverse('complaint-list')}?{form.cleaned_data['query']}")


@login_required
@require_POST
def saved_filter_delete(request: HttpRequest, filter_id: int) -> HttpResponse:
    """Delete one of one's own saved filters (another's: 404)."""
    staff = staff_of(request.user)
    deleted, _rows = SavedFilter.objects.filter(pk=filter_id, staff=staff).delete() if staff else (0, {})
    if not deleted:
        raise Http404(_("No such saved filter."))
    messages.success(request, _("Saved filter deleted."))
    return redirect("complaint-list")


@login_required
@require_POST
def bulk_approve_transfers(request: HttpRequest) -> HttpResponse:
    """The GM approves several proposed transfers at once (总经理批量审批转交). Each goes through
    ``actions.perform_action`` on its own, as if approved on its page: permission, recusal and the
    version the GM saw are checked, and each gets its own timeline entry. One refused does not stop
    the others; the page then says, complaint by complaint, what was done and what was not."""
    staff = staff_of(request.user)
    if staff is None:
        raise PermissionDenied
    numbers = [n for n in request.POST.getlist("number") if n][:200]
    if not numbers:
        messages.error(request, _("Select at least one complaint."))
        return redirect("complaint-list")
    results = []
    for number in dict.fromkeys(numbers):
        complaint = selectors.complaint_visible_to(staff=staff, number=number)
        if complaint is None:
            results.append(
                {"number": number, "ok": False, "why": _("No such complaint, or you may not see it.")}
            )
            continue
        version_text = request.POST.get(f"version-{number}", "")
        version = (
            int(version_text) if version_text.isdigit() and len(version_text) < 10 else complaint.version
        )
        try:
            actions.perform_action(
                complaint=complaint, action="approve_transfer", by=staff, inputs={}, version=version
            )
        except ActionNotAllowed as error:
            results.append({"number": number, "ok": False, "why": str(error), "visible": True})
        except StaleVersion:
            why = _("It changed since you loaded the list; open it and decide there.")
            results.append({"number": number, "ok": False, "why": why, "visible": True})
        except ValidationError as error:
            results.append({"number": number, "ok": False, "why": " ".join(error.messages), "visible": True})
        else:
            results.append({"number": number, "ok": True, "why": "", "visible": True})
    # Something done: 200 with the report; nothing done: 409, with the same report.
    status = 200 if any(r["ok"] for r in results) else 409
    return render(request, "complaints/bulk_result.html", {"results": results}, status=status)


# ---------------------------------------------------------------------------------------------
# One complaint (投诉详情)


def _visible(request: HttpRequest, number: str, *, for_page: bool = False) -> tuple[Staff | None, Complaint]:
    staff = staff_of(request.user)
    find = selectors.complaint_for_page if for_page else selectors.complaint_visible_to
    complaint = find(staff=staff, number=number)
    if complaint is None:
        raise Http404(_("No complaint %(number)s, or you may not see it.") % {"number": number})
    return staff, complaint


class _Lookups:
    """Names for the codes a timeline entry's data holds (two small rule-book tables), for the
    entry of kind ``event`` being shown."""

    def __init__(self) -> None:
        self.event = ""
        self.categories = {c.code: c for c in Category.objects.all()}
        self.severities = {s.code: s for s in Severity.objects.all()}

    def value(self, key: str, value: Any) -> Any:
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, list):
            return "、".join(str(self.value(key, item)) for item in value) or "—"
        known = registry.data_key(self.event, key)
        if known is not None and known.choices and isinstance(value, str) and value in known.choices:
            return known.choices[value]
        if known is not None and known.when and isinstance(value, str):
            return _when(value)
        if key in ("role", "stands_in_for") and value in Role.values:
            return Role(value).label
        if key == "channel" and value in Channel.values:
            return Channel(value).label
        if key == "satisfaction" and value in Satisfaction.values:
            return Satisfaction(value).label
        if key == "category" and value in self.categories:
            return localized(self.categories[value])
        if key == "severity" and value in self.severities:
            return localized(self.severities[value])
        return value


def _when(value: str) -> str:
    """An ISO date-time as the page shows it (local time), or the text as it is."""
    try:
        when = parse_datetime(value)
    except ValueError:
        when = None
    return date_format(timezone.localtime(when), "Y-m-d H:i") if when and timezone.is_aware(when) else value


def _data_label(key: str, event: str) -> str:
    if key in DATA_LABELS:
        return str(DATA_LABELS[key])
    if known := registry.data_key(event, key):
        return str(known.label)
    try:
        return str(Complaint._meta.get_field(key).verbose_name)
    except FieldDoesNotExist:
        return key


def _data_lines(data: dict[str, Any], lookups: _Lookups) -> list[dict[str, Any]]:
    """A timeline entry's data as lines: "label: old → new" or "label: value"."""
    lines = []
    for key, value in data.items():
        known = registry.data_key(lookups.event, key)
        if key in HIDDEN_DATA or value is None or (known is not None and known.hidden):
            continue
        if key == "changes" and isinstance(value, dict):
            lines += _data_lines(value, lookups)
        elif known is not None and known.per_item and isinstance(value, dict):
            # e.g. clock kind → due time, or → {"old", "new"} due times: one line per item
            for item, when in value.items():
                label = known.choices.get(item, item)
                if isinstance(when, dict) and set(when) == {"old", "new"}:
                    old, new = lookups.value("", when["old"]), lookups.value("", when["new"])
                    lines.append(
                        {"label": label, "old": _shown_when(old), "new": _shown_when(new), "changed": True}
                    )
                else:
                    lines.append(
                        {"label": label, "value": _shown_when(lookups.value("", when)), "changed": False}
                    )
        elif isinstance(value, dict) and set(value) == {"old", "new"}:
            lines.append(
                {
                    "label": _data_label(key, lookups.event),
                    "old": lookups.value(key, value["old"]),
                    "new": lookups.value(key, value["new"]),
                    "changed": True,
                }
            )
        else:
            lines.append(
                {
                    "label": _data_label(key, lookups.event),
                    "value": lookups.value(key, value),
                    "changed": False,
                }
            )
    return lines


def _shown_when(value: Any) -> Any:
    return _when(value) if isinstance(value, str) else value


def _timeline(events: list[ComplaintEvent]) -> list[dict[str, Any]]:
    lookups = _Lookups()
    rows = []
    for event in events:
        spec = workflow.ACTIONS.get(event.action)
        label = spec.label if spec else registry.EVENT_LABELS.get(event.action, event.action)
        lookups.event = event.action  # an app may show a data key its own way on its entries
        rows.append({"event": event, "label": label, "lines": _data_lines(event.data or {}, lookups)})
    return rows


def _detail(
    request: HttpRequest,
    staff: Staff | None,
    complaint: Complaint,
    *,
    bound: tuple[str, Form] | None = None,
    status: int = 200,
    stale: dict[str, Any] | None = None,
    show: str | None = None,
) -> HttpResponse:
    """Render the complaint page; ``bound`` is one action's submitted form, shown open; ``show``
    names an action whose empty form is shown open (the others are loaded when opened)."""
    allowed = workflow.allowed_actions(complaint=complaint, capacities=capacities_of(staff=staff))
    # Each action's form is built and rendered when the user opens it (htmx asks
    # complaint_action_form for it; without JavaScript its link reloads the page with that form
    # open): the forms are most of the page's cost and most visits open none. The one being
    # answered (a refused or stale submission: ``bound``) or asked for (``show``) is rendered here.
    seen = timezone.now().isoformat()
    action_forms = []
    for name in allowed:
        if bound and bound[0] == name:
            form: Form | None = bound[1]
        elif name == show:
            form = _empty_form(name, complaint, version=complaint.version, seen=seen)
        else:
            form = None
        action_forms.append(
            {
                "name": name,
                "spec": workflow.ACTIONS[name],
                "label": workflow.step_label(complaint, name),  # in the company's words
                "form": form,
            }
        )
    attach_form = (
        bound[1] if bound and bound[0] == "attach" else AttachmentForm(initial={"version": complaint.version})
    )
    context = {
        "complaint": complaint,
        "accused": list(complaint.accused_staff.all()),
        "recusal": workflow.stand_ins(complaint),
        "slips": list(
            complaint.transfer_slips.select_related(
                "to_department", "to_position", "proposed_by", "approved_by", "received_by"
            )
        ),
        "attachments": list(complaint.attachments.select_related("uploaded_by")),
        "photo_types": PHOTO_TYPES,
        "secondary": selectors.secondary_complaints(complaint),
        "timeline": _timeline(list(selectors.timeline(complaint))),
        "app_panels": registry.panels("complaint", complaint),
        "action_forms": action_forms,
        "open_action": bound[0] if bound else show,
        "form_query": urlencode({"version": complaint.version, "seen": seen}),
        "stale": stale,
        "attach_form": attach_form if "comment" in allowed else None,
    }
    return render(request, "complaints/detail.html", context, status=status)


@login_required
@require_GET
def complaint_detail(request: HttpRequest, number: str) -> HttpResponse:
    staff, complaint = _visible(request, number, for_page=True)
    return _detail(request, staff, complaint)


def _empty_form(action: str, complaint: Complaint, *, version: int, seen: str) -> VersionedForm:
    """An action's form as the page offers it, carrying the version and the time the viewer loaded
    the page (so confirming acts on what they saw, and a 409 shows what changed since)."""
    form = CorrectionForm(complaint) if action == "correct" else action_form(action, complaint)
    form.initial["version"] = version
    form.initial["seen"] = seen
    return form


def _seen_version(request: HttpRequest, complaint: Complaint) -> tuple[int, str]:
    """The version and load time the page that asks for a form was rendered with (query
    parameters; the current ones if missing or malformed)."""
    text = request.GET.get("version", "")
    version = int(text) if text.isascii() and text.isdigit() and len(text) < 10 else complaint.version
    seen = request.GET.get("seen", "")[:40]
    try:
        valid = parse_datetime(seen) is not None
    except ValueError:
        valid = False
    return max(version, 1), seen if valid else timezone.now().isoformat()


@login_required
@require_GET
def complaint_action_form(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """An action's form. htmx asks for the form alone when the user opens the
    action on the complaint page; a plain GET (no JavaScript: the action's link) gets the whole
    page with that form open. An action no longer possible says so instead of a form."""
    staff, complaint = _visible(request, number, for_page=request.headers.get("HX-Request") != "true")
    allowed = workflow.allowed_actions(complaint=complaint, capacities=capacities_of(staff=staff))
    if request.headers.get("HX-Request") != "true":
        if action not in allowed:
            messages.warning(request, _("That action is not possible on this complaint now."))
        return _detail(request, staff, complaint, show=action if action in allowed else None)
    if action not in allowed:
        text = _("That action is not possible on this complaint now; reload the page.")
        return HttpResponse(f'<p class="muted">{escape(text)}</p>')
    version, seen = _seen_version(request, complaint)
    context = {
        "complaint": complaint,
        "af": {
            "name": action,
            "spec": workflow.ACTIONS[action],
            "label": workflow.step_label(complaint, action),
            "form": _empty_form(action, complaint, version=version, seen=seen),
        },
    }
    response = render(request, "complaints/_action_form.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _refused(request: HttpRequest, complaint: Complaint, error: ActionNotAllowed) -> HttpResponse:
    allowed = [workflow.ACTIONS[name].label for name in error.allowed if name in workflow.ACTIONS]
    context = {"complaint": complaint, "error": error, "allowed": allowed}
    return render(request, "complaints/refused.html", context, status=403)


def _bind(action: str, complaint: Complaint, data: Any, files: Any = None) -> VersionedForm:
    """The form of ``action`` on the complaint page, bound to what was sent."""
    if action == "correct":
        return CorrectionForm(complaint, data)
    if action == "attach":
        return AttachmentForm(data, files)
    if action in actions.ACTION_INPUTS:
        return action_form(action, complaint, data)
    return VersionedForm(data)


def _stale(
    request: HttpRequest,
    staff: Staff | None,
    complaint: Complaint,
    error: StaleVersion,
    *,
    action: str,
    form: VersionedForm,
) -> HttpResponse:
    """Someone changed the complaint since the viewer loaded it: nothing was saved. The page is
    shown again as it is now, with the viewer's form still holding what they typed (now at the
    current version, so confirming again acts on what they have seen) and, above, what changed
    since they loaded the page (409). A file to upload must be chosen again: browsers do not
    send it back."""
    fresh = selectors.complaint_for_page(staff=staff, number=complaint.number)
    if fresh is None:  # no longer visible to them
        return render(request, "complaints/stale.html", {"complaint": complaint, "error": error}, status=409)
    data = request.POST.copy()
    data[form.add_prefix("version")] = str(fresh.version)
    data[form.add_prefix("seen")] = timezone.now().isoformat()
    seen = form.seen_at()
    events = list(selectors.timeline(fresh))
    if seen is not None:
        changed = [e for e in events if e.at > seen]
    else:  # an old page without "seen": the last entries, one per version missed
        changed = events[-max(1, error.current - error.expected) :]
    allowed = workflow.allowed_actions(complaint=fresh, capacities=capacities_of(staff=staff))
    typed = []
    if action not in allowed and action != "attach":  # no form to keep it in: show it
        typed = [
            (field.label, data.get(form.add_prefix(name), ""))
            for name, field in form.fields.items()
            if name not in {"version", "seen"} and str(data.get(form.add_prefix(name), "")).strip()
        ]
    stale = {"error": error, "changes": _timeline(changed), "typed": typed, "action": action}
    bound = (action, _bind(action, fresh, data))
    return _detail(request, staff, fresh, bound=bound, status=409, stale=stale)


class _InvalidForm(Exception):
    """The submitted form did not parse; its errors are on the form."""


def _parsed(form: VersionedForm, complaint: Complaint, action: str, staff: Staff | None) -> None:
    if not form.is_valid():
        # As in actions.perform_action: someone who may not act learns that first, not that a
        # field is missing.
        workflow.authorize(complaint=complaint, action=action, staff=staff)
        raise _InvalidForm


@login_required
@require_POST
def complaint_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    staff, complaint = _visible(request, number)
    if staff is None:
        raise PermissionDenied
    form = _bind(action, complaint, request.POST)
    try:
        _parsed(form, complaint, action, staff)
        if action == "correct":
            inputs = {"changes": form.changes(), "reason": form.cleaned_data["reason"]}
        else:
            inputs = action_inputs(form)
        result = actions.perform_action(
            complaint=complaint, action=action, by=staff, inputs=inputs, version=form.cleaned_data["version"]
        )
    except ActionNotAllowed as error:
        return _refused(request, complaint, error)
    except StaleVersion as error:
        return _stale(request, staff, complaint, error, action=action, form=form)
    except ValidationError as error:
        _add_errors(form, error)
        return _detail(request, staff, complaint, bound=(action, form), status=400)
    except _InvalidForm:
        return _detail(request, staff, complaint, bound=(action, form), status=400)
    label = workflow.ACTIONS[action].label
    if result.pk != complaint.pk:  # file_secondary: the new complaint
        messages.success(
            request,
            _("Secondary complaint %(number)s registered (first complaint %(first)s).")
            % {"number": result.number, "first": complaint.number},
        )
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": label})
    return redirect("complaint-detail", number=result.number)


@login_required
@require_POST
def attachment_add(request: HttpRequest, number: str) -> HttpResponse:
    staff, complaint = _visible(request, number)
    if staff is None:
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    try:
        # Adding a file is recorded like a comment and allowed to whoever may comment.
        _parsed(form, complaint, "comment", staff)
        attachment = services.add_attachment(
            complaint=complaint,
            by=staff,
            upload=form.cleaned_data["file"],
            version=form.cleaned_data["version"],
        )
    except ActionNotAllowed as error:
        return _refused(request, complaint, error)
    except StaleVersion as error:
        return _stale(request, staff, complaint, error, action="attach", form=form)
    except ValidationError as error:
        _add_errors(form, error)
        return _detail(request, staff, complaint, bound=("attach", form), status=400)
    except _InvalidForm:
        return _detail(request, staff, complaint, bound=("attach", form), status=400)
    messages.success(request, _("Attached %(name)s.") % {"name": attachment.original_name})
    return redirect("complaint-detail", number=complaint.number)


@login_required
@require_GET
def attachment_download(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    _staff, complaint = _visible(request, number)
    attachment = complaint.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404(_("No such attachment."))
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from the attachment store.")) from None
    return FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )


@login_required
@require_GET
def attachment_thumbnail(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse:
    """A photo attachment's preview (a small JPEG), for whoever may see the complaint."""
    _staff, complaint = _visible(request, number)
    attachment = complaint.attachments.filter(pk=attachment_id).first()
    if attachment is None or not is_photo(attachment.content_type):
        raise Http404(_("No such photo."))
    try:
        with attachment.file.open("rb") as handle:
            preview = thumbnail(handle)
    except FileNotFoundError:
        raise Http404(_("The file is missing from the attachment store.")) from None
    if preview is None:
        raise Http404(_("This photo cannot be previewed."))
    response = HttpResponse(preview, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response
