"""Writes on the organization's security records: API tokens. Each logs who did what."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from kesu.organization.models import ApiToken, Staff

logger = logging.getLogger("kesu.security")


def issue_token(*, staff: Staff, name: str = "", expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for ``staff``; returns the row and the token, which is never stored or shown again."""
    if expires_at is not None and expires_at <= timezone.now():
        raise ValueError("A token's expiry must be in the future.")
    row, token = ApiToken.issue(staff=staff, name=name, expires_at=expires_at)
    logger.warning(
        "token issued: ksu_%s for %s, expires %s",
        row.prefix,
        staff.user.get_username(),
        expires_at.isoformat() if expires_at else "never",
    )
    return row, token


def revoke_token(*, token: ApiToken, by: str) -> bool:
    """Revoke ``token`` for good (a revoked token cannot be restored); False if it already was."""
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    if updated:
        token.refresh_from_db(fields=["revoked_at"])
        logger.warning("token revoked: ksu_%s by %s", token.prefix, by)
    return bool(updated)
