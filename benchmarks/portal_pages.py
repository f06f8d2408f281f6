"""Benchmark: what each member portal page costs alone, in CPU time and queries.

    .venv/bin/python benchmarks/portal_pages.py --keep DIR [--account N] [--runs 5]

On the database ``benchmarks/portal_load.py --keep DIR`` prepared (the 20,000-member demo
billed for 2026-10), one member signed in to one account (the first billed account by
number unless ``--account``; a sign-in the benchmark adds once) asks every page a member
browses through Django's test client (middleware, view, template), one after another:
every page ``--runs`` times after its first, a $1.00 card payment through the pay form
(the gateway simulator; it posts), and the rate comparison twice with the cache emptied
first (computed, then kept). It prints one line per page: this process's CPU
milliseconds (the first request and the median of the others), the wall milliseconds
(median), the queries and the size. CPU time does not grow when other work shares the
machine as wall time does: it says what the 2 cores must give each page under load. The
figures go into docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2026-10"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", metavar="DIR", required=True, help="portal_load.py's --keep")
    parser.add_argument("--account", help="account number (default: the first billed one)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not (Path(args.keep) / "coopcis.sqlite3").exists():
        raise SystemExit(f"--keep: no database in {args.keep} (run portal_load.py --keep first)")
    for key in [key for key in os.environ if key.startswith("COOPCIS_")]:
        del os.environ[key]
    os.environ["COOPCIS_VAR_DIR"] = str(Path(args.keep).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopcis.site.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from coopcis.apps.billing.models import Bill
    from coopcis.apps.members.models import Account
    from coopcis.apps.portal.models import AccountLink, LinkRole, MemberSignIn

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # the receipt is kept in memory rather than printed over the figures
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    billed = Bill.objects.filter(status="POSTED", period=PERIOD)
    if args.account:
        account = Account.objects.get(number=args.account)
    else:
        account = Account.objects.filter(pk__in=billed.values("account_id")).order_by("number")[0]
    email = f"pages-{account.number}@bench.example"
    user = User.objects.filter(username=email).first()
    if user is None:
        user = User.objects.create(username=email, email=email)
        MemberSignIn.objects.create(user=user, email_verified_at=timezone.now())
        AccountLink.objects.create(user=user, account=account, role=LinkRole.HOLDER)
    client = Client()
    client.force_login(user)
    at = f"/portal/accounts/{account.number}/"
    bill = billed.filter(account=account).first()
    pages = [
        "/portal/",
        at,
        f"{at}usage/",
        f"{at}usage/?view=daily",
        f"{at}usage/?view=hourly",
        f"{at}usage/?view=15min&month={PERIOD}",
        f"{at}usage/alerts/",
        *([f"{at}bills/{bill.pk}/"] if bill else []),
        f"{at}pay/",
        f"{at}autopay/",
        f"{at}arrangement/",
        f"{at}capital-credits/",
        f"{at}meetings/",
        f"{at}loans/",
        f"{at}rebates/",
        f"{at}net-metering/",
        f"{at}service/",
        "/portal/notifications/",
        "/portal/security/two-step/",
    ]
    print(f"account {account.number}; CPU and wall in ms; {sys.version.split()[0]}")
    print(f"{'page':58} {'cpu 1st':>8} {'cpu med':>8} {'wall med':>9} {'queries':>8} {'KB':>5}")

    def ask(path: str) -> tuple[float, float, int, int, int]:
        with CaptureQueriesContext(connection) as queries:
            cpu, wall = time.process_time(), time.perf_counter()
            response = client.get(path)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        return cpu * 1000, wall * 1000, len(queries), len(response.content), response.status_code

    for path in pages:
        first = ask(path)
        rest = [ask(path) for _ in range(args.runs)]
        line = f"{path.replace(account.number, 'N'):58} {first[0]:8.1f}"
        line += f" {statistics.median(r[0] for r in rest):8.1f}"
        line += f" {statistics.median(r[1] for r in rest):9.1f} {rest[-1][2]:8d}"
        print(
            f"{line} {rest[-1][3] // 1024:5d}" + ("" if first[4] == 200 else f"  HTTP {first[4]}")
        )
    form = client.get(f"{at}pay/").content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', form)
    assert key is not None, "no pay form"
    card = {"card_number": "4242424242424242", "expiry": "12/30", "cvc": "123", "card_name": "B"}
    with CaptureQueriesContext(connection) as queries:
        cpu, wall = time.process_time(), time.perf_counter()
        paid = client.post(f"{at}pay/", {"idempotency_key": key.group(1), "amount": "1.00", **card})
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert paid.status_code == 302 and "/payments/" in paid["Location"], paid.status_code
    name = "pay/ POST: card $1.00, posted (then a redirect)"
    print(f"{name:58} {cpu * 1000:8.1f} {'':8} {wall * 1000:9.1f} {len(queries):8d}")
    cache.clear()
    computed, kept = ask(f"{at}usage/rates/"), ask(f"{at}usage/rates/")
    for name, result in (("usage/rates/ computed (cache empty)", computed), ("usage/rates/ from the cache", kept)):  # fmt: skip
        print(
            f"{name:58} {result[0]:8.1f} {'':8} {result[1]:9.1f} {result[2]:8d} {result[3] // 1024:5d}"
        )
    print(f"load average {' '.join(f'{v:.1f}' for v in os.getloadavg())}, {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
