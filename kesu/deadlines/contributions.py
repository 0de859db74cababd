"""What the deadlines app adds to a complaint, registered with kesu.complaints.registry when the app
starts: the clock actions (wait for the customer, resume, record delivery, request and decide an
extension — 延期) with their inputs and services, the "clock" input kind, the clocks' start and stop
with every timeline entry, the late reason closing needs (洽办), the timeline entries the sweeps
write (reminders 催办, escalations, recomputed due times) and the time-limits panel of the
complaint page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesu.complaints import registry
from kesu.complaints.actions import Field
from kesu.complaints.models import Complaint, Status
from kesu.complaints.registry import DataKey, DetailField, InputKind, ListFilter, Panel
from kesu.complaints.workflow import DEPARTMENT, DESK, OPEN, Action, Scope
from kesu.deadlines import clock_actions, clocks
from kesu.deadlines.clocks import ACTIVE
from kesu.deadlines.models import ClockKind, Unit
from kesu.deadlines.selectors import Due, clocks_of, due_condition
from kesu.organization.models import Role

DESK_OR_DEPARTMENT = {**DESK, **DEPARTMENT}
DECIDES_EXTENSIONS = {
    Role.CS_DIRECTOR: Scope.ANY,
    Role.VICE_PRESIDENT: Scope.ANY,
    Role.GENERAL_MANAGER: Scope.ANY,
}


def _comment(required: bool = False) -> Field:
    return Field("comment", "text", required)


# (spec, inputs, service, guard), in lifecycle order; offered only when they can do something.
CLOCK_ACTIONS: list[tuple[Action, list[Field], Any, Any]] = [
    (
        Action(
            name="await_customer",
            label=gettext_lazy("Wait for customer / sample"),
            sources=OPEN,
            target=None,
            roles=DESK_OR_DEPARTMENT,
            needs_comment=True,
        ),
        [_comment(True)],
        clock_actions.await_customer,
        clock_actions.has_running_pausable_clock,
    ),
    (
        Action(
            name="resume_clocks",
            label=gettext_lazy("Resume time limits"),
            sources=OPEN,
            target=None,
            roles=DESK_OR_DEPARTMENT,
        ),
        [_comment()],
        clock_actions.resume_clocks,
        clock_actions.has_paused_clock,
    ),
    (
        Action(
            name="record_delivery",
            label=gettext_lazy("Record delivery of repaired goods"),
            # Repaired goods go out once the resolution is decided, approved where the rule book
            # approves it (seed 000 4.2.3.3 4): delivered before or after the reply.
            sources=frozenset(
                {
                    Status.INVESTIGATING,
                    Status.RESOLUTION_PROPOSED,
                    Status.RESOLUTION_APPROVED,
                    Status.REPLIED,
                    Status.FOLLOWED_UP,
                }
            ),
            target=None,
            roles=DESK_OR_DEPARTMENT,
        ),
        [Field("delivered_at", "datetime"), _comment()],
        clock_actions.record_delivery,
        None,
    ),
    (
        # The desk's first answer to the customer (初步答复); the status does not change.
        Action(
            name="acknowledge_customer",
            label=gettext_lazy("Record first answer to customer"),
            sources=OPEN,
            target=None,
            roles=DESK,
        ),
        [Field("reply", "text", True)],
        clock_actions.acknowledge_customer,
        clock_actions.has_open_customer_ack,
    ),
    (
        Action(
            name="request_extension",
            label=gettext_lazy("Request extension"),
            sources=OPEN,
            target=None,
            roles=DESK_OR_DEPARTMENT,
            needs_comment=True,
        ),
        [
            Field("clock", "clock", True),
            Field("extra_amount", "decimal", True),
            Field("reason", "text", True),
        ],
        clock_actions.request_extension,
        clock_actions.can_request_extension,
    ),
    (
        Action(
            name="approve_extension",
            label=gettext_lazy("Approve extension"),
            sources=OPEN,
            target=None,
            roles=DECIDES_EXTENSIONS,
            style="primary",
        ),
        [_comment()],
        clock_actions.approve_extension,
        clock_actions.has_pending_extension,
    ),
    (
        Action(
            name="reject_extension",
            label=gettext_lazy("Reject extension"),
            sources=OPEN,
            target=None,
            roles=DECIDES_EXTENSIONS,
            needs_comment=True,
        ),
        [_comment(True)],
        clock_actions.reject_extension,
        clock_actions.has_pending_extension,
    ),
]


def _parse_clock(raw: Any) -> str:
    if raw not in ClockKind.values:
        raise ValidationError(_("Choose one of: %(values)s") % {"values": ", ".join(ClockKind.values)})
    return raw


def _clock_choices(complaint: Complaint) -> list[tuple[str, str]]:
    """The clocks an extension can be asked for: those still running or paused."""
    kinds = complaint.clocks.filter(state__in=ACTIVE).order_by("started_at", "id")
    return [(clock.kind, clock.get_kind_display()) for clock in kinds.only("kind")]


CAUSES = {
    "policy": gettext_lazy("the class, severity or channel changed"),
    "calendar": gettext_lazy("the working calendar changed"),
}


def contribute() -> None:
    """Register everything above (called once from DeadlinesConfig.ready())."""
    registry.register_input_kind(
        "clock", InputKind(parse=_parse_clock, choices=_clock_choices, api_type=ClockKind)
    )
    previous = "reopen"  # today's lifecycle order: after reopening, before correcting
    for spec, inputs, service, guard in CLOCK_ACTIONS:
        registry.register_action(spec, inputs=inputs, service=service, guard=guard, after=previous)
        previous = spec.name

    # Clocks start and stop with the complaint's own timeline, in the same transaction.
    registry.after_event(clocks.on_complaint_event)
    registry.validator("close", clocks.require_late_reason)
    registry.validator("record_follow_up", clock_actions.require_what_the_visit_follows)

    registry.register_event("reminder", gettext_lazy("Reminder sent (催办)"))
    registry.register_event("escalated", gettext_lazy("Escalated"))
    registry.register_event("deadlines_recomputed", gettext_lazy("Due times recomputed"))
    kinds = dict(ClockKind.choices)
    for key, data_key in {
        "clock": DataKey(gettext_lazy("time limit"), choices=kinds),
        "paused": DataKey(gettext_lazy("paused"), choices=kinds),
        "extra": DataKey(gettext_lazy("extra time")),
        "unit": DataKey(gettext_lazy("unit"), choices=dict(Unit.choices)),
        "due": DataKey(gettext_lazy("due at"), when=True),
        "due_at": DataKey(gettext_lazy("due at"), when=True),
        "delivered_at": DataKey(gettext_lazy("delivered at"), when=True),
        "level": DataKey(gettext_lazy("escalation level")),
        "cause": DataKey(gettext_lazy("cause"), choices=CAUSES),
        "to": DataKey(gettext_lazy("notified")),
        "clocks": DataKey(choices=kinds, per_item=True),
        "resumed": DataKey(choices=kinds, per_item=True),
        "request": DataKey(hidden=True),
        "clock_id": DataKey(hidden=True),
    }.items():
        registry.register_data(key, data_key)

    registry.register_panel(
        "complaint",
        Panel("deadlines/_clocks.html", lambda complaint: {"clocks": clocks_of(complaint)}, order=10),
    )
    registry.register_filter(
        "due",
        ListFilter(
            label=gettext_lazy("time limit"),
            choices=Due,
            condition=due_condition,
            description="`overdue`: a running time limit is past its due time; `today`: a running time "
            "limit falls due between now and the end of today (company time zone).",
        ),
    )
    registry.register_detail_field(
        "clocks",
        DetailField(
            schema=_clocks_schema, read=_clocks_out, description="Its time limits, in the order they started."
        ),
    )


# The API's shapes import kesu.complaints.schemas, which is built once every app is ready.
def _clocks_schema() -> Any:
    from kesu.deadlines.schemas import ClockOut

    return list[ClockOut]


def _clocks_out(complaint: Complaint) -> list[dict[str, Any]]:
    from kesu.deadlines.api import clocks_out

    return clocks_out(complaint)
