"""The approvals' domain errors (statuses through kesu.core.errors.KesuError)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kesu.core.errors import KesuError
from kesu.organization.models import Staff


class NotAnApprover(KesuError):
    """The person may not decide this approval now (403); names the people who may."""

    status_code = 403

    def __init__(self, *, approvers: list[Staff], reason: str = "") -> None:
        self.approvers = approvers
        names = "、".join(s.display_name for s in approvers) if approvers else _("nobody")
        super().__init__(
            _("You may not decide this approval now. %(reason)sWho may: %(names)s.")
            % {"reason": f"{reason} " if reason else "", "names": names}
        )

    def as_dict(self) -> dict:
        return {
            "detail": str(self),
            "approvers": [
                {"username": s.user.get_username(), "name": s.display_name} for s in self.approvers
            ],
        }


class ApprovalClosed(KesuError):
    """The approval was already approved or refused (409)."""

    status_code = 409

    def __init__(self, *, status: str) -> None:
        self.status = status
        super().__init__(_("This approval is already decided (%(status)s).") % {"status": status})
