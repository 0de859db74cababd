"""The sign-in forms of the site and the admin, throttled (kesu.organization.throttle)."""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _

from kesu.organization import throttle

logger = logging.getLogger("kesu.security")


class ThrottledLoginMixin:
    """Refuse to check the password while the account or the address is locked out. Failures are
    counted by the ``user_login_failed`` signal (kesu.organization.signals), successes clear them."""

    request: Any
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = throttle.client_address(self.request) if self.request is not None else "unknown"
        until = throttle.login_locked_until(username=username, address=address)
        if until is not None:
            logger.warning(
                "sign-in refused (locked out): account %r from %s", throttle.account_key(username), address
            )
            raise forms.ValidationError(
                _(
                    "Too many failed sign-ins. Try again in %(minutes)d minutes, "
                    "or ask an administrator to unlock the account."
                )
                % {"minutes": throttle.minutes_left(until)},
                code="throttled",
            )
        return super().clean()


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass
