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
Then, ``--repeats`` times in turn, it runs the study as a whole process (wall time;
peak RSS of the child from ``getrusage(RUSAGE_CHILDREN)``) and right after it times
PySAM's Utilityrate5 rating the next slice of a sample of the same meters one by one
(ocec-res as a flat rate: $30.00 a month + $0.1371/kWh), scaled per meter-year. Each
turn's ratio compares two measurements seconds apart, under the same conditions; the
ratio reported is the median of the turns' (a shared machine's speed moves by 2x from
minute to minute, so a PySAM sample timed once, after all the study runs, gave ratios
from 9.3x to 17.7x for the same code). Check ``uptime`` first all the same.
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


def study_command(path: Path) -> list[str]:
    return [
        str(ROOT / ".venv/bin/coopcis"),
        "rate",
        "study",
        "ocec-res",
        "--intervals",
        str(path),
        "--json",
    ]


def run_study(path: Path) -> tuple[float, float, int]:
    """One whole ``coopcis rate study --json`` process: wall, CPU (user + sys), JSON size."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(study_command(path), check=True, stdout=subprocess.PIPE)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, len(done.stdout)


class PySAM:
    """PySAM's Utilityrate5 set up once for the flat rate, rating meters one by one."""

    def __init__(self, path: Path, sample: int) -> None:
        import pyarrow.parquet as pq
        import PySAM.Utilityrate5 as utilityrate5

        handle = pq.ParquetFile(path)
        name = "kwh" if "kwh" in handle.schema_arrow.names else "wh"
        # only the sample's rows: a whole column read here would sit in this process's
        # memory and be counted in every study child's peak RSS (forked from it)
        rows = handle.iter_batches(batch_size=sample * HOURS, columns=[name])
        loads = next(rows).column(0).to_numpy().reshape(sample, HOURS)  # hourly kWh = kW
        self.loads = np.rint(loads * 1000) / 1000 if name == "kwh" else loads / 1000
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
        self.model = model

    def rate(self, low: int, high: int) -> tuple[float, float]:
        """Wall and CPU seconds a meter-year, rating sample meters ``[low, high)``."""
        began, cpu = time.perf_counter(), time.process_time()
        for load in self.loads[low:high]:
            self.model.Load.load = load.tolist()
            self.model.execute()
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu
        return wall / (high - low), cpu / (high - low)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


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
    # Study and PySAM take turns: each study run is followed by a slice of the PySAM
    # sample, so each pair is measured within seconds of each other, under the same
    # conditions (a shared machine's speed moves by 2x from minute to minute).
    pysam = PySAM(path, args.pysam_sample)
    cut = [args.pysam_sample * turn // args.repeats for turn in range(args.repeats + 1)]
    walls, cpus, pysam_walls, pysam_cpus, ratios = [], [], [], [], []
    size = 0
    for turn in range(args.repeats):
        wall, cpu, size = run_study(path)
        per_meter, per_meter_cpu = pysam.rate(cut[turn], cut[turn + 1])
        walls.append(wall)
        cpus.append(cpu)
        pysam_walls.append(per_meter)
        pysam_cpus.append(per_meter_cpu)
        ratios.append(per_meter * args.meters / wall)
        print(
            f"  turn {turn + 1}: study {wall:.2f} s wall, {cpu:.2f} s CPU; PySAM "
            f"{per_meter * 1000:.2f} ms a meter ({per_meter * args.meters:.1f} s for "
            f"{args.meters}); ratio {ratios[-1]:.1f}x"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    best, median = min(walls), _median(walls)
    print(
        f"study wall: best {best:.2f} s, median {median:.2f} s of {args.repeats} "
        f"({', '.join(f'{w:.2f}' for w in walls)}); CPU {_median(cpus):.2f} s a run, median "
        f"(user + sys, both cores); peak RSS {peak_mb:,.0f} MB; JSON {size / 1e6:.1f} MB"
    )
    per_meter, per_meter_cpu = _median(pysam_walls), _median(pysam_cpus)
    print(
        f"PySAM: {per_meter * 1000:.2f} ms per meter-year wall, {per_meter_cpu * 1000:.2f} ms "
        f"CPU (median of {args.repeats} slices of a {args.pysam_sample}-meter sample); "
        f"{per_meter * args.meters:.1f} s for {args.meters}"
    )
    print(
        f"CPU ratio PySAM / study: {per_meter_cpu * args.meters / _median(cpus):.1f}x "
        f"({per_meter_cpu * args.meters:.1f} s against {_median(cpus):.2f} s)"
    )
    print(
        f"ratio PySAM / study, turn by turn: median {_median(ratios):.1f}x (turns "
        f"{min(ratios):.1f}-{max(ratios):.1f}x); of the medians {per_meter * args.meters / median:.1f}x; "
        f"cpus {os.cpu_count()}; load average after "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
