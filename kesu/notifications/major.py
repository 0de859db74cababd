"""Major complaints (重大投诉) reported at once to the people the rule book names.

Seed 001 客户管理制度11 一(六) 一报告: 重大投诉，必须马上报各部门主管或公司领导. The rule book's
``MajorComplaintRule`` rows say which severities and classes count as major and which roles are
told; they are loaded from the preset section ``major_complaint_recipients``. A complaint is
reported when it is registered as major or reclassified (or corrected) into a major class or
severity — once per person and complaint (dedup key ``major:<complaint id>``): reclassifying it
again tells only people not told before.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kesu.complaints.models import Category, Complaint, ComplaintEvent, Severity
from kesu.notifications.models import MajorComplaintRule, Notification
from kesu.notifications.services import Message, notify_each
from kesu.organization.models import Role, Staff
from kesu.rulebook.cache import cached

# Roles that act only for their own department (the workflow's department scope): told in the
# responsible department once there is one, all of them before.
DEPARTMENT_ROLES = frozenset({Role.DEPARTMENT_HEAD, Role.HANDLER})


def _classification_changed(event: ComplaintEvent) -> bool:
    data = event.data or {}
    changes = data.get("changes") if isinstance(data.get("changes"), dict) else {}
    return event.action == "registered" or any(
        key in data or key in changes for key in ("severity", "category")
    )


def roles_to_tell(complaint: Complaint) -> set[str]:
    """The roles the rule book tells about ``complaint`` (empty: not a major complaint)."""
    categories = [c for c in (complaint.category_id, getattr(complaint.category, "parent_id", None)) if c]
    rules = cached(
        "notifications.major_rules",
        lambda: tuple(MajorComplaintRule.objects.values_list("severity_id", "category_id", "role")),
    )
    return {
        role
        for severity_id, category_id, role in rules
        if severity_id in (None, complaint.severity_id) and (category_id is None or category_id in categories)
    }


def on_complaint_event(event: ComplaintEvent) -> None:
    """after_event hook: report a complaint that is now major (registered or reclassified)."""
    if event.actor_id is None or not _classification_changed(event):
        return
    complaint = event.complaint
    roles = roles_to_tell(complaint)
    if not roles:
        return
    with translation.override(settings.LANGUAGE_CODE):  # stored text, read by others: the site's language
        _report(complaint, event, roles)


def _report(complaint: Complaint, event: ComplaintEvent, roles: set[str]) -> None:
    accused = set(complaint.accused_staff.values_list("pk", flat=True))
    where = Q(role_assignments__role__in=roles - DEPARTMENT_ROLES)
    if roles & DEPARTMENT_ROLES:
        scoped = Q(role_assignments__role__in=roles & DEPARTMENT_ROLES)
        if complaint.handling_department_id is not None:
            scoped &= Q(department_id=complaint.handling_department_id)
        where |= scoped
    now = timezone.now()
    told: dict[int, Message] = {}
    values = {
        "severity": complaint.severity.name if complaint.severity_id else "",
        "category": complaint.category.name if complaint.category_id else "",
        "by": event.actor.display_name if event.actor else "",
    }
    # No number in the text: at registration it is drawn after this (the centre and the e-mail
    # subject show the complaint's number beside the title).
    title = _("Major complaint (%(severity)s, %(category)s)") % values
    body = (
        _(
            "This complaint counts as a major complaint (重大投诉) under the rule book"
            " (%(severity)s, %(category)s), registered or reclassified by %(by)s: it is reported to you at once."
        )
        % values
    )
    for holder in (
        Staff.objects.filter(where).distinct().select_related("user", "deputy__user").order_by("pk")
    ):
        if holder.pk in accused or holder.pk == event.actor_id:
            continue
        person = holder
        if holder.is_absent(now) and holder.deputy is not None and holder.deputy.pk not in accused:
            person = holder.deputy
        if person.pk == event.actor_id:
            continue
        told.setdefault(person.pk, Message(recipient=person, title=title, body=body))
    notify_each(
        messages=told.values(),
        kind=Notification.Kind.MAJOR,
        complaint=complaint,
        dedup_key=f"major:{complaint.pk}",
        at=event.at,
    )


def load_major_complaint_recipients(preset: dict[str, Any]) -> None:
    """The preset section ``major_complaint_recipients``: a list of rules, each with a
    ``severity`` and/or ``category`` code, the ``roles`` told and the ``source`` clause. Replaces
    the rules; an unknown code or role is a ValidationError and the preset saves nothing."""
    MajorComplaintRule.objects.all().delete()
    for number, spec in enumerate(preset.get("major_complaint_recipients", []), start=1):
        where = f"major_complaint_recipients[{number}]"
        severity = category = None
        if spec.get("severity"):
            severity = Severity.objects.filter(code=spec["severity"]).first()
            if severity is None:
                raise ValidationError({where: [_("Unknown severity: %(code)s") % {"code": spec["severity"]}]})
        if spec.get("category"):
            category = Category.objects.filter(code=spec["category"]).first()
            if category is None:
                raise ValidationError({where: [_("Unknown class: %(code)s") % {"code": spec["category"]}]})
        for role in spec.get("roles", []):
            rule = MajorComplaintRule(
                severity=severity, category=category, role=role, source=spec.get("source", "")
            )
            rule.full_clean()  # a preset obeys the same rules as the admin
            rule.save()
