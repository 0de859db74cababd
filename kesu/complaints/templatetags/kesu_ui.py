"""Small presentation helpers for Kesu's templates."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.utils.translation import get_language

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
