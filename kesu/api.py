"""The one REST API, /api/v1/ (django-ninja): routers come from the domain apps.

Every error is JSON ``{"detail": "…", "errors": {"field": ["…"]}}`` (plus ``allowed_actions`` on
403 and ``current_version`` on 409): bad JSON and schema errors are 422 with the field names,
domain errors map to their status (``KesuError.status_code``), a missing or bad token is 401.
The OpenAPI document is /api/v1/openapi.json. There is no interactive docs page: ninja's loads
Swagger UI from a CDN and Kesu loads nothing from a CDN at run time.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.parser import Parser

from kesu.accountability.api import router as accountability_router
from kesu.approvals.api import router as approvals_router
from kesu.archive.api import router as archive_router
from kesu.archive.api_access import router as archive_access_router
from kesu.archive.api_ownership import router as archive_ownership_router
from kesu.assignments.api import router as assignments_router
from kesu.committees.api import router as committees_router
from kesu.complaints.api import router as complaints_router
from kesu.complaints.schemas import ACTION_MODELS
from kesu.core.errors import KesuError, Throttled
from kesu.deadlines.api import router as deadlines_router
from kesu.decisions.api import router as decisions_router
from kesu.fulfilment.api import router as fulfilment_router
from kesu.notifications.api import router as notifications_router
from kesu.organization.auth import BearerTokenAuth, StaffSessionAuth
from kesu.statistics.api import router as statistics_router


class MalformedBody(ValueError):
    """The request body is not JSON; ninja wraps it in a 400 HttpError that we turn into a 422."""


class KesuParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        try:
            return super().parse_body(request)
        except ValueError as exc:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise MalformedBody(str(exc)) from exc
        except RecursionError:  # nested deeper than Python's JSON decoder goes
            raise MalformedBody("The JSON is nested too deeply.") from None


class KesuApi(NinjaAPI):
    """NinjaAPI whose document also lists the one error every operation can answer before its
    view runs: 400 when Django refuses the request itself (a Host header not in ALLOWED_HOSTS,
    an unreadable request), rendered as JSON by kesu.core.api_errors."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        document = super().get_openapi_schema(*args, **kwargs)
        error_ref = {"$ref": "#/components/schemas/ErrorOut"}
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                operation.setdefault("responses", {}).setdefault(
                    400,
                    {
                        "description": "The request was refused before it reached the endpoint.",
                        "content": {"application/json": {"schema": error_ref}},
                    },
                )
        return document


api = KesuApi(
    title="Kesu API",
    version="1",
    description="Complaint handling (客诉). Authenticate with `Authorization: Bearer <token>` "
    "(`kesu token create USERNAME`). Errors are JSON with `detail` and, for bad input, `errors` "
    "by field.",
    urls_namespace="api",
    auth=[BearerTokenAuth(), StaffSessionAuth()],
    docs_url=None,
    parser=KesuParser(),
)
api.add_router("/", complaints_router)
api.add_router("/", deadlines_router)
api.add_router("/", notifications_router)
api.add_router("/", approvals_router)
api.add_router("/", decisions_router)
api.add_router("/", fulfilment_router)
api.add_router("/", committees_router)
api.add_router("/", assignments_router)
api.add_router("/", statistics_router)
api.add_router("/", archive_router)
api.add_router("/", archive_access_router)
api.add_router("/", archive_ownership_router)
api.add_router("/", accountability_router)


def _error(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    return api.create_response(request, {**body, "errors": body.get("errors", {})}, status=status)


def _field_name(error: dict[str, Any]) -> str:
    """ninja's error location → the field's name: ("body", "payload", "quantity") → "quantity",
    ("query", "limit") → "limit", ("body", "payload") → "body" (the body itself). An action's
    model name in the location (the union's tag) is left out: ("body", "payload", "classify",
    "inputs", "category") → "inputs.category"; an unknown or missing tag names "action"."""
    if error.get("type") in {"union_tag_invalid", "union_tag_not_found"}:
        return "action"
    source, *path = (str(part) for part in error.get("loc", ("body",)))
    if source == "body" and path:
        path = path[1:]  # the view's parameter name (payload)
    if len(path) > 1 and path[0] in ACTION_MODELS:  # a lone "comment" is a field, not a tag
        path = path[1:]
    return ".".join(path) or source


@api.exception_handler(SchemaValidationError)
def schema_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_name(error), []).append(error.get("msg", ""))
    return _error(request, 422, {"detail": _("Some fields are invalid."), "errors": errors})


@api.exception_handler(DjangoValidationError)
def domain_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = {name: list(messages) for name, messages in exc.message_dict.items()}
    else:
        errors = {"__all__": list(exc.messages)}
    return _error(request, 422, {"detail": _("Some fields are invalid."), "errors": errors})


@api.exception_handler(KesuError)
def domain_error(request: HttpRequest, exc: KesuError) -> HttpResponse:
    return _error(request, exc.status_code, exc.as_dict())


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = _error(request, exc.status_code, exc.as_dict())
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(request, 401, {"detail": _("A valid API token is required (Authorization: Bearer …).")})
    response["WWW-Authenticate"] = 'Bearer realm="kesu"'
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, {"detail": _("Not found, or you may not see it.")})


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, MalformedBody):
        return _error(
            request,
            422,
            {"detail": _("The request body is not valid JSON."), "errors": {"body": [str(exc.__cause__)]}},
        )
    return _error(request, exc.status_code, {"detail": str(exc)})
