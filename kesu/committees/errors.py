"""The committees app's domain errors (field errors are Django ValidationErrors)."""

from __future__ import annotations

from kesu.core.errors import KesuError


class MayNotAct(KesuError):
    """The person may not take this step of the committee (403)."""

    status_code = 403


class CommitteeConflict(KesuError):
    """The committee is not in a state that allows this (409)."""

    status_code = 409
