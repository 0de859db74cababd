"""Headers every dynamic answer carries (static files, served by whitenoise before this, do not)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class SecurityHeadersMiddleware:
    """The Content-Security-Policy (settings.KESU_CONTENT_SECURITY_POLICY) and
    ``Cache-Control: private, no-store``: pages and API answers carry complainants' names, phone
    numbers and addresses, which no shared cache or browser disk cache should keep."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.KESU_CONTENT_SECURITY_POLICY)
        patch_cache_control(response, private=True, no_store=True)
        return response
