"""Marks a member's session at sign-in, whichever sign-in page was used (middleware.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from coopcis.apps.portal.middleware import MEMBER_SESSION
from coopcis.apps.portal.models import MemberSignIn


@receiver(user_logged_in)
def _mark_member_session(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    if MemberSignIn.objects.filter(user=user).exists():
        request.session[MEMBER_SESSION] = True
