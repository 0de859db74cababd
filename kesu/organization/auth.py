"""Who is calling the API: a bearer token (``Authorization: Bearer ksu_…``) or, for the browser,
the Django session. Either way the API sees the caller's Staff record as ``request.auth``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from kesu.core.errors import Throttled
from kesu.organization import throttle
from kesu.organization.models import ApiToken, Staff, ThrottleScope
from kesu.organization.selectors import per_request, staff_of

# last_used_at is refreshed at most this often, so a busy client does not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def staff_for_token(token: str) -> Staff | None:
    """The active staff member a token belongs to, or None if it is unknown, revoked, expired or
    inactive."""
    if not token.startswith("ksu_"):
        return None
    now = timezone.now()
    row = (
        ApiToken.objects.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            digest=ApiToken.digest_of(token),
            revoked_at__isnull=True,
            staff__user__is_active=True,
        )
        .select_related("staff__user", "staff__department", "staff__position")
        .prefetch_related("staff__role_assignments")
        .first()
    )
    if row is None:
        return None
    if row.last_used_at is None or row.last_used_at <= now - LAST_USED_RESOLUTION:
        # A conditional UPDATE: of concurrent requests at most one writes per minute.
        ApiToken.objects.filter(pk=row.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
    return per_request(row.staff)


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; only the token's SHA-256 is stored (ApiToken).

    Failures are counted per client address; past the limit every token request from that address
    is answered 429 (with Retry-After) without looking the token up (kesu.organization.throttle)."""

    def authenticate(self, request: HttpRequest, token: str) -> Staff | None:
        address = throttle.client_address(request)
        until = throttle.locked_until(scope=ThrottleScope.TOKEN_ADDRESS, key=address)
        if until is not None:
            raise Throttled(retry_after=throttle.seconds_left(until))
        staff = staff_for_token(token.strip())
        if staff is None:
            throttle.logger.info("token authentication failed from %s", address)
            throttle.record_failure(scope=ThrottleScope.TOKEN_ADDRESS, key=address)
        return staff


class StaffSessionAuth(APIKeyCookie):
    """The signed-in browser session (the web UI's own calls). Unsafe methods need the CSRF token;
    a request without a session falls through to 401, not to a CSRF error."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF check failed")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if key is None:
            return None
        return staff_of(request.user)
