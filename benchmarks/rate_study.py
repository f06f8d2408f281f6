"""Benchmark: ``coopcis rate study`` over 10,000 meter-years vs PySAM one meter at a time.

    .venv/bin/python benchmarks/rate_study.py [--meters 10000] [--pysam-sample 500]

Generates (once, deterministic seed) ``bench-data/intervals-<meters>.parquet``: hourly
residential load for the local year 2025 (8,760 intervals a meter), rows sorted by
meter then start; ``meter_id`` text (dictionary-encoded), ``start`` timestamp[ms, UTC],
``wh`` int32; no compression, row groups of 200 meters. Then it runs the study as a
whole process (wall time; peak RSS of the child from ``getrusage(RUSAGE_CHILDREN)``)
and times PySAM's Utilityrate5 rating a sample of the same meters one by one (ocec-res
as a flat rate: $30.00 a month + $0.1371/kWh), scaled per meter-year.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench-data"
HOURS = 8760
FIRST_UTC_MS = 1_735_714_800_000  # 2025-01-01T00:00:00-07:00
METERS_PER_GROUP = 200


def _load_shape(hours: np.ndarray) -> np.ndarray:
    hour_of_day, day = hours % 24, hours // 24
    daily = (
        500
        + 350 * np.exp(-((hour_of_day - 18.5) ** 2) / 8)
        + 200 * np.exp(-((hour_of_day - 7.5) ** 2) / 4)
    )
    seasonal = 1 + 0.35 * np.cos(2 * np.pi * (day - 200) / 365) ** 2
    return daily * seasonal


def generate(meters: int, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(20250101)
    shape = _load_shape(np.arange(HOURS))
    starts = FIRST_UTC_MS + np.arange(HOURS, dtype=np.int64) * 3_600_000
    schema = pa.schema(
        [("meter_id", pa.string()), ("start", pa.timestamp("ms", tz="UTC")), ("wh", pa.int32())]
    )
    path.parent.mkdir(exist_ok=True)
    partial = path.with_suffix(".partial")
    with pq.ParquetWriter(partial, schema, compression="none", use_dictionary=["meter_id"]) as out:
        for first in range(0, meters, METERS_PER_GROUP):
            count = min(METERS_PER_GROUP, meters - first)
            scale = rng.lognormal(0, 0.45, size=(count, 1))
            noise = rng.gamma(4.0, 0.25, size=(count, HOURS))
            wh = np.rint(shape * scale * noise).astype(np.int32)
            ids = np.repeat([f"M{first + i:06d}" for i in range(count)], HOURS)
            table = pa.table(
                {
                    "meter_id": pa.array(ids, pa.string()),
                    "start": pa.array(np.tile(starts, count), pa.timestamp("ms", tz="UTC")),
                    "wh": pa.array(wh.ravel()),
                },
                schema=schema,
            )
            out.write_table(table, row_group_size=count * HOURS)
    partial.rename(path)


def run_study(path: Path, repeats: int) -> tuple[list[float], float, int]:
    command = [
        str(ROOT / ".venv/bin/coopcis"),
        "rate",
        "study",
        "ocec-res",
        "--intervals",
        str(path),
        "--json",
    ]
    walls = []
    size = 0
    for _ in range(repeats):
        began = time.perf_counter()
        done = subprocess.run(command, check=True, stdout=subprocess.PIPE)
        walls.append(time.perf_counter() - began)
        size = len(done.stdout)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return walls, peak_kb / 1024, size


def run_pysam(path: Path, sample: int) -> float:
    import pyarrow.parquet as pq
    import PySAM.Utilityrate5 as utilityrate5

    table = pq.read_table(path, columns=["wh"]).slice(0, sample * HOURS)
    loads = table.column("wh").to_numpy().reshape(sample, HOURS) / 1000  # hourly kWh = kW
    model = utilityrate5.new()
    model.Lifetime.analysis_period = 1
    model.Lifetime.system_use_lifetime_output = 0
    model.Lifetime.inflation_rate = 0
    model.SystemOutput.gen = [0.0] * HOURS
    model.SystemOutput.degradation = [0.0]
    model.Load.load_escalation = [0.0]
    rates = model.ElectricityRates
    rates.rate_escalation = [0.0]
    rates.ur_metering_option = 0
    rates.ur_monthly_fixed_charge = 30.0
    rates.ur_monthly_min_charge = 0.0
    rates.ur_annual_min_charge = 0.0
    rates.ur_ec_sched_weekday = [[1] * 24] * 12
    rates.ur_ec_sched_weekend = [[1] * 24] * 12
    rates.ur_ec_tou_mat = [[1, 1, 1e38, 0, 0.1371, 0]]
    rates.ur_en_ts_sell_rate = 0
    rates.ur_en_ts_buy_rate = 0
    rates.ur_dc_enable = 0
    began = time.perf_counter()
    for load in loads:
        model.Load.load = load.tolist()
        model.execute()
    return (time.perf_counter() - began) / sample


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=10_000)
    parser.add_argument("--pysam-sample", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    path = DATA / f"intervals-{args.meters}.parquet"
    if not path.exists():
        began = time.perf_counter()
        generate(args.meters, path)
        print(f"generated {path} in {time.perf_counter() - began:.1f} s")
    rows = args.meters * HOURS
    print(
        f"data: {args.meters} meter-years, {rows:,} hourly intervals, "
        f"{path.stat().st_size / 1e6:,.0f} MB"
    )
    walls, peak_mb, size = run_study(path, args.repeats)
    best, median = min(walls), sorted(walls)[len(walls) // 2]
    print(
        f"study wall: best {best:.2f} s, median {median:.2f} s of {args.repeats} "
        f"({', '.join(f'{w:.2f}' for w in walls)}); peak RSS {peak_mb:,.0f} MB; "
        f"JSON {size / 1e6:.1f} MB"
    )
    per_meter = run_pysam(path, args.pysam_sample)
    pysam_total = per_meter * args.meters
    print(
        f"PySAM: {per_meter * 1000:.2f} ms per meter-year (sample of {args.pysam_sample}); "
        f"{pysam_total:.1f} s for {args.meters}"
    )
    print(f"ratio PySAM / study (median): {pysam_total / median:.1f}x; cpus {os.cpu_count()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
