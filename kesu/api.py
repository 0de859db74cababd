"""The one REST API, /api/v1/ (django-ninja): routers come from the domain apps."""

from ninja import NinjaAPI

api = NinjaAPI(title="Kesu API", version="1", urls_namespace="api")
