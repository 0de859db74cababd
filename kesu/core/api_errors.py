"""Every answer under /api/ is JSON in the one documented shape, ``{"detail": "…", "errors": {…}}``,
also when no API endpoint ran: an unknown path (404), a wrong method (405), a body over
DATA_UPLOAD_MAX_MEMORY_SIZE (413), a request Django refused (400) or a crash (500). The endpoints'
own errors are rendered by kesu.api; this middleware rewrites whatever else would be HTML.

gunicorn answers some requests before Django sees them; kesu.core.gunicorn_worker makes those JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def error_body(status: int, detail: str | None = None) -> dict[str, Any]:
    return {"detail": detail or _default_detail(status), "errors": {}}


def _default_detail(status: int) -> str:
    messages = {
        400: _("The request could not be read."),
        403: _("You may not do this."),
        404: _("No such API endpoint."),
        405: _("This method is not allowed here."),
        413: _("The request body is too large."),
        500: _("Internal server error: the request was not completed."),
    }
    if status in messages:
        return messages[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return str(status)


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() == "application/json"


class ApiErrorsAsJson:
    """For /api/ paths: an error answer that is not JSON becomes ``{"detail", "errors"}``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path_info.startswith(API_PREFIX) or response.status_code < 400 or _is_json(response):
            return response
        replacement = JsonResponse(error_body(response.status_code), status=response.status_code)
        if response.has_header("Allow"):  # 405 names the methods that are allowed
            replacement["Allow"] = response["Allow"]
            replacement.content = json.dumps(
                error_body(
                    405,
                    _("This method is not allowed here; allowed: %(methods)s.")
                    % {"methods": response["Allow"]},
                )
            ).encode()
        replacement["Content-Length"] = str(len(replacement.content))
        return replacement

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path_info.startswith(API_PREFIX):
            return None
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse(error_body(413), status=413)
        if isinstance(exception, TooManyFieldsSent):
            return JsonResponse(error_body(413), status=413)
        if isinstance(exception, SuspiciousOperation):
            return JsonResponse(error_body(400), status=400)
        return None
