"""The internal objection route (签呈) against an approved decision: seed 002 (九)12 各部门对客户投诉
处理决议有异议时得以“签呈”专案呈报处理. A department head (or the CS director) raises it with its
reason, to a named decider — a holder of the rule book's objection route (ObjectionRoute, e.g. the
general manager: the seed's 签呈 go 呈总经理核示, (五)–(六)); the decider (or their deputy while
absent) records the outcome: upheld (the decision is to be reworked: a new version may be
proposed) or dismissed (the decision stands). While an objection is pending the customer's answer
is not recorded. Keyword-only, atomic, the complaint row locked first, a timeline entry each.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.complaints.models import Complaint
from kesu.complaints.services import append_event
from kesu.core import limits
from kesu.decisions.errors import DecisionConflict, MayNotDecide
from kesu.decisions.models import (
    DecisionVersion,
    Objection,
    ObjectionRoute,
    ObjectionStatus,
    VersionStatus,
)
from kesu.organization.models import Role, Staff
from kesu.organization.selectors import Capacity, capacities_of

RAISERS = frozenset({Role.DEPARTMENT_HEAD, Role.CS_DIRECTOR})


def route() -> ObjectionRoute | None:
    return ObjectionRoute.objects.filter(is_active=True).order_by("pk").first()


def _accused(complaint: Complaint) -> set[int]:
    return set(complaint.accused_staff.values_list("pk", flat=True))


def deciders(objection_route: ObjectionRoute, complaint: Complaint) -> list[Staff]:
    """Who may be named to decide: active holders of the route's role (in its department), never
    someone complained about (回避)."""
    people = Staff.objects.filter(
        role_assignments__role=objection_route.decider_role, user__is_active=True
    ).select_related("user", "department")
    if objection_route.decider_department:
        people = people.filter(department__code=objection_route.decider_department)
    accused = _accused(complaint)
    return [p for p in people.order_by("pk").distinct() if p.pk not in accused]


def raising_capacity(*, complaint: Complaint, staff: Staff) -> Capacity | None:
    """A department head or the CS director — or their deputy while absent — raises a 签呈 for
    their department; never someone complained about, nor anyone for them."""
    accused = _accused(complaint)
    if staff.pk in accused:
        return None
    for capacity in capacities_of(staff=staff):
        if capacity.principal.pk not in accused and RAISERS & capacity.principal.roles:
            return capacity
    return None


def _locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update(of=("self",)).get(pk=complaint.pk)


def _text(errors: dict[str, list[str]], name: str, value: object) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        errors[name] = [_("This field is required.")]
    else:
        try:
            limits.check_text(text, max_length=limits.HANDLING_TEXT)
        except ValidationError as exc:
            errors[name] = list(exc.messages)
    return text


def raise_objection(*, complaint: Complaint, by: Staff, reason: str, decider: str = "") -> Objection:
    """Object to the complaint's approved decision (its last approved version) with a reason, to
    ``decider`` (a username; may be left empty when one person alone holds the route)."""
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason)
    if not isinstance(decider, str):
        errors["decider"] = [_("Give the decider's username.")]
        decider = ""
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(complaint)
        capacity = raising_capacity(complaint=locked, staff=by)
        if capacity is None:
            raise MayNotDecide(_("Only a department head or the customer-service director raises a 签呈."))
        objection_route = route()
        if objection_route is None:
            raise DecisionConflict(_("The rule book has no objection route (签呈): see the admin."))
        version = (
            DecisionVersion.objects.select_for_update()
            .filter(decision__complaint=locked)
            .order_by("-number")
            .first()
        )
        if version is None or version.status != VersionStatus.APPROVED:
            raise DecisionConflict(_("Only an approved decision can be objected to."))
        if version.objections.filter(status=ObjectionStatus.PENDING).exists():
            raise DecisionConflict(_("An objection to this decision is already pending."))
        candidates = deciders(objection_route, locked)
        chosen = [p for p in candidates if p.user.get_username() == decider] if decider else candidates
        if not chosen or (not decider and len(candidates) > 1):
            names = "、".join(f"{p.display_name} ({p.user.get_username()})" for p in candidates) or _(
                "nobody"
            )
            raise ValidationError({"decider": [_("Name the decider: one of %(names)s.") % {"names": names}]})
        objection = Objection.objects.create(
            version=version,
            raised_by=by,
            department=capacity.principal.department,
            reason=reason,
            decider=chosen[0],
        )
        append_event(
            complaint=locked,
            capacity=capacity,
            action="decision_objection_raised",
            comment=reason,
            data={
                "decision_version": version.number,
                "department": objection.department.name,
                "decider": chosen[0].display_name,
            },
        )
    return objection


def decide_objection(*, objection: Objection, by: Staff, uphold: bool, reason: str) -> Objection:
    """The named decider (or their deputy while absent) records the outcome with its reason."""
    errors: dict[str, list[str]] = {}
    if not isinstance(uphold, bool):
        errors["uphold"] = [_("Say whether the objection is upheld (true or false).")]
    reason = _text(errors, "reason", reason)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(objection.version.decision.complaint)
        objection = (
            Objection.objects.select_for_update(of=("self",)).select_related("version").get(pk=objection.pk)
        )
        capacity = next((c for c in capacities_of(staff=by) if c.principal.pk == objection.decider_id), None)
        if capacity is None or by.pk in _accused(locked):
            raise MayNotDecide(
                _("Only %(name)s, the named decider, decides this objection.") % {"name": objection.decider}
            )
        if objection.status != ObjectionStatus.PENDING:
            raise DecisionConflict(_("This objection is already decided."))
        objection.status = ObjectionStatus.UPHELD if uphold else ObjectionStatus.DISMISSED
        objection.outcome, objection.decided_by, objection.decided_at = reason, by, timezone.now()
        objection.save(update_fields=["status", "outcome", "decided_by", "decided_at"])
        append_event(
            complaint=locked,
            capacity=capacity,
            action="decision_objection_decided",
            comment=reason,
            data={"decision_version": objection.version.number, "outcome": objection.status},
        )
    return objection
