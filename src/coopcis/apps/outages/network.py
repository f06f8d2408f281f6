"""The stored network: GIS imports in, the core's array-backed tree out."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from coopcis.apps.audit.context import current_actor
from coopcis.apps.outages.models import NetworkDevice, NetworkImport
from coopcis.apps.premises.models import ServicePoint
from coopcis.core.outages.network import Device, Network, NetworkFileError, parse_network


@dataclass(frozen=True)
class NetworkImportResult:
    devices: int
    by_kind: dict[str, int]
    service_points: int
    orphans: list[str]


def import_network(path: Path) -> NetworkImportResult:
    """Load a GIS export all or nothing: it replaces the stored network whole."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NetworkFileError([f"not UTF-8 text (byte {error.start})"]) from None
    devices = parse_network(text.splitlines())
    store_network(
        devices,
        sha256=hashlib.sha256(data).hexdigest(),
        file_name=path.name,
    )
    network = current_network()
    by_kind: dict[str, int] = {}
    for device in devices:
        by_kind[device.kind] = by_kind.get(device.kind, 0) + 1
    return NetworkImportResult(
        devices=len(devices),
        by_kind=by_kind,
        service_points=sum(1 for k in network.kinds if k == "service_point"),
        orphans=network.orphans,
    )


@transaction.atomic
def store_network(
    devices: Sequence[Device],
    *,
    sha256: str,
    file_name: str,
) -> NetworkImport:
    """Replace the stored network with ``devices`` (already checked by the core)."""
    record = NetworkImport.objects.create(
        sha256=sha256,
        file_name=file_name[:255],
        devices=len(devices),
        imported_by=current_actor().label,
    )
    NetworkDevice.objects.all().delete()
    NetworkDevice.objects.bulk_create(
        [
            NetworkDevice(
                code=d.code,
                kind=d.kind,
                parent_code=d.parent or "",
                name=d.name,
                latitude=d.latitude,
                longitude=d.longitude,
                network_import=record,
                line_number=d.line or None,
            )
            for d in devices
        ],
        batch_size=2000,
    )
    transaction.on_commit(forget_network)
    return record


_cache: dict[str, tuple[int, int, Network]] = {}
_lock = threading.Lock()


def forget_network() -> None:
    with _lock:
        _cache.clear()


def current_network() -> Network:
    """The network as stored, with every service point under its transformer. Kept per
    process and rebuilt when a newer import or another service point count appears."""
    latest = NetworkImport.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    points = ServicePoint.objects.count()
    with _lock:
        cached = _cache.get("network")
        if cached is not None and cached[0] == latest and cached[1] == points:
            return cached[2]
    devices = [
        Device(code, kind, parent or None, name, lat, lon)
        for code, kind, parent, name, lat, lon in NetworkDevice.objects.values_list(
            "code", "kind", "parent_code", "name", "latitude", "longitude"
        )
    ]
    service_points = dict(ServicePoint.objects.values_list("code", "transformer"))
    network = Network(devices, service_points)
    with _lock:
        _cache["network"] = (latest, points, network)
    return network
