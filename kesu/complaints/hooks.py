"""Extension points for apps that react to complaints without the complaints app knowing them.

- ``after_event``: called with every new timeline entry, inside the same transaction (deadline
  clocks start and stop with the action that starts or stops them).
- ``guards``: extra rules that can make an action unavailable right now (e.g. "approve extension"
  only while an extension request is pending); they return a reason or None.
- ``validators``: called with an action's inputs inside the transaction, before the change; they
  raise ValidationError (e.g. closing a late complaint needs the late reason, 洽办).

Apps register in ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kesu.complaints.models import Complaint, ComplaintEvent

EventHandler = Callable[["ComplaintEvent"], None]
Guard = Callable[["Complaint"], "str | None"]
Validator = Callable[["Complaint", dict[str, Any]], None]

_after_event: list[EventHandler] = []
_guards: dict[str, list[Guard]] = defaultdict(list)
_validators: dict[str, list[Validator]] = defaultdict(list)


def after_event(handler: EventHandler) -> EventHandler:
    if handler not in _after_event:
        _after_event.append(handler)
    return handler


def guard(action: str, rule: Guard) -> None:
    if rule not in _guards[action]:
        _guards[action].append(rule)


def validator(action: str, check: Validator) -> None:
    if check not in _validators[action]:
        _validators[action].append(check)


def event_recorded(event: ComplaintEvent) -> None:
    for handler in _after_event:
        handler(event)


def blocked_reason(action: str, complaint: Complaint) -> str | None:
    for rule in _guards.get(action, ()):
        reason = rule(complaint)
        if reason:
            return reason
    return None


def validate(action: str, complaint: Complaint, inputs: dict[str, Any]) -> None:
    for check in _validators.get(action, ()):
        check(complaint, inputs)
