"""Template context for portal pages: whether a member is signed in (the header's links)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from coopcis.apps.portal.access import is_member


def portal(request: HttpRequest) -> dict[str, object]:
    if not request.path.startswith("/portal/"):
        return {}
    user = getattr(request, "user", None)
    return {"portal_member": SimpleLazyObject(lambda: is_member(user))}
