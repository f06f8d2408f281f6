"""A hand-made network with coordinates, for the prediction pass and the maps.

TX > SUB ("Cloudcroft") > SUB-1: R1 > F1 > T1 serves SP-A and SP-B; T2 on the feeder
serves SP-C .. SP-L (10). TX > MAY ("Mayhill") > MAY-1 > T3 serves SP-M and SP-N.
Every service point has a meter ``M-<code>`` and its premises a position.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.core.management import call_command

from tests.factories import MeterInstallationFactory, PremiseFactory, ServicePointFactory

GIS = (
    "device_id,kind,parent_id,name,latitude,longitude\n"
    "TX,source,,Transmission,,\n"
    "SUB,substation,TX,Cloudcroft,32.957000,-105.742000\n"
    "SUB-1,feeder,SUB,,32.950000,-105.730000\n"
    "R1,recloser,SUB-1,,32.945000,-105.725000\n"
    "F1,fuse,R1,,32.941000,-105.721000\n"
    "T1,transformer,F1,,32.940000,-105.720000\n"
    "T2,transformer,SUB-1,,32.960000,-105.700000\n"
    "MAY,substation,TX,Mayhill,32.885000,-105.480000\n"
    "MAY-1,feeder,MAY,,32.880000,-105.470000\n"
    "T3,transformer,MAY-1,,32.879000,-105.469000\n"
)
TRANSFORMER_OF = {"SP-A": "T1", "SP-B": "T1", "SP-M": "T3", "SP-N": "T3"} | {
    f"SP-{letter}": "T2" for letter in "CDEFGHIJKL"
}


def position(code: str) -> tuple[Decimal, Decimal]:
    """A premises' position: a step apart for each service point."""
    step = Decimal(sorted(TRANSFORMER_OF).index(code)) / 1000
    return Decimal("32.930000") + step, Decimal("-105.710000") - step


def build_network(tmp_path: Path) -> None:
    for code, transformer in sorted(TRANSFORMER_OF.items()):
        lat, lon = position(code)
        premise = PremiseFactory(latitude=lat, longitude=lon, line1=f"{code[-1]}1 Vigil Lane")
        MeterInstallationFactory(
            meter__serial=f"M-{code}",
            service_point=ServicePointFactory(code=code, transformer=transformer, premise=premise),
        )
    path = tmp_path / "gis.csv"
    path.write_text(GIS, encoding="utf-8")
    call_command("outages", "network", "import", str(path))
