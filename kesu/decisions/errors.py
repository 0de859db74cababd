"""The decisions app's domain errors (field errors are Django ValidationErrors)."""

from __future__ import annotations

from kesu.core.errors import KesuError


class MayNotDecide(KesuError):
    """The person may not propose or record this decision (403)."""

    status_code = 403


class DecisionConflict(KesuError):
    """The decision is not in a state that allows this (409): e.g. a proposal waits for approval."""

    status_code = 409
