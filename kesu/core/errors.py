"""Domain errors. Field-level input errors use Django's ValidationError (``message_dict``);
these are the others, each mapped to one HTTP status by the web views and the API."""

from __future__ import annotations

from django.utils.translation import gettext as _


class KesuError(Exception):
    status_code = 400

    def as_dict(self) -> dict:
        return {"detail": str(self)}


class ActionNotAllowed(KesuError):
    """An action that may not be taken now, naming the ones that may (403 — or 409 by status)."""

    status_code = 403

    def __init__(self, *, action: str, allowed: list[str], reason: str) -> None:
        self.action, self.allowed, self.reason = action, allowed, reason
        names = ", ".join(allowed) if allowed else _("none")
        super().__init__(
            _("“%(action)s” is not allowed: %(reason)s Allowed now: %(allowed)s.")
            % {"action": action, "reason": reason, "allowed": names}
        )

    def as_dict(self) -> dict:
        return {"detail": str(self), "action": self.action, "allowed_actions": self.allowed}


class StaleVersion(KesuError):
    """Someone changed the complaint since the client read it (optimistic locking)."""

    status_code = 409

    def __init__(self, *, expected: int, current: int) -> None:
        self.expected, self.current = expected, current
        super().__init__(
            _(
                "The complaint was changed by someone else (your version %(expected)s, now %(current)s). Reload it."
            )
            % {"expected": expected, "current": current}
        )

    def as_dict(self) -> dict:
        return {"detail": str(self), "current_version": self.current}


class IdempotencyConflict(KesuError):
    status_code = 422

    def __init__(self) -> None:
        super().__init__(_("This Idempotency-Key was already used with a different request."))


class Throttled(KesuError):
    """Too many failed authentications from this client; try again after ``retry_after`` seconds."""

    status_code = 429

    def __init__(self, *, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(
            _("Too many failed authentications from this address. Try again in %(seconds)d seconds.")
            % {"seconds": retry_after}
        )
