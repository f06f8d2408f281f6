"""Site-wide middleware: JSON errors for the JSON APIs, no caching of pages, idle sessions.

- :class:`JsonApiErrorsMiddleware`: under ``/api/`` every error is JSON, whatever raised
  it (a 404 for an unknown URL, a 405, a refused CSRF token, a body over the size limit,
  an unhandled exception), so a front end never has to parse an HTML page. The shape is
  the APIs' own: ``{"error": "..."}``.
- :class:`NoStoreMiddleware`: pages carry member data (names, balances, bank details), so
  no page may be kept by a browser or a proxy cache. Static files are served before this
  middleware (WhiteNoise) and keep their cache headers; an answer its view marked
  ``Cache-Control: public`` (the public outage map's figures, which hold no member data)
  keeps its own.
- :class:`PdfPolicyMiddleware`: Chromium shows a PDF in a page of its own making, with
  an embedded viewer and inline styles, to which the PDF's Content-Security-Policy
  applies (crbug.com/271452): the pages' policy would leave it blank. A PDF gets a policy
  of its own that only forbids framing it.
- :class:`IdleSessionMiddleware`: a staff session ends ``SESSION_COOKIE_AGE`` (30 minutes)
  after its latest request. Saving the session on every request would cost every page
  three queries; instead a request renews it when the latest renewal is a minute old,
  so a session ends between 29 and 30 minutes after its latest request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import RequestDataTooBig
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

API_PREFIX = "/api/"
PDF_POLICY = "frame-ancestors 'none'"
RENEWED_AT = "coopcis_renewed_at"
RENEW_EVERY_SECONDS = 60
logger = logging.getLogger("coopcis.site")


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def json_error(status: int, message: str = "") -> JsonResponse:
    """An API error answer; ``message`` defaults to the status's own phrase."""
    return JsonResponse({"error": message or HTTPStatus(status).phrase.lower()}, status=status)


class JsonApiErrorsMiddleware:
    """Turn every non-JSON error answer under ``/api/`` into a JSON one (see module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_api(request) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        replacement = json_error(response.status_code, _reason(response))
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                replacement[header] = response[header]
        return replacement

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_api(request) and isinstance(exception, RequestDataTooBig):
            return json_error(413, "the request body is too large")
        return None


def _reason(response: HttpResponse) -> str:
    if response.status_code == 405:
        return f"method not allowed; allowed: {response.get('Allow', '')}"
    return ""


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (and friends) on every page and API answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "public" in (d.strip() for d in response.get("Cache-Control", "").split(",")):
            return response
        add_never_cache_headers(response)
        return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF refusals: JSON under ``/api/``, Django's page elsewhere."""
    if is_api(request):
        return json_error(403, f"CSRF check failed ({reason})")
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason=reason)


class PdfPolicyMiddleware:
    """A PDF's own Content-Security-Policy (see module); below django-csp's middleware,
    which leaves a policy already set alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("application/pdf"):
            response["Content-Security-Policy"] = PDF_POLICY
        return response


class IdleSessionMiddleware:
    """Renew a signed-in session's expiry at most once a minute (see module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        renewed_at = session.get(RENEWED_AT)
        now = int(time.time())
        if renewed_at is None:
            if SESSION_KEY in session:  # signed in before this middleware was loaded
                session[RENEWED_AT] = now
        elif now - int(renewed_at) >= RENEW_EVERY_SECONDS:
            session[RENEWED_AT] = now  # modified: saved with a new expiry
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="coopcis-idle-session")
def _stamp_login(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """A sign-in is the session's first renewal. Connected when this module is
    imported (the staff app's ``ready``), not when the middleware is first built: a
    sign-in before the first request (a test client's ``force_login``) was otherwise
    unstamped, and its first request saved the session."""
    if request is not None and hasattr(request, "session"):
        request.session[RENEWED_AT] = int(time.time())
