"""What the outage maps draw, as JSON: the staff map's outages with their devices and the
service points they reach, and the public map's counts by feeder and area.

Both read the open outages as the background prediction pass stored them; neither
predicts. Positions are the network's (devices, from the GIS) and the premises' (service
points); they are kept per process with the network and rebuilt when it changes.

The public figures carry no member data: a feeder's position is its devices' mean (the
GIS's), an area is a substation's town, and each gives only counts (members served,
members out, outages). No service point, premises, address, account or name.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from coopcis.apps.outages import predictor
from coopcis.apps.outages.life_support import life_support_counts, life_support_points
from coopcis.apps.outages.models import NetworkDevice, Outage, OutageReport, OutageStatus
from coopcis.apps.outages.network import current_network
from coopcis.apps.premises.models import ServicePoint
from coopcis.core.outages.network import FEEDER, SERVICE_POINT, SUBSTATION, Network
from coopcis.core.outages.prediction import QueueItem, restoration_order, restoration_tier
from coopcis.core.periods import CO_OP_TIME_ZONE

TIER_NAMES = ("Transmission", "Substations", "Lines", "Single services")
#: Decimal places of a drawn position (about a metre).
PLACES = 5

Position = tuple[float, float]


@dataclass(frozen=True)
class Places:
    """Positions for one network: devices, service points, each service point's feeder."""

    network: Network
    devices: dict[str, Position]
    names: dict[str, str]
    service_points: dict[str, Position]
    feeder_of: dict[str, str]
    bounds: dict[str, float] | None  # every position drawn (staff)
    public_bounds: dict[str, float] | None  # substations and feeders only, padded


_cache: dict[str, Places] = {}
_lock = threading.Lock()


def places() -> Places:
    network = current_network()
    with _lock:
        cached = _cache.get("places")
        if cached is not None and cached.network is network:
            return cached
    devices: dict[str, Position] = {}
    names: dict[str, str] = {}
    for code, name, lat, lon in NetworkDevice.objects.values_list(
        "code", "name", "latitude", "longitude"
    ):
        names[code] = name
        if lat is not None and lon is not None:
            devices[code] = (round(float(lat), PLACES), round(float(lon), PLACES))
    service_points: dict[str, Position] = {}
    for code, lat, lon in ServicePoint.objects.values_list(
        "code", "premise__latitude", "premise__longitude"
    ):
        if lat is not None and lon is not None:
            service_points[code] = (round(float(lat), PLACES), round(float(lon), PLACES))
    feeder_of: dict[str, str] = {}
    for code, kind in zip(network.codes, network.kinds, strict=True):
        if kind == FEEDER:
            for sp in network.downstream_service_points(code):
                feeder_of[sp] = code
    bounds = _bounds([*devices.values(), *service_points.values()], pad=0.0)
    public = [
        devices[code]
        for code, kind in zip(network.codes, network.kinds, strict=True)
        if kind in (SUBSTATION, FEEDER) and code in devices
    ]
    built = Places(
        network, devices, names, service_points, feeder_of, bounds, _bounds(public, pad=0.1)
    )
    with _lock:
        _cache["places"] = built
    return built


def _bounds(positions: list[Position], *, pad: float) -> dict[str, float] | None:
    if not positions:
        return None
    south, north = min(p[0] for p in positions), max(p[0] for p in positions)
    west, east = min(p[1] for p in positions), max(p[1] for p in positions)
    height, width = max(north - south, 0.01), max(east - west, 0.01)
    return {
        "south": round(south - pad * height, PLACES),
        "north": round(north + pad * height, PLACES),
        "west": round(west - pad * width, PLACES),
        "east": round(east + pad * width, PLACES),
    }


def _served_by(network: Network, outage: Outage) -> list[str]:
    if outage.device_code in network:
        return network.downstream_service_points(outage.device_code)
    return [outage.device_code]


def _open_outages(network: Network, *, today: date) -> list[tuple[Outage, int]]:
    """Open outages in the queue's order, each with the life-support households it reaches."""
    outages = {o.pk: o for o in Outage.objects.filter(status=OutageStatus.OPEN)}
    points = life_support_points(today)
    counts = (
        life_support_counts(network, {o.device_code for o in outages.values()}, points)
        if points
        else {}
    )
    flagged = {pk: counts.get(o.device_code, 0) for pk, o in outages.items()}
    ordered = restoration_order(
        QueueItem(str(o.pk), o.device_kind, o.affected, flagged[o.pk], o.started_at)
        for o in outages.values()
    )
    return [(outages[int(item.key)], item.life_support) for item in ordered]


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _local(value: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A time as the co-op reads it (America/Denver), for the page to show as is."""
    return "" if value is None else value.astimezone(CO_OP_TIME_ZONE).strftime(pattern)


def _pass_time() -> str:
    state = predictor.latest_pass()
    return _local(state.finished_at if state else None, "%Y-%m-%d %H:%M:%S")


def _substations(where: Places) -> list[dict[str, Any]]:
    return [
        {"code": code, "name": where.names.get(code) or code, "lat": pos[0], "lon": pos[1]}
        for code, kind in zip(where.network.codes, where.network.kinds, strict=True)
        if kind == SUBSTATION and (pos := where.devices.get(code)) is not None
    ]


def staff_map(*, now: datetime) -> dict[str, Any]:
    """Every open outage in restoration order (life-support households first within a
    tier, as the queue): its device and where it is, the life-support households it
    reaches, and each service point it reaches (``[lat, lon, reported]``, reported 1 when
    that service point reported)."""
    where = places()
    network = where.network
    outages = _open_outages(network, today=now.astimezone(CO_OP_TIME_ZONE).date())
    reported: dict[int, set[str]] = defaultdict(set)
    for outage_id, code in (
        OutageReport.objects.filter(outage__status=OutageStatus.OPEN)
        .values_list("outage_id", "service_point__code")
        .distinct()
    ):
        reported[outage_id].add(code)
    drawn = []
    for outage, life_support in outages:
        points = []
        for sp in _served_by(network, outage):
            pos = where.service_points.get(sp)
            if pos is not None:
                points.append([pos[0], pos[1], 1 if sp in reported[outage.pk] else 0])
        device = where.devices.get(outage.device_code) or where.service_points.get(
            outage.device_code
        )
        drawn.append(
            {
                "id": outage.pk,
                "device": outage.device_code,
                "kind": outage.device_kind,
                "tier": TIER_NAMES[restoration_tier(outage.device_kind)],
                "affected": outage.affected,
                "life_support": life_support,
                "reported": outage.reported,
                "started_at": _iso(outage.started_at),
                "started": _local(outage.started_at),
                "estimated_restoration_at": _iso(outage.estimated_restoration_at),
                "estimate": _local(outage.estimated_restoration_at),
                "crew": outage.crew,
                "lat": device[0] if device else None,
                "lon": device[1] if device else None,
                "points": points,
            }
        )
    return {
        "generated_at": now.isoformat(),
        "updated": _local(now, "%Y-%m-%d %H:%M:%S"),
        "predicted_at": _pass_time(),
        "bounds": where.bounds,
        "substations": _substations(where),
        "outages": drawn,
        "members_affected": sum(o.affected for o, _ in outages if o.parent_id is None),
        "life_support_households": sum(n for o, n in outages if o.parent_id is None),
    }


def public_map(*, now: datetime) -> dict[str, Any]:
    """Members out by feeder and by area (the substation's town), and the totals: counts
    only (see the module)."""
    where = places()
    network = where.network
    out_by_feeder: dict[str, set[str]] = defaultdict(set)
    outages_by_feeder: dict[str, set[int]] = defaultdict(set)
    members_out = 0
    outages = list(Outage.objects.filter(status=OutageStatus.OPEN))
    for outage in outages:
        served = _served_by(network, outage)
        members_out += len(served) if outage.device_code in network else outage.affected
        for sp in served:
            feeder = where.feeder_of.get(sp)
            if feeder is not None:
                out_by_feeder[feeder].add(sp)
                outages_by_feeder[feeder].add(outage.pk)
    feeders = []
    areas: dict[str, dict[str, Any]] = {}
    for feeder in sorted(out_by_feeder):
        substation = network.parent_of(feeder) or ""
        area_name = where.names.get(substation) or substation
        served_count = network.service_point_count(feeder)
        out_count = len(out_by_feeder[feeder])
        position = where.devices.get(feeder)
        feeders.append(
            {
                "feeder": feeder,
                "area": area_name,
                "lat": position[0] if position else None,
                "lon": position[1] if position else None,
                "members_served": served_count,
                "members_out": out_count,
                "outages": len(outages_by_feeder[feeder]),
            }
        )
        area = areas.setdefault(
            substation,
            {
                "area": area_name,
                "members_served": network.service_point_count(substation) if substation else 0,
                "members_out": 0,
                "feeders_out": 0,
            },
        )
        area["members_out"] += out_count
        area["feeders_out"] += 1
    served_total = sum(1 for kind in network.kinds if kind == SERVICE_POINT)
    return {
        "generated_at": now.isoformat(),
        "updated": _local(now, "%Y-%m-%d %H:%M:%S"),
        "predicted_at": _pass_time(),
        "bounds": where.public_bounds,
        "substations": _substations(where),
        "members_served": served_total,
        "members_out": members_out,
        "outages": len(outages),
        "areas": sorted(areas.values(), key=lambda a: (-a["members_out"], a["area"])),
        "feeders": feeders,
    }
