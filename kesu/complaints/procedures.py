"""A rule book's procedures as data: which skeleton steps a class's complaints go through, and who
takes each (models: Procedure, ProcedureStep).

The workflow (kesu.complaints.workflow) asks :func:`rules_for` once per complaint: one query
reads the steps of every procedure that could apply (its class, its parent classes, the default),
whatever their number, and the nearest one wins. The result is kept on the complaint object for
the rest of the request, and read again on the next request: an edit in the admin applies to the
next action without a restart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kesu.complaints.models import Category, Complaint, Procedure, ProcedureStep, Severity, StepScope
from kesu.organization.models import Role
from kesu.rulebook.cache import cached

# The skeleton's steps a procedure may list, in lifecycle order. The other actions (comment,
# correct, withdraw, not upheld, reopen, decline, return for rework, the clocks' actions) keep the
# roles the workflow gives them. ``reject_transfer`` and ``return_resolution`` belong to whoever
# approves: they follow the approval step.
STEP_ACTIONS: dict[str, Any] = {
    "register": _("Register (the one window)"),
    "classify": _("Classify"),
    "answer_on_spot": _("Answer on the spot and close"),
    "answer_and_forward": _("Answer and forward"),
    "propose_transfer": _("Propose transfer"),
    "approve_transfer": _("Approve transfer"),
    "accept_transfer": _("Accept (sign the transfer slip)"),
    "start_investigation": _("Start investigation"),
    "propose_resolution": _("Propose resolution"),
    "approve_resolution": _("Approve resolution"),
    "reply_to_customer": _("Reply to customer"),
    "record_follow_up": _("Record follow-up visit"),
    "close": _("Close"),
}
# Steps the skeleton passes by when a procedure leaves them out (or lists them as not required).
SKIPPABLE = frozenset({"approve_transfer", "approve_resolution", "record_follow_up"})
# Steps a procedure may leave out: the complaint is simply not offered them.
OFFERED = frozenset({"answer_on_spot", "answer_and_forward"})
# Without these, a transferred complaint can never be closed.
MAIN_PATH = (
    "classify",
    "propose_transfer",
    "accept_transfer",
    "start_investigation",
    "propose_resolution",
    "reply_to_customer",
    "close",
)
# Actions whose takers are those of another step.
FOLLOWS = {"reject_transfer": "approve_transfer", "return_resolution": "approve_resolution"}


@dataclass(frozen=True)
class Taker:
    """Who takes a step: holders of ``role``, limited by ``scope``."""

    role: str
    scope: str
    position_id: int | None = None


@dataclass(frozen=True)
class Rules:
    """The procedure in force for one complaint, as the workflow needs it."""

    procedure_id: int | None
    takers: dict[str, tuple[Taker, ...]]  # step action → who may take it
    optional: frozenset[str]  # listed, but the complaint may go on without them
    labels: dict[str, str]

    def lists(self, action: str) -> bool:
        return action in self.takers

    def requires(self, action: str) -> bool:
        return action in self.takers and action not in self.optional

    def takers_of(self, action: str) -> tuple[Taker, ...]:
        return self.takers.get(FOLLOWS.get(action, action), ())


def _rules(procedure_id: int | None, steps: Iterable[ProcedureStep]) -> Rules:
    takers: dict[str, list[Taker]] = {}
    optional: set[str] = set()
    labels: dict[str, str] = {}
    for step in steps:
        takers.setdefault(step.action, []).append(Taker(step.role, step.scope, step.position_id))
        if not step.required and step.action in SKIPPABLE:
            optional.add(step.action)
        if step.label:
            labels.setdefault(step.action, step.label)
    return Rules(procedure_id, {a: tuple(t) for a, t in takers.items()}, frozenset(optional), labels)


# When no procedure applies (a database loaded before procedures existed and not migrated),
# the skeleton's own defaults: the furniture rule book's path, every step required.
_DESK = (Taker(Role.DESK_CLERK, StepScope.ANY), Taker(Role.CS_DIRECTOR, StepScope.ANY))
_DEPARTMENT = (Taker(Role.DEPARTMENT_HEAD, StepScope.DEPARTMENT), Taker(Role.HANDLER, StepScope.DEPARTMENT))
DEFAULT_RULES = Rules(
    procedure_id=None,
    takers={
        "register": _DESK,
        "classify": _DESK,
        "propose_transfer": _DESK,
        "approve_transfer": (Taker(Role.GENERAL_MANAGER, StepScope.ANY),),
        "accept_transfer": _DEPARTMENT,
        "start_investigation": _DEPARTMENT,
        "propose_resolution": _DEPARTMENT,
        "reply_to_customer": _DESK,
        "record_follow_up": _DESK,
        "close": _DESK,
    },
    optional=frozenset(),
    labels={},
)


def _candidates(category_id: int | None, severity_id: int | None) -> Q:
    """The procedures that could apply: the class's, its parents' (three levels), the default."""
    by_class = Q(procedure__category__isnull=True)
    if category_id is not None:
        by_class |= (
            Q(procedure__category_id=category_id)
            | Q(procedure__category__children__id=category_id)
            | Q(procedure__category__children__children__id=category_id)
        )
    return by_class & (Q(procedure__severity__isnull=True) | Q(procedure__severity_id=severity_id))


def rules_for_class(category_id: int | None, severity_id: int | None = None) -> Rules:
    """The procedure for a class (and severity): one query, however many steps, once per process
    until the rule book changes."""
    return cached(
        ("complaints.procedure", category_id, severity_id), lambda: _read_rules(category_id, severity_id)
    )


def _read_rules(category_id: int | None, severity_id: int | None) -> Rules:
    steps = list(
        ProcedureStep.objects.filter(_candidates(category_id, severity_id))
        .select_related("procedure__category")
        .distinct()
        .order_by("procedure_id", "order", "pk")
    )
    if not steps:
        return DEFAULT_RULES
    procedures = {s.procedure_id: s.procedure for s in steps}
    # The candidates' classes form one chain (the class and its ancestors): the nearest is the
    # one that is nobody else's parent. A severity-specific procedure beats a general one.
    parents = {p.category.parent_id for p in procedures.values() if p.category is not None}

    def nearness(procedure: Procedure) -> tuple[int, int]:
        if procedure.category is None:
            depth = 9
        elif procedure.category_id == category_id:
            depth = 0
        else:
            depth = 2 if procedure.category_id in parents else 1
        return depth, 0 if procedure.severity_id is not None else 1

    chosen = min(procedures.values(), key=nearness)
    return _rules(chosen.pk, (s for s in steps if s.procedure_id == chosen.pk))


_CACHE_ATTR = "_kesu_procedure_rules"


def rules_for(complaint: Complaint) -> Rules:
    """The procedure in force for ``complaint``, read once per complaint object (a reclassified
    complaint reads it again)."""
    key = (complaint.category_id, complaint.severity_id)
    cached = complaint.__dict__.get(_CACHE_ATTR)
    if cached is not None and cached[0] == key:
        return cached[1]
    rules = rules_for_class(*key)
    complaint.__dict__[_CACHE_ATTR] = (key, rules)
    return rules


def carry_rules(*, from_complaint: Complaint, to_complaint: Complaint) -> None:
    """Let a fresh copy of a complaint (an API answer re-read after an action) use the procedure
    its locked copy has just read in the same request, instead of reading it again. The cache is
    keyed by class and severity, so a copy that was reclassified meanwhile still reads afresh."""
    cached = from_complaint.__dict__.get(_CACHE_ATTR)
    if cached is not None and to_complaint.pk == from_complaint.pk:
        to_complaint.__dict__.setdefault(_CACHE_ATTR, cached)


def default_rules() -> Rules:
    """The default procedure (no class, no severity): who registers, for instance."""

    def load() -> Rules:
        steps = list(
            ProcedureStep.objects.filter(
                procedure__category__isnull=True, procedure__severity__isnull=True
            ).order_by("order", "pk")
        )
        return _rules(steps[0].procedure_id, steps) if steps else DEFAULT_RULES

    return cached("complaints.default_procedure", load)


# ---------------------------------------------------------------------------------------------
# Validation: the admin and the preset loader refuse a procedure that cannot work


def validate_steps(steps: list[dict[str, Any]]) -> None:
    """Whole-procedure checks, given each step as a dict (action, role, scope, position, required).

    Raises one ValidationError listing every problem; the caller saves nothing."""
    errors: list[str] = []
    seen: set[tuple[Any, ...]] = set()
    listed: set[str] = set()
    for step in steps:
        action, role, scope = step.get("action"), step.get("role"), step.get("scope") or StepScope.ANY
        position = step.get("position")
        if action not in STEP_ACTIONS:
            errors.append(str(_("Unknown step: %(action)s.") % {"action": action}))
            continue
        if role not in Role.values:
            errors.append(
                str(_("Unknown role “%(role)s” in step %(action)s.") % {"role": role, "action": action})
            )
            continue
        if scope == StepScope.POSITION and position is None:
            errors.append(
                str(
                    _("Step %(action)s is for a named position but names none: nobody can take it.")
                    % {"action": action}
                )
            )
        if scope != StepScope.POSITION and position is not None:
            errors.append(
                str(
                    _("Step %(action)s names a position but is not for a named position.")
                    % {"action": action}
                )
            )
        if scope == StepScope.DEPARTMENT and action in {
            "register",
            "classify",
            "answer_on_spot",
            "answer_and_forward",
            "propose_transfer",
        }:
            errors.append(
                str(
                    _(
                        "Step %(action)s comes before any department is responsible: “the responsible department” can never take it."
                    )
                    % {"action": action}
                )
            )
        if step.get("required") is False and action not in SKIPPABLE:
            errors.append(str(_("Step %(action)s cannot be optional.") % {"action": action}))
        key = (action, role, scope, getattr(position, "pk", position))
        if key in seen:
            errors.append(str(_("Step %(action)s is listed twice for the same role.") % {"action": action}))
        seen.add(key)
        listed.add(action)
    missing = [a for a in MAIN_PATH if a not in listed]
    if missing and "answer_on_spot" not in listed:
        errors.append(
            str(
                _("This procedure cannot reach closing: no step %(missing)s.")
                % {"missing": ", ".join(missing)}
            )
        )
    if errors:
        raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------
# The preset section ``procedures`` (kesu.rulebook.sections)


def load_procedures(preset: dict[str, Any]) -> None:
    """Replace the procedures with the preset's. Each step is validated as the admin would; a bad
    one raises and, inside apply_preset's transaction, nothing is saved."""
    specs = preset.get("procedures")
    if specs is None:
        return  # a preset without the section keeps the procedures there are
    with transaction.atomic():
        Procedure.objects.all().delete()
        for spec in specs:
            category = Category.objects.get(code=spec["category"]) if spec.get("category") else None
            severity = Severity.objects.get(code=spec["severity"]) if spec.get("severity") else None
            steps = [
                {
                    "action": s["action"],
                    "role": s["role"],
                    "scope": s.get("scope", StepScope.ANY),
                    "position": None,
                    "required": s.get("required", True),
                }
                for s in spec["steps"]
            ]
            try:
                validate_steps(steps)
            except ValidationError as error:
                raise ValidationError(f"{spec['name']}: {'; '.join(error.messages)}") from None
            procedure = Procedure(
                name=spec["name"],
                description=spec.get("description", ""),
                category=category,
                severity=severity,
                source=spec.get("source", ""),
            )
            procedure.full_clean()
            procedure.save()
            rows = []
            for order, s in enumerate(spec["steps"], start=1):
                row = ProcedureStep(
                    procedure=procedure,
                    order=order,
                    action=s["action"],
                    role=s["role"],
                    scope=s.get("scope", StepScope.ANY),
                    label=s.get("label", ""),
                    required=s.get("required", True),
                    source=s.get("source", ""),
                )
                row.full_clean(exclude=["procedure"])
                rows.append(row)
            ProcedureStep.objects.bulk_create(rows)


def rules_by_class() -> dict[int | None, Rules]:
    """Every class's procedure (for any severity), in two queries: for reference lists."""
    parent_of = dict(Category.objects.values_list("pk", "parent_id"))
    by_class: dict[int | None, list[ProcedureStep]] = {}
    for step in ProcedureStep.objects.filter(procedure__severity__isnull=True).select_related("procedure"):
        by_class.setdefault(step.procedure.category_id, []).append(step)

    def nearest(category_id: int | None) -> Rules:
        seen: set[int] = set()
        while category_id is not None and category_id not in by_class and category_id not in seen:
            seen.add(category_id)
            category_id = parent_of.get(category_id)
        steps = by_class.get(category_id) or by_class.get(None)
        return (
            _rules(steps[0].procedure_id, sorted(steps, key=lambda s: (s.order, s.pk)))
            if steps
            else DEFAULT_RULES
        )

    return {pk: nearest(pk) for pk in [None, *parent_of]}
