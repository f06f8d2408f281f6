"""Benchmark: 50 members browsing the portal at once through the production web server.

    .venv/bin/python benchmarks/portal_load.py [--members 20000] [--users 50]
        [--duration 60] [--ramp 10] [--port 9150] [--workers 2] [--threads 4] [--postgres]

Makes a fresh scratch database (``benchmarks/_scratch.py``), migrates it, loads the demo
co-op (``coopcis demo --members N --months 13 --through 2026-10 --seed 1``) and bills
2026-10 as a manager sign-in it adds, then gives ``--users`` members a verified portal
sign-in each (the first accounts by number with a posted bill, every one linked to its
account; the demo loader makes none). It serves the site with ``coopcis serve`` (gunicorn,
``--workers`` x ``--threads``) on 127.0.0.1:``--port`` and runs ``--users`` simulated
members at once for ``--duration`` seconds (starting one after another over the first
``--ramp`` seconds, as people arrive; 0 starts all together), then stops everything (bounded in time; only
the loopback address is ever asked).

Each simulated member signs in through the portal's form (CSRF token and all), then
browses: it opens a portal link found on the page it is on (or its account's usage page,
or home), waits 0.5-1.5 s as a reader would, and goes on; downloads and sign-out are left
out. Every answer's time to the last byte is kept. It prints one JSON line: requests,
errors (any answer >= 400 or a failed connection), page times (median, 95th percentile,
slowest) without the sign-ins, the sign-ins apart (a password hash is deliberately slow),
and page times by route. Target (issue 12): p95 under 300 ms for pages, no error.
The figures go into docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2026-10"
PASSWORD = "Bench-Mesa-Portal-2026"
OPERATOR = "bench"
SKIP = re.compile(r"download|sign-out|/i18n/|set-up|turn-off|invite|link/")
LINK = re.compile(r'href="(/portal/[^"#?]*)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


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
        user = User.objects.create(username=email, email=email, password=hashed)
        MemberSignIn.objects.create(user=user, email_verified_at=timezone.now())
        AccountLink.objects.create(user=user, account=account, role=LinkRole.HOLDER)
        print(f"{email} {account.number}")


class Member(threading.Thread):
    def __init__(
        self, base: str, email: str, number: str, deadline: float, seed: int, delay: float
    ) -> None:
        super().__init__(daemon=True)
        self.delay = delay
        self.base, self.email, self.number, self.deadline = base, email, number, deadline
        self.random = random.Random(seed)
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.samples: list[tuple[str, float, int]] = []  # (route, ms, status)

    def fetch(self, path: str, data: dict[str, str] | None = None, route: str = "") -> str:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=30) as response:
                text = response.read().decode("utf-8", "replace")
                status = response.status
        except urllib.error.HTTPError as error:
            text, status = "", error.code
        except OSError:
            text, status = "", 0
        elapsed = (time.perf_counter() - started) * 1000
        self.samples.append((route or re.sub(r"/\d+(?=/)", "/N", path), elapsed, status))
        return text

    def run(self) -> None:
        time.sleep(self.delay)
        form = self.fetch("/portal/sign-in/", route="sign-in form")
        token = CSRF.search(form)
        data = {"email": self.email, "password": PASSWORD, "csrfmiddlewaretoken": ""}
        data["csrfmiddlewaretoken"] = token.group(1) if token else ""
        page = self.fetch("/portal/sign-in/", data, route="sign-in (POST, password hash)")
        entry = [f"/portal/accounts/{self.number}/usage/", "/portal/"]
        while time.time() < self.deadline:
            links = [link for link in LINK.findall(page) if not SKIP.search(link)]
            choice = self.random.random()
            if links and choice < 0.7:
                path = self.random.choice(links)
            else:
                path = entry[0] if choice < 0.85 else entry[1]
            time.sleep(self.random.uniform(0.5, 1.5))
            if time.time() >= self.deadline:
                break
            page = self.fetch(path)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(len(ordered) * share) - 1)] if ordered else 0.0


def summary(members: list[Member], duration: float) -> dict[str, object]:
    samples = [sample for member in members for sample in member.samples]
    pages = [s for s in samples if not s[0].startswith("sign-in")]
    sign_ins = [s for s in samples if s[0].startswith("sign-in (POST")]
    errors = [s for s in samples if s[2] >= 400 or s[2] == 0]
    by_route: dict[str, list[float]] = {}
    for route, ms, _status in pages:
        by_route.setdefault(route, []).append(ms)
    page_ms = [ms for _, ms, _ in pages]
    return {
        "members": len(members),
        "duration_s": duration,
        "requests": len(samples),
        "pages_per_s": round(len(pages) / duration, 1),
        "errors": len(errors),
        "error_examples": sorted({f"{s[0]} -> {s[2]}" for s in errors})[:10],
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
            }
            for route, times in sorted(by_route.items(), key=lambda item: -len(item[1]))
        },
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "cpus": os.cpu_count(),
    }


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
    parser.add_argument("--seed-sign-ins", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_sign_ins:
        seed_sign_ins(args.seed_sign_ins)
        return
    if not 0 < args.duration <= 600:
        raise SystemExit("--duration: between 1 and 600 seconds")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _scratch import scratch_env

    coopcis = str(Path(sys.executable).with_name("coopcis"))
    with scratch_env(postgres=args.postgres) as env:
        env["COOPCIS_OPERATOR"] = OPERATOR
        run(coopcis, "migrate", "-v", "0", env=env)
        run(coopcis, "staff", "add", OPERATOR, "--role", "manager", env=env)
        run(coopcis, "demo", "--members", str(args.members), "--months", "13",
            "--through", PERIOD, "--seed", "1", env=env)  # fmt: skip
        run(coopcis, "bill-run", "--period", PERIOD, env=env)
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
            deadline = time.time() + args.duration
            step = args.ramp / max(1, len(sign_ins))
            members = [
                Member(base, email, number, deadline, seed, delay=seed * step)
                for seed, (email, number) in enumerate(sign_ins)
            ]
            for member in members:
                member.start()
            for member in members:
                member.join(timeout=args.duration + 60)
            result = summary(members, args.duration)
            result.update(
                database="postgresql" if args.postgres else "sqlite",
                demo_members=args.members,
                gunicorn=f"{args.workers} workers x {args.threads} threads",
                ramp_s=args.ramp,
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
