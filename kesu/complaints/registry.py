"""How an app built on complaints contributes to a complaint without complaints importing it.

An app registers in its ``AppConfig.ready()`` (as ``admin.site.register`` does); complaints reads
what was registered and never imports the app, so the import graph points one way (STYLE.md
habit 17, the import contracts in pyproject.toml).

- :func:`register_action`: a workflow action — its spec (``workflow.Action``: name, label, source
  statuses, target, roles and scope, needs_comment, style), its inputs (``actions.Field``), the
  service that performs it, and optionally a guard; ``after`` places it in the lifecycle order.
  The web forms, the API (one typed input model per action in the OpenAPI union) and the CLI all
  follow from it.
- :func:`register_input_kind`: a kind of input value the app's actions take (e.g. a clock kind):
  how to read it (parse), its choices on a complaint (web form) and its API type.
- :func:`guard`, :func:`validator`, :func:`after_event`: rules and reactions around actions —
  a guard makes an action unavailable now (returns a reason or None); a validator refuses inputs
  inside the transaction; an after-event handler runs with every new timeline entry in the same
  transaction (deadline clocks start and stop with the action that starts or stops them).
- :func:`register_event`, :func:`register_data`: timeline entries the app writes (its label) and
  the keys of their data (label, how a value is shown): one presenter (``views._timeline``)
  renders every app's entries.
- :func:`register_panel`: a template included on the workbench or the complaint page, with a
  function giving its context; :func:`register_navigation`: a value the top navigation shows.
- :func:`register_initial`: a value an app proposes for an action's input (its initial value in the
  web form, e.g. the approved decision a reply must quote).
- :func:`register_filter`: a filter of the complaint list (web and API); :func:`register_detail_field`:
  a field of the API's complaint detail (e.g. the time limits).
- :func:`register_visibility`: an app grants sight of complaints (e.g. a department with a task on
  one): a function of the viewer giving a filter on complaints, ORed into
  ``selectors.complaints_visible_to`` and so into every page, list, search and API that scopes.
- :func:`register_restriction`: an app narrows sight of complaints (confidentiality): a filter
  ANDed into ``complaints_visible_to`` for everyone; :func:`register_classification`: a
  complaint's confidentiality label, so that e-mails and unattended exports leave its content out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from django.db.models import Q

    from kesu.complaints.actions import Field
    from kesu.complaints.models import Complaint, ComplaintEvent
    from kesu.complaints.workflow import Action
    from kesu.organization.models import Staff

EventHandler = Callable[["ComplaintEvent"], None]
Guard = Callable[["Complaint"], "str | None"]
Validator = Callable[["Complaint", dict[str, Any]], None]
Service = Callable[..., "Complaint"]

# The registered actions in lifecycle order, their inputs and services. These dicts are the same
# objects for the life of the process (workflow.ACTIONS and actions.ACTION_INPUTS are them).
ACTIONS: dict[str, Action] = {}
INPUTS: dict[str, list[Field]] = {}
SERVICES: dict[str, Service] = {}
_anchors: dict[str, str | None] = {}

_after_event: list[EventHandler] = []
_guards: dict[str, list[Guard]] = defaultdict(list)
_validators: dict[str, list[Validator]] = defaultdict(list)


def register_action(
    spec: Action,
    *,
    inputs: list[Field],
    service: Service,
    guard: Guard | None = None,
    after: str | None = None,
) -> None:
    """Add one action. ``after`` names the action it follows in the lifecycle order (several
    registered after the same one keep their registration order); None appends it.

    ``service`` is called as ``service(complaint=…, by=…, version=…, **parsed_inputs)`` and must
    check permission with ``services.lock_for_action`` and write its timeline entry."""
    if spec.name in ACTIONS and _anchors.get(spec.name) != after:
        raise ValueError(f"action {spec.name!r} is registered twice")
    names = [n for n in ACTIONS if n != spec.name]
    if after is None:
        position = len(names)
    else:
        if after not in ACTIONS:
            raise ValueError(f"action {spec.name!r}: no action {after!r} to follow")
        position = names.index(after) + 1
        while position < len(names) and _anchors.get(names[position]) == after:
            position += 1
    ordered = [(n, ACTIONS[n]) for n in names]
    ordered.insert(position, (spec.name, spec))
    ACTIONS.clear()
    ACTIONS.update(ordered)
    _anchors[spec.name] = after
    INPUTS[spec.name] = list(inputs)
    SERVICES[spec.name] = service
    if guard is not None and guard not in _guards[spec.name]:
        _guards[spec.name].append(guard)


# ---------------------------------------------------------------------------------------------
# Input kinds beyond complaints' own (text, category, staff, datetime, …)


@dataclass(frozen=True)
class InputKind:
    """``parse`` turns a raw value into what the service takes (ValidationError if it cannot);
    ``choices`` lists the values the web form offers on one complaint; ``api_type`` is the type
    the API's input model declares (so the OpenAPI document lists the values)."""

    parse: Callable[[Any], Any]
    choices: Callable[[Complaint], list[tuple[str, str]]] | None  # None: typed in (an amount, a count)
    api_type: Any


INPUT_KINDS: dict[str, InputKind] = {}
# Labels of the inputs apps add (the web form's field labels), by input name.
INPUT_LABELS: dict[str, Any] = {}


def register_input_kind(name: str, kind: InputKind) -> None:
    INPUT_KINDS[name] = kind


def register_input_label(name: str, label: Any) -> None:
    INPUT_LABELS[name] = label


# ---------------------------------------------------------------------------------------------
# Rules and reactions


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


# ---------------------------------------------------------------------------------------------
# Timeline: event kinds and the keys of their data


@dataclass(frozen=True)
class DataKey:
    """How the timeline shows one key of an entry's data.

    ``choices`` maps stored codes to labels (a list of codes shows their labels joined);
    ``when`` says the value is an ISO date-time; ``per_item`` says the value maps items (e.g.
    clock kinds, named by ``choices``) to date-times, or to ``{"old", "new"}`` date-times, shown
    one line per item; ``hidden`` keeps internal ids off the page."""

    label: Any = ""
    choices: Mapping[str, Any] = field(default_factory=dict)
    when: bool = False
    per_item: bool = False
    hidden: bool = False


EVENT_LABELS: dict[str, Any] = {}
DATA_KEYS: dict[str, DataKey] = {}
EVENT_DATA_KEYS: dict[tuple[str, str], DataKey] = {}


def register_event(kind: str, label: Any) -> None:
    """A timeline entry that is not an action (e.g. "reminder sent"), with its label."""
    EVENT_LABELS[kind] = label


def register_data(key: str, data_key: DataKey, *, event: str | None = None) -> None:
    """How ``key`` of an entry's data is shown: on every entry, or (``event``) only on entries of
    that kind — e.g. "level" is an escalation level on deadlines' entries and an approval level
    on approvals' ones."""
    if event is None:
        DATA_KEYS[key] = data_key
    else:
        EVENT_DATA_KEYS[(event, key)] = data_key


def data_key(event: str, key: str) -> DataKey | None:
    return EVENT_DATA_KEYS.get((event, key)) or DATA_KEYS.get(key)


# ---------------------------------------------------------------------------------------------
# Panels

Place = Literal["workbench", "complaint", "intake"]


@dataclass(frozen=True)
class Panel:
    """A template included on a page. On the workbench ``context`` is called with the viewer's
    staff record (never None there); on the complaint page with the complaint; on the intake form
    (登记) with ``(form, staff)``: the registration form as bound or blank. An intake panel may
    render some of the form's fields itself (``replaces``, e.g. the customer picked by name): the
    form leaves them out of its own layout."""

    template: str
    context: Callable[[Any], dict[str, Any]]
    order: int = 100
    replaces: frozenset[str] = frozenset()


PANELS: dict[Place, list[Panel]] = {"workbench": [], "complaint": [], "intake": []}
NAVIGATION: dict[str, Callable[[Staff], Any]] = {}


def register_panel(place: Place, panel: Panel) -> None:
    if panel not in PANELS[place]:
        PANELS[place].append(panel)
        PANELS[place].sort(key=lambda p: p.order)


def register_navigation(name: str, value: Callable[[Staff], Any]) -> None:
    """A value the top navigation shows for the signed-in person (e.g. the unread count), read
    in templates as ``nav.extra.<name>``."""
    NAVIGATION[name] = value


def panels(place: Place, subject: Any) -> list[dict[str, Any]]:
    """The panels for one page, each as its template and context, in their order."""
    return [{"template": p.template, "context": p.context(subject)} for p in PANELS[place]]


def replaced_fields(place: Place) -> set[str]:
    """The form fields the place's panels render themselves."""
    return set().union(*(p.replaces for p in PANELS[place]))


# ---------------------------------------------------------------------------------------------
# Complaint list filters and API detail fields


@dataclass(frozen=True)
class ListFilter:
    """A filter of the complaint list (web form, API query parameter ``?<name>=``): ``choices``
    is a TextChoices class (its values are the only ones accepted, and the API lists them);
    ``condition`` turns a chosen value into a filter on complaints."""

    label: Any
    choices: Any
    condition: Callable[[str], Any]
    description: str = ""


@dataclass(frozen=True)
class DetailField:
    """A field of the API's complaint detail (GET /complaints/{number}): ``schema`` returns its
    type (called when the API's schemas are built, after every app is ready), ``read`` its value
    for one complaint."""

    schema: Callable[[], Any]
    read: Callable[[Complaint], Any]
    description: str = ""


FILTERS: dict[str, ListFilter] = {}
DETAIL_FIELDS: dict[str, DetailField] = {}


def register_filter(name: str, list_filter: ListFilter) -> None:
    FILTERS[name] = list_filter


def register_detail_field(name: str, detail_field: DetailField) -> None:
    DETAIL_FIELDS[name] = detail_field


# ---------------------------------------------------------------------------------------------
# Initial values of action inputs (web forms)

INITIALS: dict[tuple[str, str], Callable[[Complaint], Any]] = {}


def register_initial(action: str, name: str, value: Callable[[Complaint], Any]) -> None:
    """``value(complaint)`` is the initial value of input ``name`` of ``action`` in the web form
    (an empty value proposes nothing); the person may change it before confirming."""
    INITIALS[(action, name)] = value


def initials(action: str, complaint: Complaint) -> dict[str, Any]:
    found = {name: value(complaint) for (a, name), value in INITIALS.items() if a == action}
    return {name: value for name, value in found.items() if value not in (None, "")}


# ---------------------------------------------------------------------------------------------
# Visibility: who else sees a complaint

Visibility = Callable[["Staff"], "Q"]
VISIBILITY: list[Visibility] = []


def register_visibility(grant: Visibility) -> None:
    """An app grants sight of complaints: ``grant(staff)`` returns a filter on complaints (a
    ``Q`` over Complaint's fields, best a ``pk__in`` subquery on an indexed column) for the
    complaints this person sees because of the app — never more than the app's rule says, and
    never a complaint the person is complained about (回避). It is called only for people who do
    not see every complaint, once per scope; it should read nothing itself (let the filter be a
    subquery) or at most one query, and the person's capacities (``capacities_of``) are read
    once per request."""
    if grant not in VISIBILITY:
        VISIBILITY.append(grant)


# ---------------------------------------------------------------------------------------------
# Restriction: who may NOT see a complaint (confidentiality), and what may not leave in e-mail

Restriction = Callable[["Staff | None"], "Q | None"]
RESTRICTIONS: list[Restriction] = []
# complaint → its confidentiality label ("" when it has none): e-mails and unattended exports
# (a scheduled report) then carry no content of the complaint.
Classification = Callable[["Complaint"], str]
CLASSIFICATIONS: list[Classification] = []


def register_restriction(rule: Restriction) -> None:
    """An app narrows who sees complaints: ``rule(staff)`` returns a filter on complaints that
    ANDs into ``selectors.complaints_visible_to`` for everyone, the desk and leadership included
    (e.g. the archive: a classified customer's complaints only for those who may know the
    customer), or None when it does not restrict this person. ``staff`` None is an unattended
    reader (a scheduled report): the rule must then leave out everything restricted."""
    if rule not in RESTRICTIONS:
        RESTRICTIONS.append(rule)


def restricted(queryset: Any, *, staff: Staff | None) -> Any:
    """``queryset`` of complaints without those the restrictions hide from ``staff``."""
    for rule in RESTRICTIONS:
        condition = rule(staff)
        if condition is not None:
            queryset = queryset.filter(condition)
    return queryset


ReadRecorder = Callable[["Staff | None", Any, str], None]
READ_RECORDERS: list[ReadRecorder] = []


def register_read_recorder(recorder: ReadRecorder) -> None:
    """An app records reads of complaints (the archive: one audit row per read of a classified
    customer's complaint, and per export holding one). ``recorder(staff, complaints, kind)``:
    ``complaints`` a list or a queryset, ``kind`` "complaint" (a page, API answer, attachment or
    printed form) or "export"."""
    if recorder not in READ_RECORDERS:
        READ_RECORDERS.append(recorder)


def record_read(staff: Staff | None, complaints: Any, *, kind: str) -> None:
    for recorder in READ_RECORDERS:
        recorder(staff, complaints, kind)


def register_classification(rule: Classification) -> None:
    if rule not in CLASSIFICATIONS:
        CLASSIFICATIONS.append(rule)


def classification_of(complaint: Complaint) -> str:
    """The complaint's confidentiality label, "" when no app classifies it."""
    for rule in CLASSIFICATIONS:
        label = rule(complaint)
        if label:
            return label
    return ""


# ---------------------------------------------------------------------------------------------
# Who holds a time limit's work (its reminders go to them)

# complaint → the people who must act for a kind of clock now (deputies included), or None when
# the app has nothing waiting on the complaint (the clocks' default holders then).
ClockHolders = Callable[["Complaint"], "list[Staff] | None"]
CLOCK_HOLDERS: dict[str, ClockHolders] = {}


def register_clock_holders(kind: str, holders: ClockHolders) -> None:
    """An app whose work a clock kind times names who holds it: the approvals app, for example,
    says who may decide a waiting approval, so that its reminder (催办) reaches the approver and
    not the desk."""
    CLOCK_HOLDERS[kind] = holders
