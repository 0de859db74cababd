"""Django's form renderer, with its simplest widget templates written in Python.

Every ``<input>``, ``<textarea>``, ``<select>`` and ``<option>`` Django renders goes through its
own template (and ``attrs.html`` inside it): a select of 200 options is 200 template renders. The
pages people wait on render hundreds of them (the list's filters, an action's form), and that
was most of their Python time (bench/RESULTS.md, issue 7). ``FastFormRenderer`` writes exactly the
HTML those templates write (``tests/test_form_renderer.py`` compares both on the app's forms) and
hands every other template — form layouts, labels, error lists, other widgets and any template a
project overrides — to Django's templates as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict[str, Any]) -> str:
    # django/forms/widgets/attrs.html
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(out)


def _shown(value: Any) -> str:
    """``{{ value }}`` in a template: localized, then escaped unless safe."""
    return str(conditional_escape(localize(value)))


def _input(widget: dict[str, Any]) -> str:
    # django/forms/widgets/input.html (text, number, hidden, date, checkbox, …)
    value = "" if widget["value"] is None else f' value="{conditional_escape(str(widget["value"]))}"'
    return (
        f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"{value}'
        f"{_attrs(widget['attrs'])}>"
    )


def _textarea(widget: dict[str, Any]) -> str:
    # django/forms/widgets/textarea.html
    value = _shown(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _option(option: dict[str, Any]) -> str:
    # django/forms/widgets/select_option.html
    return (
        f'<option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
        f"{_shown(option['label'])}</option>"
    )


_OPTION = "django/forms/widgets/select_option.html"


def _select(widget: dict[str, Any]) -> str | None:
    # django/forms/widgets/select.html (and SelectMultiple's, the same template)
    out = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in options:
            if option.get("template_name") != _OPTION:
                return None  # an option template of its own: Django renders it
            out.append(f"\n  {_option(option)}\n")  # the option template's own line end
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


_INPUTS = (
    "input",
    "text",
    "number",
    "email",
    "url",
    "password",
    "hidden",
    "date",
    "datetime",
    "time",
    "checkbox",
)
WRITERS: dict[str, Callable[[dict[str, Any]], str | None]] = {
    **{f"django/forms/widgets/{name}.html": _input for name in _INPUTS},
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
    _OPTION: _option,
}


class FastFormRenderer(DjangoTemplates):
    """``settings.FORM_RENDERER``: the widget templates above in Python, the rest as Django's."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> SafeString | str:
        writer = WRITERS.get(template_name)
        widget = context.get("widget") if writer is not None else None
        if writer is not None and isinstance(widget, dict):
            html = writer(widget)
            if html is not None:
                return mark_safe(html)  # noqa: S308 (every value above is escaped)
        return super().render(template_name, context, request)
