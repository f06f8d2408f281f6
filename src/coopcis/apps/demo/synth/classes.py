"""The demo's service classes: which rate class, tariff, premise and meter each kind of
service gets, and how big and how shaped its load is.

This table is the class-to-tariff mapping (the tariff codes must exist in the catalog;
a test checks them against ``coopcis.catalog.tariffs.tariff_codes()``). Interval (AMI)
meters go to time-of-use and demand accounts, register meters to the rest; net meters
are bidirectional AMI meters on the flat residential rate.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

# Stored values of the Django choices (kept as text so this module stays framework-free;
# a test checks them against the models' choices).
RESIDENTIAL, SMALL_COMMERCIAL, IRRIGATION = "RESIDENTIAL", "SMALL_COMMERCIAL", "IRRIGATION"
LARGE_COMMERCIAL, LIGHTING = "LARGE_COMMERCIAL", "LIGHTING"
REGISTER, AMI_INTERVAL, NET_METER = "REGISTER", "AMI_INTERVAL", "NET_METER"


@dataclass(frozen=True, slots=True)
class ServiceClass:
    """One kind of service: its rate class, tariff, premise kind, meter and load shape."""

    key: str
    rate_class: str
    tariff_code: str  # "" for lighting: the tariff is chosen per fixture class
    premise_kind: str
    meter_kind: str | None  # None: unmetered lighting
    measures_demand: bool
    shape: str
    phases: int


SERVICE_CLASSES: dict[str, ServiceClass] = {
    c.key: c
    for c in (
        ServiceClass("RES", RESIDENTIAL, "ocec-res", "RESIDENCE", REGISTER, False, "home", 1),
        ServiceClass(
            "MOBILE", RESIDENTIAL, "ocec-res", "MOBILE_HOME_SPACE", REGISTER, False, "home", 1
        ),
        ServiceClass("CABIN", RESIDENTIAL, "ocec-res", "RESIDENCE", REGISTER, False, "cabin", 1),
        ServiceClass(
            "RES_TOU", RESIDENTIAL, "ocec-res-tou", "RESIDENCE", AMI_INTERVAL, False, "evening", 1
        ),
        ServiceClass("RES_NET", RESIDENTIAL, "ocec-res", "RESIDENCE", NET_METER, False, "home", 1),
        ServiceClass(
            "GS", SMALL_COMMERCIAL, "ocec-gs", "BUSINESS", AMI_INTERVAL, True, "business", 1
        ),
        ServiceClass(
            "CHURCH", SMALL_COMMERCIAL, "ocec-gs", "BUSINESS", AMI_INTERVAL, True, "church", 1
        ),
        ServiceClass(
            "IRRIGATION",
            IRRIGATION,
            "ocec-gs",
            "IRRIGATION_WELL",
            AMI_INTERVAL,
            True,
            "irrigation",
            3,
        ),
        ServiceClass(
            "GS_TOU", SMALL_COMMERCIAL, "ocec-gs-tou", "BUSINESS", AMI_INTERVAL, True, "business", 3
        ),
        ServiceClass(
            "LP", LARGE_COMMERCIAL, "ocec-lp", "INDUSTRIAL", AMI_INTERVAL, True, "industrial", 3
        ),
        ServiceClass(
            "LP_TOU",
            LARGE_COMMERCIAL,
            "ocec-lp-tou",
            "INDUSTRIAL",
            AMI_INTERVAL,
            True,
            "industrial",
            3,
        ),
        ServiceClass(
            "R19", LARGE_COMMERCIAL, "sec-19", "INDUSTRIAL", AMI_INTERVAL, True, "continuous", 3
        ),
        ServiceClass("LIGHT", LIGHTING, "", "STREET_LIGHTING", None, False, "none", 1),
    )
}

#: Street and area lighting tariffs by fixture class, with how common each is.
LIGHTING_TARIFFS: tuple[tuple[str, float], ...] = (
    ("ocec-light-100", 0.62),
    ("ocec-light-250", 0.2),
    ("ocec-light-400", 0.13),
    ("ocec-light-1000", 0.05),
)

#: Rate 19 (SEC Advice Notice 72) is for loads contracting at least this much.
RATE_19_MINIMUM_KW = 1000


def demo_tariff_codes() -> tuple[str, ...]:
    """Every tariff the demo puts agreements on."""
    codes = {c.tariff_code for c in SERVICE_CLASSES.values() if c.tariff_code}
    return tuple(sorted(codes | {code for code, _ in LIGHTING_TARIFFS}))


@dataclass(frozen=True, slots=True)
class LoadParams:
    """How a metered service uses energy (kW figures are averages before the shape).

    ``base_kw`` scales the class's daily shape; heating and cooling add kW per degree C
    below 16 C or above 24 C; ``pv_kw`` is a net-metered member's solar array (DC kW).
    """

    shape: str
    base_kw: float
    heat_kw_per_c: float
    cool_kw_per_c: float
    pv_kw: float
    noise: float
    power_factor: float | None
    peak_kw: float  # a planning figure for the service size, not a measured demand


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


def draw_load(key: str, rng: random.Random, *, elevation_m: int) -> LoadParams:
    """Draw a plausible load for a service of class ``key`` at a town's elevation."""
    service = SERVICE_CLASSES[key]
    # Basin towns cool with evaporative coolers or AC; mountain homes rarely need it.
    cooling_likely = max(0.0, min(1.0, (2300 - elevation_m) / 900))
    shape = service.shape
    if shape in ("home", "evening", "cabin"):
        base = _lognormal(rng, 0.55 if shape != "cabin" else 0.22, 0.35)
        electric_heat = rng.random() < (0.22 if shape != "cabin" else 0.35)
        heat = _lognormal(rng, 0.11 if electric_heat else 0.015, 0.3)
        cool = _lognormal(rng, 0.12, 0.4) if rng.random() < cooling_likely else 0.0
        pv = round(rng.uniform(3.5, 9.5), 1) if key == "RES_NET" else 0.0
        return LoadParams(shape, base, heat, cool, pv, 0.35, None, base * 4 + heat * 20 + cool * 12)
    if shape in ("business", "church"):
        base = _lognormal(rng, 4.5 if key != "GS_TOU" else 12.0, 0.6)
        heat = base * rng.uniform(0.01, 0.05)
        cool = base * rng.uniform(0.03, 0.09) * cooling_likely
        pf = rng.uniform(0.86, 0.98) if key == "GS_TOU" else None
        return LoadParams(shape, base, heat, cool, 0.0, 0.18, pf, base * 2.2 + cool * 12)
    if shape == "irrigation":
        pump_kw = rng.choice((7.5, 11.2, 15.0, 18.7, 22.4, 30.0, 37.3, 44.8))  # 10-60 hp
        return LoadParams(shape, pump_kw, 0.0, 0.0, 0.0, 0.04, rng.uniform(0.8, 0.9), pump_kw)
    if shape == "industrial":
        base = _lognormal(rng, 160.0, 0.5)
        cool = base * rng.uniform(0.005, 0.02) * cooling_likely
        pf = rng.uniform(0.84, 0.97)
        return LoadParams(shape, base, 0.0, cool, 0.0, 0.08, pf, base * 1.6 + cool * 12)
    if shape == "continuous":
        # Rate 19: at least 1,000 kW contracted and an 80 % or better load factor.
        peak = rng.uniform(1150.0, 2800.0)
        return LoadParams(shape, peak / 1.09, 0.0, 0.0, 0.0, 0.015, rng.uniform(0.92, 0.99), peak)
    raise ValueError(f"no load model for service class {key}")


def service_kva_for(peak_kw: float, *, phases: int) -> int:
    """The smallest standard transformer size that carries the peak with some headroom."""
    sizes = (
        (10, 15, 25, 37, 50)
        if phases == 1
        else (45, 75, 112, 150, 225, 300, 500, 750, 1000, 1500, 2000, 2500, 3750, 5000)
    )
    for size in sizes:
        if size >= peak_kw * 1.25:
            return size
    return sizes[-1]
