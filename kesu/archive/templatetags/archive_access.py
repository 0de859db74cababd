"""The customer page's corrections panel (seed 001 #4), kept out of the page's own view."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from kesu.archive import corrections, services
from kesu.archive.access_models import AccessRules
from kesu.archive.models import CustomerArchive, ProfileField
from kesu.organization.selectors import staff_of

register = template.Library()

OWN_FIELDS = {"name": "name", "phone": "phone", "address": "address", "contact_name": "contact"}


@register.inclusion_tag("archive/_corrections.html", takes_context=True)
def corrections_panel(context: Any, archive: CustomerArchive) -> dict[str, Any]:
    staff = staff_of(context["request"].user)
    rules = AccessRules.current()
    rows = corrections.of_archive(archive)
    fields = [(key, _(label)) for key, label in OWN_FIELDS.items()] + [
        (f"profile.{f.code}", f.label) for f in ProfileField.objects.filter(kind=archive.kind)
    ]
    return {
        "archive": archive,
        "rows": [{"c": c, "may_act": corrections.may_act(staff, c, rules)} for c in rows],
        "may_draft": services.may_keep(staff),
        "fields": fields,
        "errors": context.get("correction_errors"),
        "csrf_token": context.get("csrf_token"),
    }
