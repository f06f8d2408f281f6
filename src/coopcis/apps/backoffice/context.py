"""Template context: the co-op profile (name, offices) on every page."""

from __future__ import annotations

from django.http import HttpRequest

from coopcis.catalog.profiles import active_profile


def co_op_profile(request: HttpRequest) -> dict[str, object]:
    return {"co_op": active_profile()}
