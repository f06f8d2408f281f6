"""``coopcis demo``: fill an empty database with a synthetic OCEC-like co-op.

    coopcis demo --members 20000 [--seed 1] [--months 13] [--through 2026-10]

Members, accounts, premises, meters and agreements on the catalog's tariffs, then
``--months`` months of monthly register reads and 15-minute interval data ending with
the ``--through`` month (default: the latest full calendar month). The same seed and
arguments give the same data. Refuses a database that already holds accounts (or
parties, meters, service points).
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import connection
from django.utils import timezone
from tqdm import tqdm

from coopcis.apps.demo.billing_setup import store_billing_setup
from coopcis.apps.demo.governance_setup import store_board
from coopcis.apps.demo.loader import LoadCounts, store_master_data
from coopcis.apps.demo.net_metering_setup import store_interconnections
from coopcis.apps.demo.network_setup import store_demo_network
from coopcis.apps.demo.outage_setup import store_life_support, store_outage_history
from coopcis.apps.demo.programs_setup import store_programs
from coopcis.apps.demo.readings import (
    IntervalProducer,
    store_interval_meters,
    store_register_meters,
)
from coopcis.apps.demo.synth.classes import demo_tariff_codes
from coopcis.apps.demo.synth.loads import EnergyModel
from coopcis.apps.demo.synth.population import plan_coop
from coopcis.apps.demo.synth.timeline import build_timeline
from coopcis.apps.demo.synth.weather import make_weather
from coopcis.apps.members.models import Account, Party
from coopcis.apps.metering.models import Meter
from coopcis.apps.premises.models import ServicePoint
from coopcis.core.periods import Period, PeriodError
from coopcis.site.commands import CoopCommand

MAX_MEMBERS = 1_000_000
MONTHS_RANGE = (2, 36)
EARLIEST_THROUGH = date(2000, 1, 1)
BAD_ARGUMENT = 2


class Command(CoopCommand):
    help = "Fill an empty database with a synthetic OCEC-like co-op and its meter data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, required=True, help="number of members")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--months", type=int, default=13, help="months of meter data (default 13)"
        )
        parser.add_argument(
            "--through",
            default="",
            help="latest month of data, YYYY-MM (default: latest full month)",
        )

    def run(self, *args: Any, **options: Any) -> str | None:
        members, seed, months = options["members"], options["seed"], options["months"]
        today = timezone.localdate()
        through = _through_month(options["through"], today)
        _check_arguments(members=members, months=months)
        _check_catalog()
        _check_empty()
        start = _months_before(through.start, months - 1)
        started = time.monotonic()
        counts = _load(
            members=members,
            seed=seed,
            start=start,
            end=through.end,
            verbosity=options.get("verbosity", 1),
        )
        elapsed = time.monotonic() - started
        if options.get("verbosity", 1):
            total = sum(counts.rows.values())
            self.stdout.write(
                f"Demo co-op: {members} members, {start:%Y-%m} to {through.start:%Y-%m}, seed {seed}: "
                f"{total:,} rows in {elapsed:.1f} s"
            )
            for label, rows in sorted(counts.rows.items()):
                self.stdout.write(f"  {label:32} {rows:>12,}")
            stages = ", ".join(
                f"{name} {seconds:.1f} s" for name, seconds in counts.seconds.items()
            )
            self.stdout.write(f"  stages: {stages}")
        return None


def _through_month(text: str, today: date) -> Period:
    latest_full = Period.month(today.year, today.month).start - timedelta(1)
    if not text:
        return Period.month(latest_full.year, latest_full.month)
    try:
        through = Period.parse_month(text)
    except PeriodError as error:
        raise CommandError(f"--through: {error}", returncode=BAD_ARGUMENT) from None
    if through.end > today:
        raise CommandError(
            f"--through {text} has not ended yet (today is {today})", returncode=BAD_ARGUMENT
        )
    if through.start < EARLIEST_THROUGH:
        raise CommandError(
            f"--through {text} is before {EARLIEST_THROUGH:%Y-%m}", returncode=BAD_ARGUMENT
        )
    return through


def _check_arguments(*, members: int, months: int) -> None:
    if not 1 <= members <= MAX_MEMBERS:
        raise CommandError(
            f"--members must be between 1 and {MAX_MEMBERS:,}, not {members}",
            returncode=BAD_ARGUMENT,
        )
    low, high = MONTHS_RANGE
    if not low <= months <= high:
        raise CommandError(
            f"--months must be between {low} and {high}, not {months}", returncode=BAD_ARGUMENT
        )


def _check_empty() -> None:
    """The demo numbers members, accounts, service points and meters from the start, so
    it fills only a database without them."""
    held = [
        f"{count:,} {label}"
        for model, label in (
            (Account, "accounts"),
            (Party, "parties"),
            (Meter, "meters"),
            (ServicePoint, "service points"),
        )
        if (count := model.objects.count())
    ]
    if held:
        raise CommandError(
            f"the database already holds {', '.join(held)}; the demo fills an empty database "
            "(use a new COOPCIS_VAR_DIR, or `coopcis flush`)"
        )


def _check_catalog() -> None:
    """Every tariff the demo uses must be in the catalog, or its agreements would be void."""
    try:
        from coopcis.catalog.tariffs import tariff_codes
    except ImportError as error:
        raise CommandError(f"the tariff catalog is not available: {error}") from None
    missing = sorted(set(demo_tariff_codes()) - set(tariff_codes()))
    if missing:
        raise CommandError(f"tariffs missing from the catalog: {', '.join(missing)}")


def _months_before(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def refresh_statistics() -> None:
    """``ANALYZE`` on PostgreSQL after the bulk load: the planner's row counts would
    otherwise still say the tables are empty until autovacuum gets to them, which it may
    never do (it is off on some servers, and it never analyzes a partitioned table's
    parent). Without it the bill run's "already billed?" query took 21.5 ms a batch
    instead of 0.9 ms on 60,000 members. SQLite plans well enough without statistics."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _load(*, members: int, seed: int, start: date, end: date, verbosity: int) -> LoadCounts:
    counts = LoadCounts()
    with tqdm(total=1, unit="meter", desc="demo", disable=None if verbosity else True) as bar:
        with counts.timed("plan"):
            bar.set_postfix_str("planning members")
            plan = plan_coop(members=members, seed=seed, start_date=start, end_date=end)
            timeline = build_timeline(start, end)
            model = EnergyModel(timeline, make_weather(timeline, seed=seed), seed=seed)
        interval_meters = sum(1 for m in plan.meters if m.interval_minutes is not None)
        bar.total = 1 + 2 * len(plan.meters)  # each meter: stored, then read
        bar.update(1)
        producer = IntervalProducer(plan, model)  # starts computing while we store the rest
        try:
            with counts.timed("master data"):
                bar.set_postfix_str("storing members and meters")
                meter_ids = store_master_data(plan, counts)
            bar.update(len(plan.meters))
            with counts.timed("register reads"):
                registers = len(plan.meters) - interval_meters
                bar.set_postfix_str(f"register reads of {registers} meters")
                store_register_meters(plan, model, meter_ids, counts, bar.update)
            with counts.timed("interval data"):
                bar.set_postfix_str(f"interval data of {interval_meters} meters")
                store_interval_meters(plan, producer, timeline, meter_ids, counts, bar.update)
            with counts.timed("billing set-up"):
                counts.rows["billing set-up"] = store_billing_setup(start=start, end=end)
            with counts.timed("net metering"):
                counts.rows["net-metering interconnections"] = store_interconnections()
            with counts.timed("outage history"):
                counts.rows["outage history"] = store_outage_history(seed=seed, end=end)
            with counts.timed("network"):
                counts.rows["network devices"] = store_demo_network(seed=seed)
            with counts.timed("life support"):
                counts.rows["life-support certificates"] = store_life_support(end=end)
            with counts.timed("loans and rebates"):
                counts.rows["loans and rebates"] = store_programs(end=end)
            with counts.timed("board of trustees"):
                counts.rows["board of trustees"] = store_board(end=end)
            with counts.timed("statistics"):
                refresh_statistics()
        finally:
            producer.close()
    return counts
