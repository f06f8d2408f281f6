"""Every member page's gate, and the only way a member page finds an account.

- :func:`member_required` (or :class:`MemberRequiredMixin`): a signed-in, verified member
  who passed their two-factor step if they have one; anonymous visitors go to the portal's
  sign-in, staff sign-ins get 403 (a staff sign-in is not a member's).
- :func:`linked_accounts` / :func:`get_linked_account_or_404`: the accounts linked to the
  sign-in, and one of them by number. An account that exists but is not linked answers
  404 exactly like one that does not exist, so a member learns nothing about other
  accounts. Every query a member page makes for account data starts from these.
- :func:`recent_auth_required`: for pages that change bank details (and similar): the
  member must have given their password (and code, with two-factor on) within the last
  ``RECENT_AUTH_MINUTES``; otherwise they are asked again, then sent back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from coopcis.apps.members.models import Account

#: How long a password (and code) given stays "recent" for bank-detail changes.
RECENT_AUTH_MINUTES = 10
#: Session key: when the member last proved who they are (sign-in or the confirm page).
AUTH_AT = "portal_auth_at"

View = Callable[..., HttpResponse]


def is_member(user: Any) -> bool:
    """A signed-in user with a verified member sign-in (one query, cached on the user)."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_portal_is_member", None)
    if cached is None:
        from coopcis.apps.portal.models import MemberSignIn

        cached = MemberSignIn.objects.filter(user=user, email_verified_at__isnull=False).exists()
        user._portal_is_member = cached
    return bool(cached)


def needs_second_factor(request: HttpRequest) -> bool:
    """The member has two-factor sign-in on but this session did not pass it."""
    from django_otp import user_has_device

    user = request.user
    verified = getattr(user, "is_verified", lambda: False)()
    return not verified and user_has_device(user, confirmed=True)


def _refusal(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("portal:sign_in"))
    if not is_member(request.user):
        return render(request, "portal/not_a_member.html", status=403)
    if needs_second_factor(request):
        return redirect_to_login(request.get_full_path(), reverse("portal:sign_in"))
    return None


def member_required(view: View) -> View:
    """The gate of every member page (see module)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refusal = _refusal(request)
        if refusal is not None:
            return refusal
        return view(request, *args, **kwargs)

    return wrapped


class MemberRequiredMixin:
    """:func:`member_required` for class-based views."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refusal = _refusal(request)
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc,no-any-return]


def linked_accounts(user: Any) -> QuerySet[Account]:
    """The accounts linked to ``user``'s sign-in, by number (none for anyone else)."""
    if not is_member(user):
        return Account.objects.none()
    return Account.objects.filter(portal_links__user=user).order_by("number")


def get_linked_account_or_404(user: Any, account_number: str) -> Account:
    """The linked account numbered ``account_number``; 404 if it is not linked to ``user``
    (whether or not it exists)."""
    return get_object_or_404(linked_accounts(user), number=str(account_number))


def linked_or_404(user: Any, queryset: QuerySet[Any], **lookup: Any) -> Any:
    """One object of ``queryset`` (e.g. bills) that belongs to a linked account: the
    queryset's model must have an ``account`` foreign key. 404 otherwise."""
    try:
        return queryset.filter(account__in=linked_accounts(user)).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def note_recent_auth(request: HttpRequest) -> None:
    """The member just gave their password (and code): start the re-authentication window."""
    request.session[AUTH_AT] = time.time()


def has_recent_auth(request: HttpRequest, minutes: int = RECENT_AUTH_MINUTES) -> bool:
    at = request.session.get(AUTH_AT)
    return isinstance(at, int | float) and time.time() - at <= minutes * 60


def recent_auth_required(view: View | None = None, *, minutes: int = RECENT_AUTH_MINUTES) -> Any:
    """A member page that also needs the password (and code) given in the last ``minutes``
    (bank details): ``@recent_auth_required`` or ``@recent_auth_required(minutes=5)``."""

    def decorate(inner: View) -> View:
        @wraps(inner)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            refusal = _refusal(request)
            if refusal is not None:
                return refusal
            if not has_recent_auth(request, minutes):
                return redirect_to_login(request.get_full_path(), reverse("portal:confirm"))
            return inner(request, *args, **kwargs)

        return wrapped

    return decorate(view) if view is not None else decorate
