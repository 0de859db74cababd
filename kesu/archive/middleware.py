"""Where a read comes from: the request's address, for the audit rows written deep in a selector
(a classified customer's complaint read through ``complaints_visible_to``)."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

_address: ContextVar[str] = ContextVar("kesu_archive_read_address", default="")


def current_address() -> str:
    return _address.get()


class ReadAddressMiddleware:
    """Keeps the request's REMOTE_ADDR for the read audit while the request is handled."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _address.set(request.META.get("REMOTE_ADDR", "") or "")
        try:
            return self.get_response(request)
        finally:
            _address.reset(token)
