"""Tells the audit trail which signed-in staff member made a web request's changes."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from coopcis.apps.audit.context import acting_as


class AuditActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            with acting_as(user=user, label=f"staff:{user.get_username()}"):
                return self.get_response(request)
        return self.get_response(request)
