"""The public outage map, ``/portal/outage-map/``: where the power is out, by feeder and
area, for anyone (no sign-in), in English and Spanish.

It carries no member data (``coopcis.apps.outages.maps.public_map``: counts only). A storm
brings many visitors at once, so the figures are built at most once every
``CACHE_SECONDS`` per server process and marked cacheable by a proxy for as long, and one
address may ask for them ``PER_ADDRESS_PER_MINUTE`` times a minute per process (the page
itself asks twice a minute); past that it is answered 429 with ``Retry-After``.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from coopcis.apps.outages import maps
from coopcis.apps.portal.linking import client_address

CACHE_SECONDS = 10
PER_ADDRESS_PER_MINUTE = 30
#: Seconds between the open page's looks for new figures.
REFRESH_SECONDS = 30
FIGURES_KEY = "outages:public-map"


def outage_map(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/outage_map.html", {"refresh_seconds": REFRESH_SECONDS})


def _over_limit(address: str | None) -> bool:
    minute = int(timezone.now().timestamp() // 60)
    key = f"outages:public-map:{address or 'unknown'}:{minute}"
    cache.add(key, 0, 90)
    try:
        return cache.incr(key) > PER_ADDRESS_PER_MINUTE
    except ValueError:  # expired between add and incr
        return False


def outage_map_data(request: HttpRequest) -> HttpResponse:
    if _over_limit(client_address(request)):
        refused = JsonResponse(
            {"error": _("Too many requests: try again in a minute.")}, status=429
        )
        refused["Retry-After"] = "60"
        return refused
    figures = cache.get(FIGURES_KEY)
    if figures is None:
        figures = maps.public_map(now=timezone.now())
        cache.set(FIGURES_KEY, figures, CACHE_SECONDS)
    response = JsonResponse(figures)
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response
