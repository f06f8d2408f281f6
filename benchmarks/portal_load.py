"""Benchmark: 50 members browsing the portal at once through the production web server.

    .venv/bin/python benchmarks/portal_load.py [--members 20000] [--users 50]
        [--duration 60] [--ramp 10] [--port 9150] [--workers 2] [--threads 4]
        [--postgres | --keep DIR] [--overlap]

Makes a fresh scratch database (``benchmarks/_scratch.py``), migrates it, loads the demo
co-op (``coopcis demo --members N --months 13 --through 2026-10 --seed 1``) and bills
2026-10 as a manager sign-in it adds, then gives ``--users`` members a verified portal
sign-in each (the first accounts by number with a posted bill, every one linked to its
account; the demo loader makes none). It serves the site with ``coopcis serve`` (gunicorn,
``--workers`` x ``--threads``) on 127.0.0.1:``--port`` and runs ``--users`` simulated
members at once for ``--duration`` seconds (starting one after another over the first
``--ramp`` seconds, as people arrive; 0 starts all together), then stops everything
(bounded in time; only the loopback address is ever asked). ``--keep DIR`` prepares SQLite
in DIR once and reuses it on later runs (its cache folder emptied each time, so every run
starts with nothing cached).

Each simulated member signs in through the portal's form (CSRF token and all); when the
last one has signed in (the sign-ins, a deliberately slow password hash each, are timed
apart; ``--overlap`` starts each member browsing from its own sign-in instead, under the
surge), they all browse for ``--duration`` seconds. Each opens a portal link found on the
page it is on (or its account's usage page, or home), waits 0.5-1.5 s as a reader would,
and goes on; downloads and sign-out are left out; on a usage page the chart's daily,
hourly and 15-minute views (of the latest month with interval data) are among the links.
Once, at a moment drawn between a fifth and four fifths of the run, it pays: it opens its
account's pay page and sends the form as drawn (its idempotency key, the amount due filled
in, else $10.00; of a large commercial balance $10,000.00, as cards have a ceiling) with
the simulator's approving card 4242 4242 4242 4242, landing on the payment's own page;
every fifth member sends the same form twice, as a double click does, and must land on the
same payment. After the run the benchmark checks in the database that each payment is
there, posted to the ledger, for its account and amount, and that no account got more
payments than its member made; a payment missing or doubled counts as an error.

Every answer's time to the last byte is kept. It prints one JSON line: requests, errors
(any answer >= 400, a failed connection, a payment not made or not posted), page times
(median, 95th percentile, slowest; the payments' POSTs with their redirect count as
pages) without the sign-ins, the sign-ins apart (a password hash is deliberately slow),
and page times by route (median, p95, slowest). Target (issue 12): p95 under 300 ms for
pages, no error. The figures go into docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2026-10"
PASSWORD = "Bench-Mesa-Portal-2026"
OPERATOR = "bench"
SIGN_IN_WAIT_S = 300  # the longest the members wait for the last one to sign in
SKIP = re.compile(r"download|sign-out|/i18n/|set-up|turn-off|invite|link/")
LINK = re.compile(r'href="(/portal/[^"#?]*)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VIEW = re.compile(r'href="\?view=(daily|hourly|15min)"')
FORM_KEY = re.compile(r'name="idempotency_key" value="([0-9a-f]{32})"')
AMOUNT = re.compile(r'name="amount" value="([^"]*)"')
PAID = re.compile(r"/portal/accounts/([^/]+)/payments/(\d+)/$")
PART_OF_LARGE_BALANCE = Decimal("10000.00")
CARD = {
    "card_number": "4242424242424242",  # the simulator approves it, as processors' test cards
    "expiry": "12/30",
    "cvc": "123",
    "card_name": "Bench Member",
}


def seed_sign_ins(users: int) -> None:
    """Inside the scratch environment: portal sign-ins for the first billed accounts."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopcis.site.settings")
    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.utils import timezone

    from coopcis.apps.billing.models import Bill
    from coopcis.apps.members.models import Account
    from coopcis.apps.portal.models import AccountLink, LinkRole, MemberSignIn

    billed = Bill.objects.filter(status="POSTED", period=PERIOD).values("account_id")
    accounts = list(Account.objects.filter(pk__in=billed).order_by("number")[:users])
    hashed = make_password(PASSWORD)  # once: every benchmark member has the same password
    for index, account in enumerate(accounts):
        email = f"member{index:03d}@bench.example"
        if User.objects.filter(username=email).exists():  # a kept database (--keep)
            print(f"{email} {account.number}")
            continue
        user = User.objects.create(username=email, email=email, password=hashed)
        MemberSignIn.objects.create(user=user, email_verified_at=timezone.now())
        AccountLink.objects.create(user=user, account=account, role=LinkRole.HOLDER)
        print(f"{email} {account.number}")


def check_payments(claimed: list[tuple[str, int, str]], since: str) -> None:
    """Inside the scratch environment: each payment the members saw (account number, id,
    amount) is in the database, posted with its journal entry, for that account and
    amount; and their accounts got no other payment since the run started (a double
    submit paid once). Prints one JSON line of what is wrong."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopcis.site.settings")
    django.setup()
    from datetime import datetime
    from decimal import Decimal

    from coopcis.apps.payments.models import Payment, PaymentStatus

    problems = []
    ids = {payment_id for _, payment_id, _ in claimed}
    found = {p.pk: p for p in Payment.objects.filter(pk__in=ids).select_related("account")}
    for number, payment_id, amount in claimed:
        payment = found.get(payment_id)
        if payment is None:
            problems.append(f"payment {payment_id} not in the database")
        elif payment.account.number != number or payment.amount != Decimal(amount):
            problems.append(f"payment {payment_id}: {payment.account.number} {payment.amount}")
        elif payment.status != PaymentStatus.POSTED or payment.journal_entry_id is None:
            problems.append(f"payment {payment_id} not posted ({payment.status})")
    others = Payment.objects.filter(
        account__number__in={number for number, _, _ in claimed},
        received_at__gte=datetime.fromisoformat(since),
    ).exclude(pk__in=ids)
    problems += [f"payment {p.pk} made but not seen by its member" for p in others]
    posted = sum((p.amount for p in found.values()), Decimal(0))
    print(json.dumps({"payments": len(found), "total": str(posted), "problems": problems}))


class Clock:
    """When the browsing starts and ends: at once (``--overlap``), or when the last member
    has signed in (a barrier every member waits at after its sign-in)."""

    def __init__(self, members: int, duration: float, *, overlap: bool) -> None:
        self.duration = duration
        self.barrier = None if overlap else threading.Barrier(members, action=self.start)
        self.started = self.deadline = 0.0
        if overlap:
            self.start()

    def start(self) -> None:
        self.started = time.time()
        self.deadline = self.started + self.duration

    def wait(self) -> bool:
        if self.barrier is None:
            return True
        try:
            self.barrier.wait(timeout=SIGN_IN_WAIT_S)
        except threading.BrokenBarrierError:
            return False
        return True


class Member(threading.Thread):
    def __init__(
        self, base: str, email: str, number: str, clock: Clock, seed: int, delay: float
    ) -> None:
        super().__init__(daemon=True)
        self.delay = delay
        self.base, self.email, self.number, self.clock = base, email, number, clock
        self.random = random.Random(seed)
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.samples: list[tuple[str, float, int]] = []  # (route, ms, status)
        self.url = ""  # where the latest answer came from (after redirects)
        # pays once, between a fifth and four fifths of the run; every fifth one twice
        self.pay_share = self.random.uniform(0.2, 0.8)
        self.double_submit = seed % 5 == 0
        self.payments: list[tuple[str, int, str]] = []  # (account number, id, amount)
        self.payment_problems: list[str] = []

    def fetch(self, path: str, data: dict[str, str] | None = None, route: str = "") -> str:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=30) as response:
                text = response.read().decode("utf-8", "replace")
                status = response.status
                self.url = response.geturl()
        except urllib.error.HTTPError as error:
            text, status, self.url = "", error.code, ""
        except OSError:
            text, status, self.url = "", 0, ""
        elapsed = (time.perf_counter() - started) * 1000
        self.samples.append((route or re.sub(r"/\d+(?=/)", "/N", path), elapsed, status))
        return text

    def pay(self) -> str:
        """The pay page, then its form sent with the approving card (twice for a double
        submitter: the same key must land on the same payment)."""
        path = f"/portal/accounts/{self.number}/pay/"
        form = self.fetch(path)
        key, token, amount = FORM_KEY.search(form), CSRF.search(form), AMOUNT.search(form)
        if key is None or token is None:
            self.payment_problems.append(f"{self.number}: no pay form")
            return form
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "idempotency_key": key.group(1),
            "amount": pay_amount(amount.group(1) if amount else ""),
            **CARD,
        }
        landed = []
        for _ in range(2 if self.double_submit else 1):
            time.sleep(self.random.uniform(0.5, 1.5) if not landed else 0.1)
            page = self.fetch(path, data, route="pay (POST card, then the payment page)")
            paid = PAID.search(urllib.parse.urlsplit(self.url).path)
            if paid is None:
                self.payment_problems.append(f"{self.number}: paying ended at {self.url!r}")
                return page
            landed.append(int(paid.group(2)))
        if len(set(landed)) != 1:
            self.payment_problems.append(f"{self.number}: one form paid twice {landed}")
        self.payments.append((self.number, landed[0], data["amount"].replace(",", "")))
        return page

    def run(self) -> None:
        time.sleep(self.delay)
        form = self.fetch("/portal/sign-in/", route="sign-in form")
        token = CSRF.search(form)
        data = {"email": self.email, "password": PASSWORD, "csrfmiddlewaretoken": ""}
        data["csrfmiddlewaretoken"] = token.group(1) if token else ""
        page = self.fetch("/portal/sign-in/", data, route="sign-in (POST, password hash)")
        if not self.clock.wait():
            self.payment_problems.append(f"{self.number}: the others did not sign in")
            return
        entry = [f"/portal/accounts/{self.number}/usage/", "/portal/"]
        pay_at = self.clock.started + self.clock.duration * self.pay_share
        while time.time() < self.clock.deadline:
            if pay_at and time.time() >= pay_at:
                pay_at = 0.0
                page = self.pay()
                continue
            links = [link for link in LINK.findall(page) if not SKIP.search(link)]
            if self.url.endswith("/usage/") or "/usage/?view=" in self.url:
                # the chart's views: daily, hourly and 15-minute (a whole month, 2,976 rows)
                usage = urllib.parse.urlsplit(self.url).path
                links += [f"{usage}?view={view}" for view in VIEW.findall(page)]
            choice = self.random.random()
            if links and choice < 0.7:
                path = self.random.choice(links)
            else:
                path = entry[0] if choice < 0.85 else entry[1]
            time.sleep(self.random.uniform(0.5, 1.5))
            if time.time() >= self.clock.deadline:
                break
            page = self.fetch(path)


def pay_amount(due: str) -> str:
    """The amount due as the form fills it in, $10.00 when nothing is due, and a part of a
    large commercial balance ($10,000.00: a card payment has a ceiling, $50,000.00 online;
    such accounts pay the rest by bank)."""
    amount = Decimal(due.replace(",", "") or "0")
    if amount <= 0:
        return "10.00"
    return f"{min(amount, PART_OF_LARGE_BALANCE):.2f}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(len(ordered) * share) - 1)] if ordered else 0.0


def summary(
    members: list[Member], duration: float, payment_problems: list[str]
) -> dict[str, object]:
    samples = [sample for member in members for sample in member.samples]
    pages = [s for s in samples if not s[0].startswith("sign-in")]
    sign_ins = [s for s in samples if s[0].startswith("sign-in (POST")]
    errors = [s for s in samples if s[2] >= 400 or s[2] == 0]
    payments = [payment for member in members for payment in member.payments]
    by_route: dict[str, list[float]] = {}
    for route, ms, _status in pages:
        by_route.setdefault(route, []).append(ms)
    page_ms = [ms for _, ms, _ in pages]
    return {
        "members": len(members),
        "duration_s": duration,
        "requests": len(samples),
        "pages_per_s": round(len(pages) / duration, 1),
        "errors": len(errors) + len(payment_problems),
        "error_examples": sorted({f"{s[0]} -> {s[2]}" for s in errors})[:10]
        + payment_problems[:10],
        "payments": {
            "made": len(payments),
            "double_submits": sum(1 for m in members if m.double_submit and m.payments),
            "total": str(sum(Decimal(amount) for _, _, amount in payments)),
        },
        "pages": {
            "count": len(page_ms),
            "median_ms": round(statistics.median(page_ms), 1) if page_ms else None,
            "p95_ms": round(percentile(page_ms, 0.95), 1),
            "max_ms": round(max(page_ms), 1) if page_ms else None,
        },
        "sign_in_post": {
            "count": len(sign_ins),
            "median_ms": round(statistics.median([s[1] for s in sign_ins]), 1),
            "p95_ms": round(percentile([s[1] for s in sign_ins], 0.95), 1),
        },
        "by_route": {
            route: {
                "count": len(times),
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(times, 0.95), 1),
                "max_ms": round(max(times), 1),
            }
            for route, times in sorted(by_route.items(), key=lambda item: -len(item[1]))
        },
        "load_average": [round(value, 2) for value in os.getloadavg()],
        # the simulated members share the machine's cores with the server
        "members_cpu_s": round(time.process_time(), 1),
        "cpus": os.cpu_count(),
    }


@contextmanager
def kept_env(folder: str) -> Iterator[dict[str, str]]:
    """The caller's environment without its ``COOPCIS_`` settings, SQLite in ``folder``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("COOPCIS_")}
    env["COOPCIS_VAR_DIR"] = str(Path(folder).resolve())
    yield env


def wait_until_serving(base: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"coopcis serve stopped (exit {server.returncode})")
        try:
            with urllib.request.urlopen(base + "/portal/sign-in/", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"coopcis serve did not answer within {seconds:.0f} s")


def run(coopcis: str, *words: str, env: dict[str, str]) -> str:
    started = time.perf_counter()
    result = subprocess.run(
        [coopcis, *words], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    print(f"+ coopcis {' '.join(words)}  ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20000, help="demo co-op size")
    parser.add_argument("--users", type=int, default=50, help="members browsing at once")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--ramp", type=float, default=10.0, help="seconds to start them all")
    parser.add_argument("--port", type=int, default=9150)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument(
        "--overlap",
        action="store_true",
        help="browse from each member's own sign-in (the sign-in surge under the pages)",
    )
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="SQLite in DIR, prepared on the first run and reused by the next ones",
    )
    parser.add_argument("--seed-sign-ins", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--check-payments", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_sign_ins:
        seed_sign_ins(args.seed_sign_ins)
        return
    if args.check_payments:
        claimed = json.loads(Path(args.check_payments).read_text())
        check_payments([tuple(row) for row in claimed["payments"]], claimed["since"])
        return
    if not 0 < args.duration <= 600:
        raise SystemExit("--duration: between 1 and 600 seconds")
    if args.keep and args.postgres:
        raise SystemExit("--keep: SQLite only (the PostgreSQL scratch database is dropped)")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _scratch import scratch_env

    coopcis = str(Path(sys.executable).with_name("coopcis"))
    with kept_env(args.keep) if args.keep else scratch_env(postgres=args.postgres) as env:
        env["COOPCIS_OPERATOR"] = OPERATOR
        prepared = Path(env["COOPCIS_VAR_DIR"]) / f"prepared-{args.members}"
        run(coopcis, "migrate", "-v", "0", env=env)  # a kept database: newer migrations
        if not prepared.exists():
            run(coopcis, "staff", "add", OPERATOR, "--role", "manager", env=env)
            run(coopcis, "demo", "--members", str(args.members), "--months", "13",
                "--through", PERIOD, "--seed", "1", env=env)  # fmt: skip
            run(coopcis, "bill-run", "--period", PERIOD, env=env)
            prepared.touch()
        # every run starts with nothing cached: the first visits compute, as on a new day
        shutil.rmtree(Path(env["COOPCIS_VAR_DIR"]) / "cache", ignore_errors=True)
        seeded = subprocess.run(
            [sys.executable, __file__, "--seed-sign-ins", str(args.users)],
            env=env, cwd=ROOT, check=True, capture_output=True, text=True,
        )  # fmt: skip
        sign_ins = [line.split() for line in seeded.stdout.splitlines() if "@" in line]
        base = f"http://127.0.0.1:{args.port}"
        errors = Path(env["COOPCIS_VAR_DIR"]) / "serve-errors.log"
        error_log = errors.open("wb")
        server = subprocess.Popen(
            [coopcis, "serve", "--host", "127.0.0.1", "--port", str(args.port),
             "--workers", str(args.workers), "--threads", str(args.threads),
             "--access-log", os.devnull],
            env=env, cwd=ROOT, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=error_log,
        )  # fmt: skip
        try:
            wait_until_serving(base, server)
            since = datetime.now(UTC).isoformat()
            clock = Clock(len(sign_ins), args.duration, overlap=args.overlap)
            step = args.ramp / max(1, len(sign_ins))
            members = [
                Member(base, email, number, clock, seed, delay=seed * step)
                for seed, (email, number) in enumerate(sign_ins)
            ]
            for member in members:
                member.start()
            for member in members:
                member.join(timeout=args.ramp + SIGN_IN_WAIT_S + args.duration + 60)
            problems = [problem for member in members for problem in member.payment_problems]
            problems += [f"{m.number}: did not pay" for m in members if not m.payments]
            claimed = Path(env["COOPCIS_VAR_DIR"]) / "payments.json"
            payments = [payment for member in members for payment in member.payments]
            claimed.write_text(json.dumps({"payments": payments, "since": since}))
            checked = subprocess.run(
                [sys.executable, __file__, "--check-payments", str(claimed)],
                env=env, cwd=ROOT, check=True, capture_output=True, text=True,
            )  # fmt: skip
            in_database = json.loads(checked.stdout.splitlines()[-1])
            problems += in_database["problems"]
            result = summary(members, args.duration, problems)
            result["payments"]["posted_in_database"] = in_database["payments"]  # type: ignore[index]
            result.update(
                database="postgresql" if args.postgres else "sqlite",
                demo_members=args.members,
                gunicorn=f"{args.workers} workers x {args.threads} threads",
                ramp_s=args.ramp,
                sign_ins_first=not args.overlap,
            )
            print(json.dumps(result))
            if result["errors"]:
                print(errors.read_text(errors="replace")[-4000:], file=sys.stderr)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
            error_log.close()


if __name__ == "__main__":
    main()
