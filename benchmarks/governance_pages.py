"""Benchmark: the annual meeting's quorum and tally pages with 2,000 members checked in.

    .venv/bin/python benchmarks/governance_pages.py [--members 20000] [--present 2000]
        [--runs 20] [--postgres]

Loads the demo co-op (its board seeded with staggered terms) into a fresh database (SQLite
in a temporary folder, or with --postgres a new database dropped afterwards), calls the
2027 annual meeting (seats from the terms ending in 2027), files two valid nominating
petitions in each district with a seat up, checks in ``--present`` members through the
same service the registration desk uses and casts a ballot for each of them who resides in
a district with candidates; then asks the quorum page (HTML and its JSON), and the tally
page, ``--runs`` times each after one warm-up request, as a signed-in manager through Django's test client (the whole
view, template and queries; no network), and prints the median and slowest in
milliseconds as JSON. The figures go into docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from _scratch import scratch_env

ROOT = Path(__file__).resolve().parent.parent
COOPCIS = str(ROOT / ".venv" / "bin" / "coopcis")


def run(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([COOPCIS, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"coopcis {' '.join(args)} failed: {done.stderr.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--present", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with scratch_env(postgres=args.postgres) as env:
        env["COOPCIS_OPERATOR"] = "operator"
        run(env, "migrate", "-v0")
        run(env, "staff", "add", "operator", "--role", "manager")
        started = time.perf_counter()
        run(env, "demo", "--members", str(args.members))
        loaded = time.perf_counter() - started
        for key in [key for key in os.environ if key.startswith("COOPCIS_")]:
            del os.environ[key]
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopcis.site.settings")
        measure(args, loaded)


def _prepare(present: int) -> int:
    from coopcis.apps.audit.context import acting_as
    from coopcis.apps.governance import services
    from coopcis.apps.governance.residence import districts_of, voting_members

    meeting_day = date(2027, 8, 7)
    with acting_as(label="bench"):
        meeting = services.create_meeting(on=meeting_day, kind="ANNUAL")
        seats = services.seats_of(meeting)
        districts = districts_of(None, on=meeting_day)
        from coopcis.apps.members.models import Membership

        numbers = dict(
            Membership.objects.filter(voting_members(), pk__in=list(districts)).values_list(
                "pk", "number"
            )
        )
        residents: dict[str, list[str]] = {}
        for membership_id, district in sorted(districts.items()):
            if membership_id not in numbers:
                continue  # non-member service: no vote
            residents.setdefault(district, []).append(numbers[membership_id])
        for district, count in seats.items():
            if not count:
                continue
            people = residents[district]
            for candidate in people[:2]:
                services.file_petition(
                    meeting_id=meeting.pk,
                    district=district,
                    candidate_number=candidate,
                    signers=people[10:25],
                    filed_on=date(2027, 7, 1),
                )
        ballot = services.candidates(meeting)
        share = present // len(residents) + 1
        voters = [(n, d) for d, group in residents.items() for n in group[:share]][:present]
        for number, _ in voters:
            services.check_in(meeting_id=meeting.pk, number=number)
        for index, (number, district) in enumerate(voters):
            standing = ballot.get(district, [])
            if standing:
                choice = standing[index % len(standing)].candidate_number
                services.cast_vote(meeting_id=meeting.pk, number=number, choices=[choice])
    return meeting.pk


def measure(args: argparse.Namespace, loaded: float) -> None:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.test import Client

    from coopcis.apps.governance.models import BallotIssued, CheckIn

    started = time.perf_counter()
    meeting = _prepare(args.present)
    prepared = time.perf_counter() - started
    from coopcis.apps.staff.models import PasswordChangeRequired

    operator = User.objects.get(username="operator")
    PasswordChangeRequired.objects.filter(user=operator).delete()  # no one-time password hold
    client = Client()
    client.force_login(operator)
    pages = {
        "quorum page": f"/governance/meetings/{meeting}/quorum/",
        "quorum JSON": f"/governance/meetings/{meeting}/quorum/?format=json",
        "tally page": f"/governance/meetings/{meeting}/tally/",
        "meeting page (search)": f"/governance/meetings/{meeting}/?q=garcia",
    }
    results = {}
    for name, url in pages.items():
        client.get(url)  # warm up: templates compiled, first queries prepared
        times = []
        for _ in range(args.runs):
            begun = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - begun) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        results[name] = {
            "median_ms": round(statistics.median(times), 1),
            "slowest_ms": round(max(times), 1),
        }
    print(
        json.dumps(
            {
                "members": args.members,
                "checked_in": CheckIn.objects.filter(meeting=meeting).count(),
                "ballots": BallotIssued.objects.filter(meeting=meeting).count(),
                "demo_load_s": round(loaded, 1),
                "prepare_s": round(prepared, 1),
                "load_average": os.getloadavg(),
                "pages": results,
                "database": "postgresql" if args.postgres else "sqlite",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
