"""Holds a staff member on the password-change page until a one-time password is replaced.

The flag is read once at sign-in into the session, so ordinary requests pay no query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from coopcis.apps.staff.models import PasswordChangeRequired

SESSION_FLAG = "coopcis_must_change_password"
ALLOWED_NAMES = ("backoffice:password_change", "backoffice:logout")


@receiver(user_logged_in)
def _note_one_time_password(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    has_session = request is not None and hasattr(request, "session")
    if has_session and PasswordChangeRequired.objects.filter(user=user).exists():
        request.session[SESSION_FLAG] = True


def password_changed(request: HttpRequest) -> None:
    """The holder chose their own password: lift the hold."""
    PasswordChangeRequired.objects.filter(user=request.user).delete()
    request.session.pop(SESSION_FLAG, None)


class PasswordChangeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_FLAG):
            allowed = {reverse(name) for name in ALLOWED_NAMES}
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("backoffice:password_change")
        return self.get_response(request)
