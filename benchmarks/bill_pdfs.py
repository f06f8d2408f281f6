"""Benchmark: ``coopcis bills print`` for 20,000 bills, timed as a whole process.

    .venv/bin/python benchmarks/bill_pdfs.py [--bills 20000] [--processes 2] [--keep DIR]

Builds a fresh SQLite database under a temporary ``COOPCIS_VAR_DIR`` (``coopcis
migrate``), then bulk-creates, with a fixed seed: one account, premise, service point
and agreement per bill; the March 2026 bills, priced by the rating engine itself (OCEC
residential flat for 85%, general service with demand for 15%; the month's PCA and DCA
factors and a 6.875% gross receipts tax; 5% estimated; 20% Spanish; 15% paperless); and
12 earlier monthly bills per service point for the usage chart (energy and amounts, no
lines: the printer reads only their energy). Then it runs ``coopcis bills print
--period 2026-03`` as a subprocess and reports its wall time, PDFs per second, pages
and total size. The figures go into docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COOPCIS = ROOT / ".venv" / "bin" / "coopcis"
PERIOD = "2026-03"
SEED = 20260301
BATCH = 2000
FIRST_NAMES = ("Maria", "José", "Ana", "Robert", "Linda", "Carlos", "Rosa", "James", "Elena")
LAST_NAMES = ("Baca", "Chávez", "Sánchez", "Smith", "Lucero", "Otero", "Montoya", "García")
TOWNS = (("Cloudcroft", "88317"), ("Alto", "88312"), ("Carrizozo", "88301"),
         ("Mayhill", "88339"), ("La Luz", "88337"), ("Tularosa", "88352"))  # fmt: skip


def months_back(period: str, count: int) -> list[str]:
    index = int(period[:4]) * 12 + int(period[5:7]) - 1
    return [f"{(index - n) // 12:04d}-{(index - n) % 12 + 1:02d}" for n in range(count, 0, -1)]


def read_dates(period: str) -> tuple[date, date]:
    year, month = int(period[:4]), int(period[5:7])
    end = date(year, month, 5)
    return date(year - (month == 1), (month - 2) % 12 + 1, 5), end


def populate(count: int) -> None:
    """Master data and bills, bulk-inserted (no audit trail: this is a benchmark)."""
    import django

    django.setup()
    from django.db import transaction

    from coopcis.apps.billing.models import Bill, BillLineItem
    from coopcis.apps.members.models import Account, Party
    from coopcis.apps.premises.models import Premise, ServiceAgreement, ServicePoint
    from coopcis.catalog.tariffs import load_tariff
    from coopcis.core.periods import Period
    from coopcis.core.rating.determinants import Determinants, hours_in_period
    from coopcis.core.rating.engine import rate_bill
    from coopcis.core.rating.riders import Riders, TaxRate

    rng = random.Random(SEED)
    tariffs = {code: load_tariff(code) for code in ("ocec-res", "ocec-gs")}
    riders = Riders(
        factors_per_kwh={"pca": Decimal("0.012345"), "dca": Decimal("0.0021")},
        taxes=(TaxRate(name="Gross receipts tax", rate=Decimal("0.06875")),),
    )
    start, end = read_dates(PERIOD)
    period = Period(start, end)
    hours = hours_in_period(period)
    history = months_back(PERIOD, 12)
    for offset in range(0, count, BATCH):
        size = min(BATCH, count - offset)
        with transaction.atomic():
            parties, accounts, premises, points = [], [], [], []
            for n in range(offset, offset + size):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                town, zip_code = rng.choice(TOWNS)
                parties.append(Party(kind="PERSON", first_name=first, last_name=last,
                                     display_name=f"{last}, {first}"))  # fmt: skip
                premises.append(Premise(kind="RESIDENCE", line1=f"{100 + n} Hwy 82",
                                        city=town, zip_code=zip_code, county="Otero",
                                        district="CN", search_text=f"{100 + n} HWY 82"))  # fmt: skip
            Party.objects.bulk_create(parties)
            Premise.objects.bulk_create(premises)
            for n, (party, premise) in enumerate(zip(parties, premises, strict=True), offset):
                accounts.append(Account(
                    number=str(3_000_000 + n), party=party, rate_class="RESIDENTIAL",
                    opened_on=date(2015, 1, 1), language="ES" if rng.random() < 0.2 else "EN",
                    paperless=rng.random() < 0.15, autopay=rng.random() < 0.1,
                    mailing_line1=f"PO Box {n % 9000 + 100}", mailing_city=premise.city,
                    mailing_zip=premise.zip_code,
                ))  # fmt: skip
                points.append(ServicePoint(premise=premise, code=f"SP{n:07d}", kind="METERED",
                                           feeder="CC-1", transformer=f"T{n:06d}"))  # fmt: skip
            Account.objects.bulk_create(accounts)
            ServicePoint.objects.bulk_create(points)
            agreements = [
                ServiceAgreement(account=account, service_point=point,
                                 tariff_code="ocec-gs" if rng.random() < 0.15 else "ocec-res",
                                 start_on=date(2015, 1, 1))
                for account, point in zip(accounts, points, strict=True)
            ]  # fmt: skip
            ServiceAgreement.objects.bulk_create(agreements)
            bills, lines = [], []
            for agreement in agreements:
                base_kwh = rng.randint(300, 1600)
                for month in [*history, PERIOD]:
                    month_start, month_end = read_dates(month)
                    kwh = int(base_kwh * rng.uniform(0.6, 1.5))
                    estimated = month == PERIOD and rng.random() < 0.05
                    rated, demand_kw = None, Decimal(rng.randint(5, 40))
                    if month == PERIOD:
                        determinants = Determinants(
                            period=period, hours=hours, energy_kwh=Decimal(kwh),
                            demand_kw=demand_kw,
                        )  # fmt: skip
                        rated = rate_bill(tariff=tariffs[agreement.tariff_code],
                                          determinants=determinants, riders=riders)  # fmt: skip
                    total = rated.total.amount if rated else Decimal(kwh) * Decimal("0.17")
                    total = total.quantize(Decimal("0.01"))
                    previous = Decimal(rng.randint(0, 30000)) / 100
                    bill = Bill(
                        account=agreement.account, service_point=agreement.service_point,
                        agreement=agreement, period=month, period_start=month_start,
                        period_end=month_end, bill_date=month_end + timedelta(days=3),
                        due_date=month_end + timedelta(days=23),
                        tariff_code=agreement.tariff_code, status="POSTED", estimated=estimated,
                        meter_serial=f"M{agreement.service_point.code[2:]}",
                        previous_register_wh=40_000_000, current_register_wh=40_000_000 + kwh * 1000,
                        previous_read_kind="ACTUAL",
                        current_read_kind="ESTIMATED" if estimated else "ACTUAL",
                        energy_wh=kwh * 1000, total_amount=total,
                        demand_kw=demand_kw if agreement.tariff_code == "ocec-gs" else None, previous_balance_amount=previous,
                        payments_amount=previous, amount_due_amount=total,
                    )  # fmt: skip
                    bills.append((bill, rated))
            Bill.objects.bulk_create([bill for bill, _ in bills])
            for bill, rated in bills:
                if rated is None:
                    continue
                lines.extend(
                    BillLineItem(bill=bill, position=position, code=line.code,
                                 description=line.description, quantity=line.quantity,
                                 unit=line.unit, rate=line.rate, amount=line.amount.amount,
                                 source=line.source)
                    for position, line in enumerate(rated.lines, start=1)
                )  # fmt: skip
            BillLineItem.objects.bulk_create(lines)
        print(f"  {offset + size:,} / {count:,} service points", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bills", type=int, default=20_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--keep", help="build (or reuse) the database in this folder")
    args = parser.parse_args()
    var = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="coopcis-bench-"))
    environment = {**os.environ, "COOPCIS_VAR_DIR": str(var)}
    environment.pop("COOPCIS_DATABASE_URL", None)
    os.environ.update(
        {"COOPCIS_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "coopcis.site.settings"}
    )
    os.environ.pop("COOPCIS_DATABASE_URL", None)
    try:
        if not (var / "coopcis.sqlite3").exists():
            started = time.perf_counter()
            subprocess.run([str(COOPCIS), "migrate", "-v", "0"], env=environment, check=True)
            populate(args.bills)
            print(f"setup: {time.perf_counter() - started:,.1f} s", file=sys.stderr)
        out = var / "print"
        shutil.rmtree(out, ignore_errors=True)
        command = [str(COOPCIS), "bills", "print", "--period", PERIOD, "--out", str(out),
                   "--processes", str(args.processes)]  # fmt: skip
        load_before = os.getloadavg()[0]
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, env=environment, check=True)
        seconds = time.perf_counter() - started
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (
            cpu_before.ru_utime + cpu_before.ru_stime
        )
        files = list(out.glob("*.pdf"))
        size = sum(path.stat().st_size for path in files)
        with (out / f"manifest-{PERIOD}.csv").open(encoding="utf-8") as manifest:
            rows = list(csv.DictReader(manifest))
        print(
            f"command: coopcis bills print --period {PERIOD} --out DIR --processes {args.processes}"
        )
        print(f"PDFs: {len(files):,}; manifest rows: {len(rows):,}; "
              f"pages in manifest: {sum(int(row['pages']) for row in rows):,}")  # fmt: skip
        print(f"wall time: {seconds:,.1f} s; {len(files) / seconds:,.1f} PDFs/s")
        print(f"total size: {size / 1e6:,.1f} MB ({size / len(files) / 1e3:,.1f} kB a bill)")
        print(f"CPU time of the command and its processes: {cpu:,.1f} s "
              f"({cpu / len(files) * 1000:,.1f} ms a bill)")  # fmt: skip
        print(f"cores: {os.cpu_count()}; 1-minute load average before: {load_before:.2f}, "
              f"after: {os.getloadavg()[0]:.2f}")  # fmt: skip
    finally:
        if not args.keep:
            shutil.rmtree(var, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
