"""Rule-book data read once per process, not once per request.

Registration and every action read the same few rule-book rows — the procedure's steps, the time
limits, the task gates, the classes — which change a few times a year. Apps keep what they read
here under a key (:func:`cached`); every change to a watched model (:func:`watch`), and every
preset load, writes a new token to ``RuleBookRevision`` in the same transaction as the change, and
a process that sees another token reads again (a rolled-back change leaves the old token, so
what was read inside it is read again too). An edit in the admin therefore applies to the next complaint
in every process, without a restart.

The token is read before the data (so the data is at least as new as the token it is kept under)
and, inside a web request, once per request: one primary-key read for all of a request's rule-book
data; the worker's tasks do the same (:func:`one_reading`). Elsewhere (the CLI, tests) it is read
on every use.

What is kept is shared by every request of the process: callers must treat it as read-only.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar, cast

from django.core.signals import request_finished, request_started
from django.db import connections
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

# using → (token, {key: value})
_kept: dict[str, tuple[str, dict[object, object]]] = {}
_request = threading.local()


def _read_token(using: str) -> str:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT token FROM rulebook_rulebookrevision WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else ""


def _token(using: str) -> str:
    tokens: dict[str, str] | None = getattr(_request, "tokens", None)
    if tokens is None:
        return _read_token(using)
    if using not in tokens:
        tokens[using] = _read_token(using)
    return tokens[using]


def cached(key: object, load: Callable[[], T], *, using: str = "default") -> T:
    """``load()``'s answer, kept for this process until the rule book changes."""
    token = _token(using)
    if not token:  # no revision row (a database migrated before it existed): never keep
        return load()
    entry = _kept.get(using)
    if entry is None or entry[0] != token:
        entry = (token, {})
        _kept[using] = entry
    values = entry[1]
    if key not in values:
        values[key] = load()
    return cast(T, values[key])


def bump(*, using: str = "default") -> None:
    """The rule book changed: a new token for every process, and this one forgets at once."""
    from kesu.rulebook.models import RuleBookRevision

    RuleBookRevision.objects.using(using).update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})
    _kept.pop(using, None)
    tokens = getattr(_request, "tokens", None)
    if tokens is not None:
        tokens.pop(using, None)


def forget() -> None:
    """Drop what this process keeps, and end any request's reading (the test suite does between
    tests: a rolled-back bulk write leaves no token to reveal it, and a test that drives the WSGI
    handler without closing its response never sends ``request_finished``)."""
    _kept.clear()
    _request.tokens = None


def _changed(sender: type[Model], using: str = "default", **kwargs: object) -> None:
    if kwargs.get("raw"):  # fixtures loading: the revision row may not exist yet
        return
    bump(using=using)


def watch(*models: type[Model]) -> None:
    """Every save or delete of these models changes the rule book's token (called from the
    owning app's ready())."""
    for model in models:
        label = model._meta.label
        post_save.connect(_changed, sender=model, dispatch_uid=f"kesu-rulebook-cache-save-{label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"kesu-rulebook-cache-delete-{label}")


@contextmanager
def one_reading() -> Iterator[None]:
    """Within the block, read the token once (as a web request does): for a worker's task."""
    outer = getattr(_request, "tokens", None)
    _request.tokens = {} if outer is None else outer
    try:
        yield
    finally:
        _request.tokens = outer


def _request_started(**kwargs: object) -> None:
    _request.tokens = {}


def _request_finished(**kwargs: object) -> None:
    _request.tokens = None


request_started.connect(_request_started, dispatch_uid="kesu-rulebook-cache-request-started")
request_finished.connect(_request_finished, dispatch_uid="kesu-rulebook-cache-request-finished")
