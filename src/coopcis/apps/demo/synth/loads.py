"""Energy use of the demo's meters: 15-minute interval data and monthly register reads.

Load = the class's daily shape (homes peak in the evening, shops in business hours,
churches on Sunday morning, sawmills and pump plants run flat out) scaled by the
service's base kW, plus heating below 16 C and cooling above 24 C at the town's
elevation, plus noise. Interval meters get 15-minute Wh; their register reads are the
running sum of those intervals, so register deltas equal interval sums exactly. Register
meters are modelled a day at a time with the same climate. A net meter's solar array is
netted against the load each interval: the surplus is the RECEIVED channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from coopcis.apps.demo.synth.records import MeterPlan
from coopcis.apps.demo.synth.timeline import INTERVAL_MINUTES, Timeline
from coopcis.apps.demo.synth.weather import Weather, cooling_degrees, heating_degrees

WH_PER_KW_INTERVAL = 1000 * INTERVAL_MINUTES / 60  # Wh in one interval at 1 kW

# Hourly multipliers, weekday then weekend (Saturday, Sunday), local clock.
_HOME = (
    0.55,
    0.5,
    0.48,
    0.47,
    0.5,
    0.62,
    0.92,
    1.1,
    1.0,
    0.86,
    0.8,
    0.8,
    0.84,
    0.85,
    0.9,
    1.0,
    1.15,
    1.45,
    1.62,
    1.62,
    1.5,
    1.3,
    1.0,
    0.72,
)
_HOME_WEEKEND = (
    0.6,
    0.52,
    0.5,
    0.48,
    0.5,
    0.55,
    0.7,
    0.95,
    1.15,
    1.2,
    1.15,
    1.1,
    1.05,
    1.0,
    1.0,
    1.05,
    1.15,
    1.4,
    1.6,
    1.6,
    1.5,
    1.3,
    1.05,
    0.75,
)
_EVENING = (
    0.5,
    0.45,
    0.43,
    0.42,
    0.45,
    0.55,
    0.8,
    0.95,
    0.8,
    0.65,
    0.6,
    0.6,
    0.62,
    0.65,
    0.72,
    0.95,
    1.35,
    1.85,
    2.05,
    2.0,
    1.8,
    1.45,
    1.0,
    0.68,
)
_BUSINESS = (
    0.35,
    0.33,
    0.33,
    0.33,
    0.35,
    0.45,
    0.8,
    1.25,
    1.55,
    1.65,
    1.7,
    1.7,
    1.7,
    1.72,
    1.72,
    1.7,
    1.6,
    1.35,
    0.9,
    0.6,
    0.5,
    0.45,
    0.4,
    0.37,
)
_BUSINESS_WEEKEND = (
    0.35,
    0.33,
    0.33,
    0.33,
    0.33,
    0.35,
    0.45,
    0.65,
    0.85,
    0.95,
    1.0,
    1.0,
    1.0,
    1.0,
    0.95,
    0.9,
    0.8,
    0.7,
    0.55,
    0.45,
    0.4,
    0.38,
    0.36,
    0.35,
)
_CHURCH = (0.3,) * 7 + (0.4, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.4) + (0.3,) * 6
_CHURCH_SUNDAY = (
    (0.3,) * 6 + (0.6, 1.8, 2.6, 2.8, 2.8, 2.6, 1.6) + (0.5,) * 5 + (0.9, 0.9) + (0.3,) * 4
)
_CHURCH_WEDNESDAY = _CHURCH[:18] + (1.6, 1.8, 1.4) + (0.3,) * 3
_INDUSTRIAL = (
    0.6,
    0.6,
    0.6,
    0.6,
    0.62,
    0.8,
    1.2,
    1.35,
    1.38,
    1.38,
    1.38,
    1.35,
    1.3,
    1.38,
    1.38,
    1.38,
    1.3,
    1.2,
    1.15,
    1.1,
    1.05,
    0.95,
    0.7,
    0.62,
)
_INDUSTRIAL_WEEKEND = (0.55,) * 6 + (0.65,) * 12 + (0.55,) * 6
_CONTINUOUS = (1.0,) * 24
_CONTINUOUS_WEEKEND = (0.96,) * 24
_CABIN = tuple(0.55 * v for v in _HOME)
_CABIN_WEEKEND = tuple(1.5 * v for v in _HOME_WEEKEND)

HOURLY_SHAPES: dict[str, tuple[tuple[float, ...], ...]] = {
    # seven days, Monday first
    "home": (_HOME,) * 5 + (_HOME_WEEKEND,) * 2,
    "evening": (_EVENING,) * 5 + (_HOME_WEEKEND,) * 2,
    "cabin": (_CABIN,) * 4 + (_CABIN_WEEKEND,) * 3,
    "business": (_BUSINESS,) * 5 + (_BUSINESS_WEEKEND, tuple(0.9 * v for v in _BUSINESS_WEEKEND)),
    "church": (_CHURCH, _CHURCH, _CHURCH_WEDNESDAY, _CHURCH, _CHURCH, _CHURCH, _CHURCH_SUNDAY),
    "industrial": (_INDUSTRIAL,) * 5 + (_INDUSTRIAL_WEEKEND,) * 2,
    "continuous": (_CONTINUOUS,) * 5 + (_CONTINUOUS_WEEKEND,) * 2,
    "irrigation": (_CONTINUOUS,) * 7,
}


def shape_matrix(shape: str) -> np.ndarray:
    """A (7, 96) array of multipliers: weekday x 15-minute slot of the local day."""
    hourly = np.array(HOURLY_SHAPES[shape], dtype=np.float64)
    return np.repeat(hourly, 60 // INTERVAL_MINUTES, axis=1)


@dataclass
class ChannelEnergy:
    """What one meter channel measured: register and demand at each read, and intervals."""

    channel: str
    register_wh: list[int]
    demand_kw: list[Decimal | None]
    power_factor: list[Decimal | None]
    intervals_wh: np.ndarray | None = None  # int32, from the timeline's start


class EnergyModel:
    """Shapes and climate over one timeline, shared by every meter of the demo."""

    def __init__(self, timeline: Timeline, weather: Weather, *, seed: int) -> None:
        self.timeline, self.weather, self.seed = timeline, weather, seed
        slot = (timeline.local_hour * (60 // INTERVAL_MINUTES)).astype(np.int64)
        self.shapes = {
            name: shape_matrix(name)[timeline.local_weekday, slot] for name in HOURLY_SHAPES
        }
        self.daily_shape = {
            name: shape_matrix(name).mean(axis=1)[timeline.day_weekday] for name in HOURLY_SHAPES
        }
        self._climate: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        doy = timeline.day_of_year
        self.summer = ((doy >= 152) & (doy <= 250)).astype(np.float64)
        self.irrigation_season = (doy >= 91) & (doy <= 288)

    def climate(self, elevation_m: int) -> tuple[np.ndarray, np.ndarray]:
        """Heating and cooling degrees per interval at an elevation (cached)."""
        if elevation_m not in self._climate:
            temperature = self.weather.temperature_at(elevation_m)
            self._climate[elevation_m] = (
                heating_degrees(temperature),
                cooling_degrees(temperature),
            )
        return self._climate[elevation_m]

    # -- interval meters ---------------------------------------------------------------

    def interval_kw(self, meter: MeterPlan, rng: np.random.Generator) -> np.ndarray:
        """Average kW in each interval over the whole timeline (before any cut-off)."""
        load, tl = meter.load, self.timeline
        day_noise = rng.lognormal(0.0, load.noise / 2, tl.days)
        if load.shape == "irrigation":
            return (
                load.base_kw
                * self._pump_days(rng)[tl.local_day]
                * rng.normal(1.0, load.noise, tl.count).clip(0.8, 1.2)
            )
        shape = self.shapes[load.shape]
        kw = load.base_kw * shape * day_noise[tl.local_day]
        if load.shape == "cabin":
            kw *= (1.0 + 0.6 * self.summer)[tl.local_day]
        heat, cool = self.climate(meter.elevation_m)
        if load.heat_kw_per_c:
            kw += load.heat_kw_per_c * heat * (0.75 + 0.25 * shape)
        if load.cool_kw_per_c:
            kw += load.cool_kw_per_c * cool
        sigma = load.noise
        kw *= rng.lognormal(-sigma * sigma / 2, sigma, tl.count)
        return kw

    def _pump_days(self, rng: np.random.Generator) -> np.ndarray:
        """Irrigation pumps run in sets of days in the growing season, seldom in winter."""
        on = np.zeros(self.timeline.days)
        running = False
        draws = rng.random(self.timeline.days)
        for day, in_season in enumerate(self.irrigation_season):
            start, keep = (0.35, 0.82) if in_season else (0.02, 0.3)
            running = draws[day] < (keep if running else start)
            on[day] = running
        return on

    def interval_channels(self, index: int, meter: MeterPlan) -> list[ChannelEnergy]:
        """Interval data and reads of an interval meter (both channels for a net meter)."""
        rng = np.random.default_rng([self.seed, 1, index])
        tl = self.timeline
        end = tl.index_of(meter.removed_on) if meter.removed_on else tl.count
        kw = self.interval_kw(meter, rng)[:end]
        received = None
        if meter.load.pv_kw:
            solar = meter.load.pv_kw * rng.uniform(0.85, 1.0) * self.weather.solar_per_kw[:end]
            received = np.rint(np.clip(solar - kw, 0.0, None) * WH_PER_KW_INTERVAL).astype(np.int32)
            kw = np.clip(kw - solar, 0.0, None)
        delivered = np.rint(kw * WH_PER_KW_INTERVAL).astype(np.int32)
        read_at = np.array([tl.index_of(day) for day in meter.read_dates], dtype=np.int64)
        channels = [self._interval_channel("DELIVERED", delivered, read_at, meter, rng)]
        if received is not None:
            channels.append(self._interval_channel("RECEIVED", received, read_at, meter, rng))
        return channels

    def _interval_channel(
        self,
        channel: str,
        values: np.ndarray,
        read_at: np.ndarray,
        meter: MeterPlan,
        rng: np.random.Generator,
    ) -> ChannelEnergy:
        running = np.concatenate([[0], np.cumsum(values, dtype=np.int64)])
        registers = _registers(running[read_at], running[-1], meter)
        demand: list[Decimal | None] = [None] * len(read_at)
        power_factor: list[Decimal | None] = [None] * len(read_at)
        if meter.measures_demand and channel == "DELIVERED":
            starts = np.concatenate([[0], read_at[:-1]])
            for i, (lo, hi) in enumerate(zip(starts, read_at, strict=True)):
                peak_wh = int(values[lo:hi].max()) if hi > lo else 0
                demand[i] = Decimal(peak_wh * 60 // INTERVAL_MINUTES) / 1000
            if meter.load.power_factor is not None:
                draws = np.clip(
                    rng.normal(meter.load.power_factor, 0.012, len(read_at)), 0.7, 0.999
                )
                power_factor = [Decimal(f"{pf:.4f}") for pf in draws]
        return ChannelEnergy(channel, registers, demand, power_factor, values)

    # -- register meters ----------------------------------------------------------------

    def register_daily_wh(self, meters: list[MeterPlan]) -> np.ndarray:
        """Energy per local day (n meters x days, int64 Wh) for register meters at once."""
        tl = self.timeline
        rng = np.random.default_rng([self.seed, 2, len(meters)])
        starts = tl.day_start[:-1]
        hours = np.diff(tl.day_start) / (60 / INTERVAL_MINUTES)
        elevations = sorted({m.elevation_m for m in meters})
        hdd = np.array([np.add.reduceat(self.climate(e)[0], starts) for e in elevations]) / (
            4 * hours
        )
        cdd = np.array([np.add.reduceat(self.climate(e)[1], starts) for e in elevations]) / (
            4 * hours
        )
        row = {e: i for i, e in enumerate(elevations)}
        where = np.array([row[m.elevation_m] for m in meters], dtype=np.int64)
        base = np.array([m.load.base_kw for m in meters])[:, None]
        heat = np.array([m.load.heat_kw_per_c for m in meters])[:, None]
        cool = np.array([m.load.cool_kw_per_c for m in meters])[:, None]
        shape = np.array([self.daily_shape[m.load.shape] for m in meters])
        cabin = np.array([m.load.shape == "cabin" for m in meters])[:, None]
        occupancy = np.where(cabin, 1.0 + 0.6 * self.summer, 1.0)
        kw = base * shape * occupancy + heat * hdd[where] * 0.95 + cool * cdd[where]
        noise = rng.lognormal(-0.0112, 0.15, kw.shape)
        wh = np.rint(kw * hours * noise * 1000).astype(np.int64)
        for i, meter in enumerate(meters):
            if meter.removed_on is not None:
                wh[i, (meter.removed_on - tl.start_date).days :] = 0
        return wh

    def register_channel(self, meter: MeterPlan, daily_wh: np.ndarray) -> ChannelEnergy:
        running = np.concatenate([[0], np.cumsum(daily_wh)])
        at = np.array([(day - self.timeline.start_date).days for day in meter.read_dates])
        registers = _registers(running[at], running[-1], meter)
        empty: list[Decimal | None] = [None] * len(at)
        return ChannelEnergy("DELIVERED", registers, empty, list(empty))


def register_limit_wh(dials: int) -> int:
    """A register of ``dials`` kWh digits rolls over at this many Wh."""
    return 10**dials * 1000


def _registers(at_reads: np.ndarray, total_wh: int, meter: MeterPlan) -> list[int]:
    """Register values at the reads: where the register stood at the window's start (drawn
    so the data never rolls the register over) plus the energy since."""
    free = max(0, register_limit_wh(meter.dials) - 1 - int(total_wh))
    start = int(meter.start_fraction * free)
    return [start + int(value) for value in at_reads]


def block_rows(timeline: Timeline, values: np.ndarray) -> list[tuple[int, int, bytes]]:
    """``(block number in timeline.blocks, count, packed values)`` per UTC day, as
    ``IntervalBlock`` stores them: little-endian signed 32-bit Wh (the bytes
    ``IntervalBlock.pack`` makes)."""
    packed = values.astype("<i4", copy=False)
    return [
        (number, block.count, packed[block.start : block.start + block.count].tobytes())
        for number, block in enumerate(timeline.blocks_until(len(values)))
    ]
