"""Peer check: monthly bills agree with NREL's PySAM (Utilityrate5) to the cent.

PySAM's calendar is 8760 hours with no daylight saving and no leap day; ours is
America/Denver prevailing time. So the year is 2025 (not a leap year), the load is
given hour by hour from local standard midnight on January 1 (PySAM hour h is
07:00 UTC + h), and bills are compared for January, February and December: months
whose boundaries and on-peak window (15:00-21:00) fall in standard time in both
calendars. From March to November daylight saving moves our month boundaries and
peak window by an hour and PySAM's do not, so those months are not compared.

Hourly loads are whole kWh with monthly totals chosen so that every bill line is
already a whole number of cents (PySAM does not round lines; the engine rounds each
line half up): the comparison is then exact, not within a tolerance. Tariffs:
ocec-res (flat), ocec-res-tou (TOU energy) and ocec-gs (tiered demand).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest

from coopcis.catalog.tariffs import load_tariff
from coopcis.core.money import Money
from coopcis.core.rating.study import group_by_meter, rate_study

Utilityrate5 = pytest.importorskip("PySAM.Utilityrate5", reason="PySAM is not installed")

HOURS = 8760
FIRST_UTC = int(datetime(2025, 1, 1, 7, tzinfo=UTC).timestamp())  # 00:00 MST
COMPARED_MONTHS = {"2025-01": 0, "2025-02": 1, "2025-12": 11}
ON_PEAK_DAY = [1] * 15 + [2] * 6 + [1] * 3
MONTH_HOURS = np.cumsum([0] + [d * 24 for d in (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)])


def _load_kwh(seed: int) -> np.ndarray:
    """Whole kWh per hour; each month's total a multiple of 100 kWh, on-peak total even."""
    rng = np.random.default_rng(seed)
    hour_of_day = np.arange(HOURS) % 24
    load = rng.integers(0, 4, size=HOURS) + np.where((hour_of_day >= 15) & (hour_of_day < 21), 3, 0)
    for month in range(12):
        low, high = MONTH_HOURS[month], MONTH_HOURS[month + 1]
        on_peak = load[low:high][(hour_of_day[low:high] >= 15) & (hour_of_day[low:high] < 21)]
        if on_peak.sum() % 2:
            load[low + 15] += 1  # a 15:00 hour
        load[low + 3] += (-load[low:high].sum()) % 100  # a 03:00 (off-peak) hour
    return load


def _pysam_monthly(load: np.ndarray, *, energy: list[list[float]], schedule, flat_demand=None):
    model = Utilityrate5.new()
    model.Lifetime.analysis_period = 1
    model.Lifetime.system_use_lifetime_output = 0
    model.Lifetime.inflation_rate = 0
    model.SystemOutput.gen = [0.0] * HOURS
    model.SystemOutput.degradation = [0.0]
    model.Load.load = [float(kw) for kw in load]  # hourly kWh = average kW
    model.Load.load_escalation = [0.0]
    rates = model.ElectricityRates
    rates.rate_escalation = [0.0]
    rates.ur_metering_option = 0
    rates.ur_monthly_fixed_charge = 30.0 if schedule is None else 32.5
    rates.ur_monthly_min_charge = 0.0
    rates.ur_annual_min_charge = 0.0
    day = [1] * 24 if schedule is None else schedule
    rates.ur_ec_sched_weekday = [day] * 12
    rates.ur_ec_sched_weekend = [day] * 12
    rates.ur_ec_tou_mat = energy
    rates.ur_en_ts_sell_rate = 0
    rates.ur_en_ts_buy_rate = 0
    rates.ur_dc_enable = 1 if flat_demand else 0
    if flat_demand:
        rates.ur_monthly_fixed_charge = 30.0
        rates.ur_dc_flat_mat = [[m, t, mx, c] for m in range(12) for t, mx, c in flat_demand]
        rates.ur_dc_sched_weekday = [[1] * 24] * 12
        rates.ur_dc_sched_weekend = [[1] * 24] * 12
        rates.ur_dc_tou_mat = [[1, 1, 1e38, 0.0]]
    model.execute()
    return model.Outputs.utility_bill_wo_sys_ym[1]


def _study_monthly(load: np.ndarray, code: str) -> dict[str, Money]:
    runs = group_by_meter(
        meter_codes=np.zeros(HOURS, dtype=np.int64),
        meter_names=["peer"],
        start=FIRST_UTC + np.arange(HOURS, dtype=np.int64) * 3600,
        energy_wh=load.astype(np.int64) * 1000,
    )
    result = rate_study(runs, tariff=load_tariff(code))
    det = result.determinants
    return {det.months[det.segment_month[i]]: result.total(i) for i in range(len(det))}


def _cents(value: float) -> Money:
    return Money(Decimal(repr(value)).quantize(Decimal("0.01")))


PEERS = {
    "ocec-res": {"energy": [[1, 1, 1e38, 0, 0.1371, 0]], "schedule": None},
    "ocec-res-tou": {
        "energy": [[1, 1, 1e38, 0, 0.09, 0], [2, 1, 1e38, 0, 0.265, 0]],
        "schedule": ON_PEAK_DAY,
    },
    "ocec-gs": {
        "energy": [[1, 1, 1e38, 0, 0.115, 0]],
        "schedule": None,
        "flat_demand": [(1, 10.0, 1.25), (2, 1e38, 9.25)],
    },
}


@pytest.mark.parametrize("code", sorted(PEERS))
@pytest.mark.parametrize("seed", [3, 11])
def test_monthly_bills_agree_with_pysam(code, seed):
    # given a year of hourly load
    load = _load_kwh(seed)
    # when
    ours = _study_monthly(load, code)
    theirs = _pysam_monthly(load, **PEERS[code])
    # then
    assert len(ours) == 12
    for month, index in COMPARED_MONTHS.items():
        assert ours[month] == _cents(theirs[index]), (code, month)
    assert ours["2025-01"] > Money.of("30.00")
