"""Benchmark: ``coopcis rate study`` over 10,000 meter-years vs PySAM one meter at a time.

    .venv/bin/python benchmarks/rate_study.py [--meters 10000] [--pysam-sample 500]

Generates (once, deterministic seed) ``bench-data/rate-study-<meters>.parquet``: hourly
residential load for the local year 2025 (8,760 intervals a meter) in the layout
recommended for co-ops' exports (``docs/benchmarks.md``, "Rate study"):

* rows sorted by meter then start; columns ``meter_id`` text, ``start``
  timestamp[ms, UTC], ``wh`` int32, all non-nullable (no definition levels);
* ``meter_id`` dictionary-encoded (its runs are read from the index run lengths, no
  per-row ids); ``start`` and ``wh`` PLAIN; no compression (values are read in
  place from the memory-mapped file, no decoding);
* row groups of 200 whole meters (1,752,000 rows), each column chunk one data page.

``--layout arrow-default`` writes the same data with pyarrow's defaults instead
(snappy, dictionary everywhere, 20,000-row pages), which the study decodes with Arrow.
``--layout polars`` writes it as an analyst's pandas/polars export would be: one
``polars.DataFrame.write_parquet`` call with polars' defaults (zstd, dictionary pages,
row groups that split meters), ``meter_id`` text, ``start`` datetime[us, UTC] and
``kwh`` a 64-bit float (each meter-hour's Wh / 1000, so the bills equal the other
layouts'). polars is needed only to write that file (``pip install polars``).
Then it runs the study as a whole process (wall time; peak RSS of the child from
``getrusage(RUSAGE_CHILDREN)``) and times PySAM's Utilityrate5 rating a sample of the
same meters one by one (ocec-res as a flat rate: $30.00 a month + $0.1371/kWh),
scaled per meter-year. Check ``uptime`` first: the figures are only comparable on a
quiet machine, and PySAM is timed in the same run so the ratio is like for like.
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


LAYOUTS = ("recommended", "arrow-default", "polars")


def write_options(layout: str) -> dict[str, object]:
    """``pq.ParquetWriter`` options of a layout (see the module docstring)."""
    if layout == "arrow-default":
        return {}
    return {
        "compression": "none",
        "use_dictionary": ["meter_id"],
        "column_encoding": {"start": "PLAIN", "wh": "PLAIN"},
        # one data page per column chunk: few page headers to read
        "max_rows_per_page": METERS_PER_GROUP * HOURS,
        "data_page_size": 1 << 30,
    }


def _meter_wh(rng: np.random.Generator, shape: np.ndarray, count: int) -> np.ndarray:
    """``count`` meters' hourly Wh for the year (int32, one row a meter)."""
    scale = rng.lognormal(0, 0.45, size=(count, 1))
    noise = rng.gamma(4.0, 0.25, size=(count, HOURS))
    return np.rint(shape * scale * noise).astype(np.int32)


def generate_polars(meters: int, path: Path) -> None:
    """The same data as :func:`generate`, written by polars with its defaults, kWh float."""
    import polars as pl

    rng = np.random.default_rng(20250101)
    shape = _load_shape(np.arange(HOURS))
    wh = np.concatenate(
        [
            _meter_wh(rng, shape, min(METERS_PER_GROUP, meters - first)).ravel()
            for first in range(0, meters, METERS_PER_GROUP)
        ]
    )
    row = pl.int_range(0, meters * HOURS, dtype=pl.Int64)
    frame = pl.select(
        meter_id=pl.format("M{}", (row // HOURS).cast(pl.String).str.zfill(6)),
        start=((row % HOURS) * 3_600_000 + FIRST_UTC_MS)
        .cast(pl.Datetime("ms", "UTC"))
        .cast(pl.Datetime("us", "UTC")),
        kwh=pl.Series(wh, dtype=pl.Float64) / 1000,
    )
    del wh
    path.parent.mkdir(exist_ok=True)
    partial = path.with_suffix(".partial")
    frame.write_parquet(partial)
    partial.rename(path)


def generate(meters: int, path: Path, layout: str = "recommended") -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if layout == "polars":
        generate_polars(meters, path)
        return
    rng = np.random.default_rng(20250101)
    shape = _load_shape(np.arange(HOURS))
    starts = FIRST_UTC_MS + np.arange(HOURS, dtype=np.int64) * 3_600_000
    schema = pa.schema(
        [
            pa.field("meter_id", pa.string(), nullable=False),
            pa.field("start", pa.timestamp("ms", tz="UTC"), nullable=False),
            pa.field("wh", pa.int32(), nullable=False),
        ]
    )
    path.parent.mkdir(exist_ok=True)
    partial = path.with_suffix(".partial")
    options = write_options(layout)
    with pq.ParquetWriter(partial, schema, **options) as out:  # type: ignore[arg-type]
        for first in range(0, meters, METERS_PER_GROUP):
            count = min(METERS_PER_GROUP, meters - first)
            wh = _meter_wh(rng, shape, count)
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


def run_study(path: Path, repeats: int) -> tuple[list[float], float, float, int]:
    """Wall times of ``repeats`` runs, peak RSS (MB), CPU seconds a run, JSON size."""
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
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for _ in range(repeats):
        began = time.perf_counter()
        done = subprocess.run(command, check=True, stdout=subprocess.PIPE)
        walls.append(time.perf_counter() - began)
        size = len(done.stdout)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / repeats
    return walls, after.ru_maxrss / 1024, cpu, size


def run_pysam(path: Path, sample: int) -> tuple[float, float]:
    """Wall and CPU seconds a meter-year, rating ``sample`` meters one by one."""
    import pyarrow.parquet as pq
    import PySAM.Utilityrate5 as utilityrate5

    name = "kwh" if "kwh" in pq.ParquetFile(path).schema_arrow.names else "wh"
    table = pq.read_table(path, columns=[name]).slice(0, sample * HOURS)
    loads = table.column(name).to_numpy().reshape(sample, HOURS)  # hourly kWh = kW
    loads = np.rint(loads * 1000) / 1000 if name == "kwh" else loads / 1000
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
    began, cpu = time.perf_counter(), time.process_time()
    for load in loads:
        model.Load.load = load.tolist()
        model.execute()
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    return wall / sample, cpu / sample


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=10_000)
    parser.add_argument("--pysam-sample", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--layout", choices=LAYOUTS, default="recommended")
    args = parser.parse_args()
    suffix = "" if args.layout == "recommended" else f"-{args.layout}"
    path = DATA / f"rate-study-{args.meters}{suffix}.parquet"
    if not path.exists():
        began = time.perf_counter()
        generate(args.meters, path, args.layout)
        print(f"generated {path} in {time.perf_counter() - began:.1f} s")
    rows = args.meters * HOURS
    print(
        f"data: {args.meters} meter-years, {rows:,} hourly intervals, "
        f"{path.stat().st_size / 1e6:,.0f} MB ({args.layout} layout); load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    walls, peak_mb, cpu, size = run_study(path, args.repeats)
    best, median = min(walls), sorted(walls)[len(walls) // 2]
    print(
        f"study wall: best {best:.2f} s, median {median:.2f} s of {args.repeats} "
        f"({', '.join(f'{w:.2f}' for w in walls)}); CPU {cpu:.2f} s a run (user + sys, "
        f"both cores); peak RSS {peak_mb:,.0f} MB; JSON {size / 1e6:.1f} MB"
    )
    per_meter, per_meter_cpu = run_pysam(path, args.pysam_sample)
    pysam_total = per_meter * args.meters
    print(
        f"PySAM: {per_meter * 1000:.2f} ms per meter-year wall, {per_meter_cpu * 1000:.2f} ms "
        f"CPU (sample of {args.pysam_sample}); {pysam_total:.1f} s for {args.meters}"
    )
    print(
        f"CPU ratio PySAM / study: {per_meter_cpu * args.meters / cpu:.1f}x "
        f"({per_meter_cpu * args.meters:.1f} s against {cpu:.2f} s; the load's effect on each "
        "is smaller than on wall time)"
    )
    print(
        f"ratio PySAM / study: {pysam_total / median:.1f}x (median), "
        f"{pysam_total / best:.1f}x (best); cpus {os.cpu_count()}; load average after "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
