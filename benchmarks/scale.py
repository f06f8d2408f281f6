"""Benchmark: a synthetic co-op of 200,000 members on PostgreSQL, billed by 1 and 2 workers,
and its interval data read with and without monthly partitions (docs/benchmarks.md "Scale").

    .venv/bin/python benchmarks/scale.py [--members 200000] [--months 4] [--workers 1,2]
        [--window SECONDS] [--database bench_scale] [--keep] [--skip-load] [--skip-partitions]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and RabbitMQ
(``COOPCIS_BROKER_URL``, default amqp://guest:guest@127.0.0.1:5672//; queue
``COOPCIS_JOBS_QUEUE``, default ``q_scale``). Steps, each timed and printed:

1. load: create the database, ``coopcis migrate`` (interval data partitioned by month),
   ``coopcis demo --members N --months M --through 2026-10`` (``ANALYZE`` at its end);
2. for each worker count K: a copy of the loaded database (``CREATE DATABASE ... TEMPLATE``),
   ``coopcis worker --concurrency K`` on it, ``coopcis bill-run --period 2026-10 --workers``
   timed as a whole process (or its first --window seconds: bills a second over the
   batches done); where the time went: each batch's own seconds and the seconds
   its queries waited on the database (``coopcis jobs show --json``, recorded by the
   worker), the database's own busy time (``pg_stat_database.active_time``) and the CPU
   seconds of the worker processes;
3. partitions: one read period of interval data (what a bill run reads for a batch of 500
   meters) timed over every interval meter, with its plan, on the partitioned table; then
   ``coopcis migrate metering 0002`` (timed: back to one plain table), the same reads; then
   ``coopcis migrate metering`` again (timed: the migration an installation runs).

Drops every database it made unless --keep. Figures are noisy on a shared machine: the
load average is printed before and after each step.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COOPCIS = str(ROOT / ".venv" / "bin" / "coopcis")
PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-Atq"]
PERIOD = "2026-10"
#: The read period a bill run of 2026-10 reads for a meter read mid-month: the UTC days
#: from the September read to the October read (the demo reads on cycle days).
READ_FROM, READ_TO = "2026-09-14 00:00+00", "2026-10-16 00:00+00"
BATCH = 500


def sql(database: str, query: str) -> str:
    done = subprocess.run([*PSQL, "-d", database, "-c", query], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"psql failed: {done.stderr.strip()}")
    return done.stdout.strip()


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def env_for(database: str, var_dir: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COOPCIS_")}
    env["COOPCIS_VAR_DIR"] = var_dir
    env["COOPCIS_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{database}"
    env["COOPCIS_BROKER_URL"] = os.environ.get(
        "COOPCIS_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//"
    )
    env["COOPCIS_JOBS_QUEUE"] = os.environ.get("COOPCIS_JOBS_QUEUE", "q_scale")
    env["COOPCIS_OPERATOR"] = "operator"
    return env


def coopcis(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([COOPCIS, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"coopcis {' '.join(args)} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


def timed(label: str, env: dict[str, str], *args: str) -> tuple[str, float]:
    before = load_average()
    started = time.perf_counter()
    out = coopcis(env, *args)
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.1f} s (load average {before} -> {load_average()})", flush=True)
    return out, seconds


def load(database: str, var_dir: str, members: int, months: int) -> None:
    subprocess.run([*PSQL, "-c", f"CREATE DATABASE {database}"], check=True)
    env = env_for(database, var_dir)
    timed("migrate", env, "migrate", "--verbosity", "0")
    coopcis(env, "staff", "add", "operator", "--role", "manager")
    out, _ = timed(
        f"demo --members {members} --months {months}",
        env,
        *("demo", "--members", str(members), "--months", str(months), "--through", PERIOD),
    )
    print(out, flush=True)
    size = sql(database, f"SELECT pg_size_pretty(pg_database_size('{database}'))")
    print(f"database size {size}", flush=True)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of the processes and their children that were waited for."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15]) / tick  # utime stime cutime cstime
    return total


def children(pid: int) -> list[int]:
    found = [pid]
    for path in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = path.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) in found:
            found.append(int(path.parent.name))
    return found


def bill_with_workers(
    source: str, var_dir: str, workers: int, batch_size: int, window: float | None
) -> dict[str, Any]:
    """One bill run on a copy of ``source`` with ``workers`` worker processes: the whole run,
    or with ``window`` its first that many seconds (the batches are alike, so the rate of
    the first minutes is the run's; the run is then stopped and its copy dropped)."""
    database = f"{source}_k{workers}"
    subprocess.run([*PSQL, "-c", f"DROP DATABASE IF EXISTS {database}"], check=True)
    started = time.perf_counter()
    subprocess.run([*PSQL, "-c", f"CREATE DATABASE {database} TEMPLATE {source}"], check=True)
    print(f"copy of the loaded database: {time.perf_counter() - started:.1f} s", flush=True)
    env = env_for(database, var_dir)
    log_path = Path(var_dir) / f"worker-{workers}.log"
    with log_path.open("w") as log:  # the worker keeps its own copy of the file
        worker = subprocess.Popen(
            [COOPCIS, "worker", "--concurrency", str(workers), "--loglevel", "INFO"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    command = [COOPCIS, "bill-run", "--period", PERIOD, "--workers"]
    command += ["--batch-size", str(batch_size), "--json"]
    try:
        time.sleep(8)  # the worker connects to RabbitMQ and starts its processes
        active = f"SELECT active_time FROM pg_stat_database WHERE datname = '{database}'"
        active_before = float(sql(database, active) or 0)
        worker_cpu = cpu_seconds(children(worker.pid))
        load_before = load_average()
        started = time.perf_counter()
        follower = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
        try:
            out, _ = follower.communicate(timeout=window)
            complete = follower.returncode == 0
        except subprocess.TimeoutExpired:
            follower.kill()
            out, complete = "", False
        seconds = time.perf_counter() - started
        worker_cpu = cpu_seconds(children(worker.pid)) - worker_cpu
        active_ms = float(sql(database, active)) - active_before
        print(
            f"bill-run --workers ({workers} worker processes): {seconds:.1f} s"
            f"{'' if complete else ' (stopped: window)'} "
            f"(load average {load_before} -> {load_average()})",
            flush=True,
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=120)
    rows = sql(
        database,
        "SELECT count(*), COALESCE(sum((result->>'billed')::int + (result->>'held')::int), 0), "
        "EXTRACT(EPOCH FROM max(b.finished_at) - min(j.created_at)) "
        "FROM jobs_batch b JOIN jobs_job j ON j.id = b.job_id WHERE b.status = 'DONE'",
    ).split("|")
    batches, bills, span = int(rows[0]), int(rows[1]), float(rows[2] or 0)
    timing = sql(
        database,
        "SELECT COALESCE(sum((result->'timing'->>'seconds')::float), 0), "
        "COALESCE(sum((result->'timing'->>'db_seconds')::float), 0), "
        "COALESCE(sum((result->'timing'->>'queries')::int), 0) "
        "FROM jobs_batch WHERE status = 'DONE'",
    ).split("|")
    batch_s, db_s, queries = float(timing[0]), float(timing[1]), int(timing[2])
    figures = {
        "workers": workers,
        "complete": complete,
        "wall_seconds": round(seconds, 1),
        "batches_done": batches,
        "bills": bills,
        "bills_per_second": round(bills / span, 1) if span else None,
        "total": json.loads(out)["total_amount"] if complete else None,
        "batch_seconds_sum": round(batch_s, 1),
        "batch_db_wait_seconds_sum": round(db_s, 1),
        "db_share_of_batch_time": round(db_s / batch_s, 3) if batch_s else None,
        "queries": queries,
        "postgres_active_seconds": round(active_ms / 1000, 1),
        "worker_cpu_seconds": round(worker_cpu, 1),
    }
    print(json.dumps(figures), flush=True)
    subprocess.run([*PSQL, "-c", f"DROP DATABASE {database}"], check=False)
    return figures


READ_BATCH_SQL = """
SELECT meter_id, start_at, interval_minutes, count, values_wh
FROM metering_intervalblock
WHERE meter_id = ANY(%s) AND channel = 'DELIVERED'
  AND start_at >= '{low}' AND start_at < '{high}'
ORDER BY meter_id, start_at
"""


def read_interval_batches(database: str, label: str) -> dict[str, Any]:
    """Every interval meter's read period, 500 meters a query as a bill run's batch reads
    them: total seconds, and the plan of the first batch (partitions scanned)."""
    import psycopg

    query = READ_BATCH_SQL.format(low=READ_FROM, high=READ_TO)
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}") as conn:
        meters = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM metering_meter WHERE interval_minutes IS NOT NULL ORDER BY id"
            ).fetchall()
        ]
        batches = [meters[i : i + BATCH] for i in range(0, len(meters), BATCH)]
        plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + query, [batches[0]])
        plan_text = "\n".join(row[0] for row in plan.fetchall())
        rows = 0
        started = time.perf_counter()
        for batch in batches:
            rows += len(conn.execute(query, [batch]).fetchall())
        seconds = time.perf_counter() - started
    print(f"--- {label}: plan of one batch of {BATCH} meters\n{plan_text}", flush=True)
    figures = {
        "table": label,
        "interval_meters": len(meters),
        "batches": len(batches),
        "blocks_read": rows,
        "seconds": round(seconds, 2),
        "ms_per_batch": round(1000 * seconds / len(batches), 1),
    }
    print(json.dumps(figures), flush=True)
    return figures


def partitions(source: str, var_dir: str) -> None:
    database = f"{source}_parts"
    subprocess.run([*PSQL, "-c", f"DROP DATABASE IF EXISTS {database}"], check=True)
    subprocess.run([*PSQL, "-c", f"CREATE DATABASE {database} TEMPLATE {source}"], check=True)
    env = env_for(database, var_dir)
    sizes = sql(
        database,
        "SELECT count(*), pg_size_pretty(sum(pg_total_relation_size(inhrelid))) "
        "FROM pg_inherits WHERE inhparent = 'metering_intervalblock'::regclass",
    )
    print(f"partitions, total size: {sizes}", flush=True)
    sql(database, "SELECT 1")
    for _ in range(2):  # the second read is the one reported: the first warms the cache
        read_interval_batches(database, "partitioned by month")
    timed("migrate metering 0002 (back to one plain table)", env, "migrate", "metering", "0002")
    sql(database, "ANALYZE metering_intervalblock")
    for _ in range(2):
        read_interval_batches(database, "one plain table")
    timed("migrate metering (partition by month)", env, "migrate", "metering")
    subprocess.run([*PSQL, "-c", f"DROP DATABASE {database}"], check=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--months", type=int, default=4)
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument(
        "--window", type=float, help="seconds of each bill run to measure (default: all of it)"
    )
    parser.add_argument("--database", default="bench_scale")
    parser.add_argument("--keep", action="store_true", help="keep the loaded database")
    parser.add_argument("--skip-load", action="store_true", help="the database is loaded")
    parser.add_argument("--skip-partitions", action="store_true")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; load average {load_average()}", flush=True)
    var_dir = tempfile.mkdtemp(prefix="coopcis-scale-")
    try:
        if not args.skip_load:
            load(args.database, var_dir, args.members, args.months)
        runs = [
            bill_with_workers(args.database, var_dir, int(k), args.batch_size, args.window)
            for k in args.workers.split(",")
            if k
        ]
        if len(runs) > 1 and runs[0]["bills_per_second"]:
            base = runs[0]
            for run in runs[1:]:
                speedup = (run["bills_per_second"] or 0) / base["bills_per_second"]
                print(f"{run['workers']} vs {base['workers']} workers: {speedup:.2f}x", flush=True)
        if not args.skip_partitions:
            partitions(args.database, var_dir)
    finally:
        if not args.keep:
            subprocess.run([*PSQL, "-c", f"DROP DATABASE IF EXISTS {args.database}"], check=False)


if __name__ == "__main__":
    main()
