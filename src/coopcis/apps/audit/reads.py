"""Logging staff reads of member data: one INSERT per read, only when the page was served.

Use :func:`reads_member_data` on a view whose URL names the account (``number``), or call
:func:`record_read` where a view learns the account itself (a bill's, a notice's). A new
page that shows one member's data should do one of the two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

from coopcis.apps.audit.models import MemberDataRead


def record_read(request: HttpRequest, *, account_number: str, kind: str) -> None:
    """Write that ``request``'s signed-in staff member read ``account_number``'s data."""
    user = request.user
    MemberDataRead.objects.create(
        reader=user if user.is_authenticated else None,
        reader_label=user.get_username() if user.is_authenticated else "anonymous",
        account_number=account_number[:20],
        kind=kind,
        path=request.get_full_path()[:300],
        address=request.META.get("REMOTE_ADDR") or None,
    )


def record_reads(request: HttpRequest, *, account_numbers: Iterable[str], kind: str) -> None:
    """Write that ``request``'s staff member read each of ``account_numbers`` (a list page
    showing many members' data: one INSERT for them all)."""
    user = request.user
    reader = user if user.is_authenticated else None
    label = user.get_username() if user.is_authenticated else "anonymous"
    path = request.get_full_path()[:300]
    address = request.META.get("REMOTE_ADDR") or None
    MemberDataRead.objects.bulk_create(
        MemberDataRead(
            reader=reader,
            reader_label=label,
            account_number=number[:20],
            kind=kind,
            path=path,
            address=address,
        )
        for number in dict.fromkeys(account_numbers)
    )


def reads_member_data(kind: str) -> Callable[..., Any]:
    """Log a read when the view answers 200 for the account named by its ``number``."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and request.method in ("GET", "HEAD"):
                record_read(request, account_number=kwargs["number"], kind=kind)
            return response

        return wrapped

    return decorate
