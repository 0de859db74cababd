"""Sign-in outcomes feed the throttle, whichever form or backend authenticated."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from kesu.organization import throttle


@receiver(user_login_failed, dispatch_uid="kesu-throttle-login-failed")
def count_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    address = throttle.client_address(request) if request is not None else "unknown"
    throttle.record_login_failure(username=str(credentials.get("username") or ""), address=address)


@receiver(user_logged_in, dispatch_uid="kesu-throttle-logged-in")
def clear_failures(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    throttle.clear_account(username=user.get_username())
