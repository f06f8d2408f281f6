"""Template context: the co-op profile (name, offices) and the signed-in user's role."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from coopcis.catalog.profiles import active_profile


def co_op_profile(request: HttpRequest) -> dict[str, object]:
    context: dict[str, object] = {"co_op": active_profile()}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from coopcis.apps.backoffice.permissions import role_label

        # Lazy: the groups query runs only on pages that show the header.
        context["staff_role"] = SimpleLazyObject(lambda: role_label(user))
    return context
