"""The JSON APIs under ``/api/v1/`` as one django-ninja API, described at ``/api/schema``.

- the payments API for the front ends (``coopcis.apps.payments.api``): a channel key;
- the staff API (``coopcis.apps.backoffice.api``): the staff session, CSRF enforced;
- the outage reports API (``coopcis.apps.outages.api``): a channel key, or the AMI key.

Each keeps its URLs, status codes and error bodies: ``{"errors": {field: [message]}}`` for
bad input, ``{"error": message}`` for a refusal of the request as a whole.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from coopcis.apps.backoffice.api import router as staff_router
from coopcis.apps.outages.api import router as outages_router
from coopcis.apps.payments.api import KeyRefused, RateLimited, key_refused, rate_limited
from coopcis.apps.payments.api import router as payments_router

api = NinjaAPI(
    title="coopcis JSON APIs",
    version="1",
    description=__doc__ or "",
    urls_namespace="api",
    docs_url=None,  # the document is served at /api/schema; no viewer loaded from elsewhere
    openapi_url=None,
)
api.add_router("", payments_router)
api.add_router("", staff_router)
api.add_router("", outages_router)
api.add_exception_handler(KeyRefused, key_refused)
api.add_exception_handler(RateLimited, rate_limited)


@api.exception_handler(AuthenticationError)
def sign_in_first(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return JsonResponse({"error": "sign in first"}, status=401)


@api.exception_handler(HttpError)
def refused(request: HttpRequest, error: HttpError) -> HttpResponse:
    # e.g. django-ninja's CSRF check for the staff session
    return JsonResponse({"error": str(error)}, status=error.status_code)


@api.exception_handler(ValidationError)
def bad_parameters(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """A path, query or header parameter of the wrong shape: 400 by field, as the views do."""
    errors: dict[str, list[str]] = {}
    for problem in error.errors:
        location = [
            str(part)
            for part in problem.get("loc", ())
            if part not in ("path", "query", "header", "body", "cookie")
        ]
        errors.setdefault(".".join(location) or "__all__", []).append(str(problem.get("msg")))
    return JsonResponse({"errors": errors}, status=400)


def schema(request: HttpRequest) -> HttpResponse:
    """The OpenAPI document of both APIs, as django-ninja builds it from the operations."""
    return JsonResponse(api.get_openapi_schema(path_prefix="/api/v1"))
