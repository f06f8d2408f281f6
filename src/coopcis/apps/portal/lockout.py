"""The page a locked-out sign-in gets (django-axes' ``AXES_LOCKOUT_CALLABLE``): the
portal's own under ``/portal/``, the back office's elsewhere. Same limits for both: five
failures for one user name or from one address lock it for 15 minutes (settings.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    template = (
        "portal/locked_out.html"
        if request.path.startswith("/portal/")
        else settings.AXES_LOCKOUT_TEMPLATE
    )
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, template, context, status=settings.AXES_HTTP_RESPONSE_CODE)
