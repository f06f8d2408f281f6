"""Every staff page's gate: signed in, allowed to see member data, and holding the
permissions the page needs; otherwise the sign-in page or a 403 that says what was refused.

Here, in the staff app, so that pages in any app (the back office, the cashier pages in
payments) use one gate without importing the back office.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

VIEW = "members.view_account"


def forbidden(request: HttpRequest, action: str) -> HttpResponse:
    return render(request, "backoffice/forbidden.html", {"action": action}, status=403)


def staff_view(*permissions: str, action: str = "see this page") -> Callable[..., Any]:
    """Sign-in plus the view permission plus ``permissions``; otherwise login page or 403."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perms((VIEW, *permissions)):
                return forbidden(request, action)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
