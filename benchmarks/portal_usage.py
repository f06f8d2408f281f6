"""Benchmark: the member portal's 15-minute usage view of one month for one meter.

    .venv/bin/python benchmarks/portal_usage.py [--runs 20] [--postgres]

Makes a fresh scratch database (``benchmarks/_scratch.py``: SQLite in a temporary
folder, or with ``--postgres`` a new database on 127.0.0.1:5432, dropped afterwards),
migrates it, and stores one residential member with one 15-minute meter and 13 months of
interval data (one block per UTC day, as imports and the demo store it). Signed in as that
member (Django's test client, the whole request through the middleware, the view, the
template and the SVG), it asks ``/portal/accounts/N/usage/?view=15min&month=2026-10``
(2,976 intervals) ``--runs`` times after one warm-up, and prints one JSON line: median,
95th percentile and slowest in milliseconds, and the page's size. Target (issue 12):
under 300 ms. The figures go into docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MONTH = "2026-10"


def _seed() -> str:
    from datetime import UTC, date, datetime
    from datetime import time as clock

    from django.contrib.auth.models import User
    from django.utils import timezone

    from coopcis.apps.members.models import Account, Party
    from coopcis.apps.metering.models import IntervalBlock, Meter, MeterInstallation
    from coopcis.apps.portal.models import AccountLink, LinkRole, MemberSignIn
    from coopcis.apps.premises.models import Premise, ServiceAgreement, ServicePoint
    from coopcis.core.periods import CO_OP_TIME_ZONE

    party = Party.objects.create(kind="PERSON", first_name="Ana", last_name="Benchmark")
    account = Account.objects.create(
        number="9000001", party=party, rate_class="RESIDENTIAL", opened_on=date(2024, 1, 1),
        mailing_line1="1 Mesa Rd", mailing_city="Alamogordo", mailing_zip="88310",
    )  # fmt: skip
    premise = Premise.objects.create(
        kind="RESIDENCE", line1="1 Mesa Rd", city="Alamogordo", zip_code="88310",
        county="Otero", district="SW",
    )  # fmt: skip
    point = ServicePoint.objects.create(
        premise=premise, code="SP-BENCH", kind="METERED", feeder="F1", transformer="T1"
    )
    ServiceAgreement.objects.create(
        account=account, service_point=point, tariff_code="ocec-res-tou", start_on=date(2024, 1, 1)
    )
    meter = Meter.objects.create(serial="AMI-BENCH", kind="AMI_INTERVAL", interval_minutes=15)
    MeterInstallation.objects.create(
        meter=meter, service_point=point, installed_on=date(2024, 1, 1)
    )
    low = int(datetime.combine(date(2025, 10, 1), clock(0), tzinfo=CO_OP_TIME_ZONE).timestamp())
    high = int(datetime.combine(date(2026, 11, 1), clock(0), tzinfo=CO_OP_TIME_ZONE).timestamp())
    days: dict[date, list[int]] = {}
    for at in range(low, high, 900):
        days.setdefault(datetime.fromtimestamp(at, UTC).date(), []).append(at)
    IntervalBlock.objects.bulk_create(
        IntervalBlock(
            meter=meter,
            start_at=datetime.fromtimestamp(starts[0], UTC),
            interval_minutes=15,
            count=len(starts),
            values_wh=IntervalBlock.pack([120 + (at // 900) % 400 for at in starts]),
        )
        for starts in days.values()
    )
    user = User.objects.create_user(username="ana@example.org", email="ana@example.org")
    MemberSignIn.objects.create(user=user, email_verified_at=timezone.now())
    AccountLink.objects.create(user=user, account=account, role=LinkRole.HOLDER)
    return account.number


def inside(runs: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopcis.site.settings")
    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client

    number = _seed()
    client = Client()
    client.force_login(User.objects.get(username="ana@example.org"))
    url = f"/portal/accounts/{number}/usage/?view=15min&month={MONTH}"
    first = client.get(url)
    assert first.status_code == 200, first.status_code
    assert first.content.count(b'<tr><th scope="row">') == 2976, "not a month of intervals"
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    times.sort()
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "intervals": 2976,
                "runs": runs,
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
                "max_ms": round(times[-1], 1),
                "page_bytes": len(first.content),
                "load_average": [round(value, 2) for value in os.getloadavg()],
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        inside(args.runs)
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _scratch import scratch_env

    coopcis = str(Path(sys.executable).with_name("coopcis"))
    with scratch_env(postgres=args.postgres) as env:
        subprocess.run([coopcis, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
        command = [sys.executable, __file__, "--inside", "--runs", str(args.runs)]
        subprocess.run(command, env=env, check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
