"""The demo co-op's distribution network, as its GIS would export it.

Two transmission sources (north and south of the territory); a substation per town
(``TOWNS``, named by its three-letter code); the feeders the service points name; on
each feeder, its transformers in groups of six behind a fuse, the first third of the
fuses tapped straight off the feeder and the rest behind one of two reclosers. Every
service point stays under the transformer its record names. Coordinates: transformers
at the mean of their premises, the devices above at the mean of theirs, substations at
their town.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from coopcis.apps.demo.synth.places import TOWNS
from coopcis.apps.outages.network import store_network
from coopcis.apps.premises.models import ServicePoint
from coopcis.core.outages.network import Device

#: Transformers behind one fuse.
TRANSFORMERS_PER_FUSE = 6
PLACES = Decimal("0.000001")

Point = tuple[Decimal, Decimal]


def _mean(points: list[Point]) -> Point | None:
    if not points:
        return None
    lat = sum((p[0] for p in points), Decimal(0)) / len(points)
    lon = sum((p[1] for p in points), Decimal(0)) / len(points)
    return lat.quantize(PLACES), lon.quantize(PLACES)


def demo_devices() -> list[Device]:
    """The devices, built from the stored service points."""
    transformers: dict[str, dict[str, list[Point]]] = defaultdict(lambda: defaultdict(list))
    rows = ServicePoint.objects.values_list(
        "feeder", "transformer", "premise__latitude", "premise__longitude"
    )
    for feeder, transformer, lat, lon in rows:
        points = transformers[feeder][transformer]
        if lat is not None and lon is not None:
            points.append((Decimal(lat), Decimal(lon)))
    towns = {town.substation: town for town in TOWNS}
    devices: list[Device] = [
        Device("TX-NORTH", "source", None, "115 kV transmission, north"),
        Device("TX-SOUTH", "source", None, "115 kV transmission, south"),
    ]
    substations: dict[str, list[Point]] = defaultdict(list)
    for feeder in sorted(transformers):
        substation = feeder.split("-", 1)[0]
        feeder_points: list[Point] = []
        tail: list[Device] = []
        codes = sorted(transformers[feeder])
        groups = [
            codes[i : i + TRANSFORMERS_PER_FUSE]
            for i in range(0, len(codes), TRANSFORMERS_PER_FUSE)
        ]
        recloser_points: dict[str, list[Point]] = defaultdict(list)
        reclosers: set[str] = set()
        direct = len(groups) // 3
        for number, group in enumerate(groups, start=1):
            fuse = f"{feeder}-F{number:03d}"
            parent = feeder if number <= direct else f"{feeder}-R{1 + (number - direct) % 2}"
            if parent != feeder:
                reclosers.add(parent)
            fuse_points: list[Point] = []
            for code in group:
                centre = _mean(transformers[feeder][code])
                if centre is not None:
                    fuse_points.append(centre)
                tail.append(Device(code, "transformer", fuse, "", *(centre or (None, None))))
            centre = _mean(fuse_points)
            if centre is not None:
                feeder_points.append(centre)
                if parent != feeder:
                    recloser_points[parent].append(centre)
            tail.append(Device(fuse, "fuse", parent, "", *(centre or (None, None))))
        for recloser in sorted(reclosers):
            centre = _mean(recloser_points[recloser])
            tail.append(Device(recloser, "recloser", feeder, "", *(centre or (None, None))))
        centre = _mean(feeder_points)
        if centre is not None:
            substations[substation].append(centre)
        devices.append(Device(feeder, "feeder", substation, "", *(centre or (None, None))))
        devices.extend(tail)
    for code in sorted(substations.keys() | {f.split("-", 1)[0] for f in transformers}):
        town = towns.get(code)
        if town is not None:
            lat, lon = Decimal(str(town.latitude)), Decimal(str(town.longitude))
            name, source = town.name, "TX-NORTH" if town.latitude >= 33.0 else "TX-SOUTH"
        else:
            centre = _mean(substations[code])
            lat, lon = centre if centre else (None, None)  # type: ignore[assignment]
            name, source = code, "TX-SOUTH"
        devices.append(Device(code, "substation", source, name, lat, lon))
    return devices


def store_demo_network(*, seed: int) -> int:
    """Store the network; the number of devices."""
    devices = demo_devices()
    if len(devices) <= 2:
        return 0
    store_network(devices, sha256=f"demo-network-{seed}".ljust(64, "0"), file_name="demo GIS")
    return len(devices)
