"""A synthetic climate for the Sacramento Mountains and the Tularosa Basin.

Daily mean temperature at the basin floor (1,300 m) follows the season (about 6 C in
mid-January, 27 C in mid-July) plus a weather anomaly that persists for days; the day
swings about 8 C either side (dry air), coolest near 6 AM and warmest near 3 PM; towns
higher up are cooler by the standard lapse rate, 6.5 C per 1,000 m. Heating and
cooling loads are driven by degrees below 16 C and above 24 C. Sunshine for solar
arrays follows day length, with cloudier days in the July-August monsoon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coopcis.apps.demo.synth.places import CLIMATE_BASE_ELEVATION_M
from coopcis.apps.demo.synth.timeline import Timeline

HEATING_BASE_C = 16.0
COOLING_BASE_C = 24.0
LAPSE_C_PER_M = 0.0065


@dataclass(frozen=True)
class Weather:
    """Per-interval regional temperature at the basin floor and solar output per kW."""

    basin_temperature_c: np.ndarray  # per interval
    solar_per_kw: np.ndarray  # per interval, kW AC per kW DC of array

    def temperature_at(self, elevation_m: int) -> np.ndarray:
        return self.basin_temperature_c - LAPSE_C_PER_M * (elevation_m - CLIMATE_BASE_ELEVATION_M)


def make_weather(timeline: Timeline, *, seed: int) -> Weather:
    """The weather over the timeline for a seed (the same for every meter)."""
    rng = np.random.default_rng([seed, 0x57])
    days = timeline.days
    doy = timeline.day_of_year.astype(np.float64)
    seasonal = 16.5 - 10.5 * np.cos(2 * np.pi * (doy - 15) / 365.25)
    anomaly = np.empty(days)
    level = rng.normal(0.0, 2.5)
    shocks = rng.normal(0.0, 1.9, size=days)
    for d in range(days):
        level = 0.72 * level + shocks[d]
        anomaly[d] = level
    day_position = timeline.local_day + timeline.local_hour / 24.0
    daily = np.interp(day_position, np.arange(days) + 0.5, seasonal + anomaly)
    diurnal = 8.0 * np.cos(2 * np.pi * (timeline.local_hour - 15.0) / 24.0)
    temperature = daily + diurnal
    # Solar: a half-sine between sunrise and sunset, day length 10 h (December) to 14 h (June).
    day_length = 12.0 - 2.0 * np.cos(2 * np.pi * (doy + 10) / 365.25)
    length = day_length[timeline.local_day]
    solar_noon = 12.5  # clock time, between MST (12:05) and MDT (13:05) solar noon
    from_sunrise = timeline.local_hour + 0.125 - (solar_noon - length / 2)
    sun = np.clip(np.sin(np.pi * from_sunrise / length), 0.0, None)
    monsoon = ((doy >= 185) & (doy <= 250)).astype(np.float64)
    clearness = np.clip(rng.beta(6, 1.6, size=days) - 0.25 * monsoon * rng.random(days), 0.05, 1)
    solar = 0.8 * sun**1.3 * clearness[timeline.local_day]
    return Weather(basin_temperature_c=temperature, solar_per_kw=solar)


def heating_degrees(temperature_c: np.ndarray) -> np.ndarray:
    return np.clip(HEATING_BASE_C - temperature_c, 0.0, None)


def cooling_degrees(temperature_c: np.ndarray, *, lag_intervals: int = 8) -> np.ndarray:
    """Degrees above the cooling base, two hours late: buildings warm up after the air."""
    lagged = np.concatenate([temperature_c[:lag_intervals], temperature_c[:-lag_intervals]])
    return np.clip(lagged - COOLING_BASE_C, 0.0, None)
