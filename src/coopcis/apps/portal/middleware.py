"""A member's sign-in stays in the portal: every staff page, staff API and the admin
answers it 403, whatever permissions a mistake might ever give it.

The flag is put in the session at sign-in (``signals.py``) for any sign-in that has a
member sign-in row, so ordinary requests pay no query.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

#: Session key: this session belongs to a member sign-in.
MEMBER_SESSION = "portal_member"
#: What a member's session may reach: the portal, static files, the language switch.
MEMBER_PREFIXES = ("/portal/", "/static/", "/i18n/")


class MemberConfinementMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.get(MEMBER_SESSION)
            and not request.path.startswith(MEMBER_PREFIXES)
        ):
            return render(request, "portal/not_staff.html", status=403)
        return self.get_response(request)
