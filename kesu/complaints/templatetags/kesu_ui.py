"""Small presentation helpers for Kesu's templates."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext

register = template.Library()


@register.filter
def localized(obj: Any) -> str:
    """A rule-book row's name in the UI language (classes and severities have ``name_en``)."""
    if obj is None:
        return ""
    english = getattr(obj, "name_en", "")
    if english and (get_language() or "").startswith("en"):
        return english
    return str(getattr(obj, "name", obj))


@register.simple_tag(takes_context=True)
def query_with(context: dict, **changes: Any) -> str:
    """The current query string with some parameters replaced (pagination links keep the filters)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return "?" + urlencode(sorted(params.lists()), doseq=True)


@register.simple_tag(takes_context=True)
def nav_capabilities(context: dict) -> dict[str, Any]:
    """What the top navigation needs about the signed-in person: their staff record, role labels,
    whether they may register complaints, and what apps add (``extra``: e.g. how many
    notifications they have not read, registry.register_navigation). Computed once per request."""
    from kesu.complaints.registry import NAVIGATION
    from kesu.complaints.workflow import may_register
    from kesu.organization.models import Role
    from kesu.organization.selectors import staff_of

    request = context["request"]
    cached = getattr(request, "_kesu_nav", None)
    if cached is None:
        staff = staff_of(request.user)
        roles = [Role(r).label for r in sorted(staff.roles)] if staff else []
        cached = {
            "staff": staff,
            "roles": roles,
            "may_register": may_register(staff),
            "extra": {name: value(staff) for name, value in NAVIGATION.items()} if staff else {},
        }
        request._kesu_nav = cached
    return cached


@register.simple_tag(takes_context=True)
def app_panel(context: Any, panel: dict[str, Any]) -> str:
    """Render a panel an app registered (kesu.complaints.registry.register_panel) with the page's
    context plus the panel's own."""
    template = context.template.engine.get_template(panel["template"])
    with context.push(**panel["context"]):
        return template.render(context)


@register.simple_tag(takes_context=True)
def sort_header(context: Any, key: str, label: Any) -> str:
    """A column heading of the complaint list that sorts by it: ascending first, then descending;
    the current order is marked (▲/▼) and told to screen readers (aria-sort on the th)."""
    from django.utils.html import format_html

    current = context.get("sort") or ""
    params = context["request"].GET.copy()
    params.pop("page", None)
    params["sort"] = f"-{key}" if current == key else key
    href = "?" + urlencode(sorted(params.lists()), doseq=True)
    mark, aria = (
        ("▲", "ascending")
        if current == key
        else ("▼", "descending")
        if current == f"-{key}"
        else ("", "none")
    )
    return format_html(
        # a whole page load, not an htmx swap of the results: the filter form keeps the new order
        '<th aria-sort="{}"><a class="sort" href="{}">{}{}</a></th>',
        aria,
        href,
        label,
        f" {mark}" if mark else "",
    )


# The complaints table's rows (the workbench's panels and the list) written here rather than in
# the template: 20–80 rows of a dozen cells through the template engine were most of those pages'
# Python time (bench/RESULTS.md, issue 7). The markup is the one complaints/_table.html had.
_NUMBER_SAFE = re.compile(r"^[0-9A-Za-z-]+$")  # nothing to quote in a URL
_PLACEHOLDER = "__number__"


def _complaint_url(number: str, pattern: str) -> str:
    if _NUMBER_SAFE.match(number):
        return pattern.replace(_PLACEHOLDER, number, 1)
    return reverse("complaint-detail", args=[number])


def _when(value: Any, form: str) -> str:
    return date_filter(template_localtime(value), form)


@register.simple_tag
def complaint_rows(complaints: Any, compact: bool = False, sortable: bool = False, bulk: bool = False) -> str:
    """The ``<tr>`` of each complaint (a "No complaints." row when there is none)."""
    esc = conditional_escape
    pattern = reverse("complaint-detail", args=[_PLACEHOLDER])
    now = timezone.now()
    overdue = esc(gettext("overdue"))
    rows = []
    for c in complaints:
        number = esc(c.number)
        cells = []
        if sortable and bulk:
            box = ""
            if c.status == "transfer_proposed":
                box = (
                    f'<input type="checkbox" name="number" value="{number}" form="bulk-approve"'
                    f' aria-label="{number}"><input type="hidden" name="version-{number}"'
                    f' value="{esc(localize(c.version))}" form="bulk-approve">'
                )
            cells.append(f"<td>{box}</td>")
        cells.append(
            f'<td><a class="number" href="{esc(_complaint_url(c.number, pattern))}">{number}</a></td>'
        )
        if not compact:
            cells.append(f'<td class="nowrap">{esc(_when(c.received_at, "Y-m-d H:i"))}</td>')
        customer = ""
        if c.customer and not compact:
            customer = f'<div class="muted small">{esc(c.customer.name)}</div>'
        cells.append(f"<td>{esc(c.complainant_name)}{customer}</td>")
        description = Truncator(c.description)
        cells.append(
            f'<td class="subject" title="{esc(description.chars(200))}">{esc(description.chars(24))}</td>'
        )
        cells.append(f'<td class="nowrap">{esc(localized(c.category) or "—")}</td>')
        cells.append(
            f'<td><span class="badge sev-{esc(c.severity.code)}">{esc(localized(c.severity))}</span></td>'
        )
        cells.append(
            f'<td><span class="badge status-{esc(c.status)}">{esc(c.get_status_display())}</span></td>'
        )
        if c.next_due_at:
            late = f' <span class="badge overdue">{overdue}</span>' if c.next_due_at < now else ""
            due = (
                f'<time datetime="{esc(_when(c.next_due_at, "c"))}">{esc(_when(c.next_due_at, "m-d H:i"))}</time>'
                f"{late}"
            )
        else:
            due = '<span class="muted">—</span>'
        cells.append(f'<td class="nowrap due">{due}</td>')
        if sortable:
            cells.append(f'<td class="nowrap">{esc(c.get_channel_display())}</td>')
        if not compact:
            department = c.handling_department.name if c.handling_department else ""
            cells.append(f"<td>{esc(department or '—')}</td>")
        if sortable:
            handler = c.handler.display_name if c.handler else ""
            cells.append(f"<td>{esc(handler or '—')}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    if not rows:
        span = 7 if compact else 13 if sortable else 9
        rows.append(f'<tr><td colspan="{span}" class="empty">{esc(gettext("No complaints."))}</td></tr>')
    return mark_safe("\n".join(rows))  # noqa: S308 (every value above is escaped)
