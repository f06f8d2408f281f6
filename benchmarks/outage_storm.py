"""Benchmark: a storm of outage reports through the production web server.

    COOPCIS_VAR_DIR=DIR .venv/bin/python benchmarks/outage_storm.py [--scale 1.0]
        [--minutes 10] [--port 9950] [--workers 2] [--threads 4] [--senders 8]

Uses the database the environment names, loaded first with ``coopcis demo --members
20000`` (its network included); it adds reports and outages to it. At ``--scale 1`` it
sends 8,000 AMI last-gasp messages (the meters of whole feeders, largest first, until
8,000) and 5,000 member reports (4,500 from service points under those feeders, 500 from
elsewhere: single services) over ``--minutes``, in random order at an even pace, through
``coopcis serve`` (gunicorn, with the outage prediction pass it runs beside itself) on
127.0.0.1:``--port``. 5 % of the AMI messages and 5 % of the member reports are sent a
second time (a head-end or a phone system retrying): AMI messages with the same message
id, member reports with the same ``Idempotency-Key`` (every member report carries one, so
a retry after a dropped connection is harmless too). Meanwhile a staff session opens the
restoration queue page every second and the staff and public map figures every 5
seconds, timing each. After the last message it keeps timing them until every report
outside a planned outage belongs to an outage.

Prints one JSON line: messages sent, answers by status, reports stored by source (must
equal the distinct messages: none lost, none twice; counted in the database), outages by
device kind, how long after its arrival each report was placed in an outage by the
background pass (``predicted_at - received_at``: median, p95, slowest; and per outage,
from the last message of its group), seconds from the last message until every report
was in an outage, and the pages' times (median, p95, slowest) during the storm and after.
The figures go into docs/benchmarks.md ("Outage storm") by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AMI_KEY = "storm-benchmark-ami-key"


def prepare(scale: float) -> dict[str, object]:
    """Run in a child process with Django: pick the storm, make the keys and a session."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopcis.site.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from coopcis.apps.metering.models import MeterInstallation
    from coopcis.apps.outages.network import current_network
    from coopcis.apps.payments.keys import create_api_key, set_key_limits
    from coopcis.apps.staff.roles import ensure_roles

    network = current_network()
    serials = dict(
        MeterInstallation.objects.filter(removed_on__isnull=True).values_list(
            "service_point__code", "meter__serial"
        )
    )
    feeders = sorted(
        (c for c, k in zip(network.codes, network.kinds, strict=True) if k == "feeder"),
        key=lambda c: -network.service_point_count(c),
    )
    ami_target, member_target = int(8000 * scale), int(5000 * scale)
    struck: list[str] = []
    for feeder in feeders:
        if len(struck) >= ami_target:
            break
        struck.extend(sp for sp in network.downstream_service_points(feeder) if sp in serials)
    struck = struck[:ami_target]
    rng = random.Random(1)
    inside = rng.sample(struck, min(len(struck), int(member_target * 0.9)))
    struck_set = set(struck)
    others = [sp for sp in serials if sp not in struck_set]
    outside = rng.sample(others, member_target - len(inside))
    ensure_roles()
    issued = create_api_key(channel="IVR", name="storm benchmark phone system")
    set_key_limits(prefix=issued.record.prefix, requests_per_minute=1_000_000)
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username="storm-dispatcher")
    from django.contrib.auth.models import Group

    user.groups.set([Group.objects.get(name="Customer service")])
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return {
        "ami": [[sp, serials[sp]] for sp in struck],
        "members": inside + outside,
        "ivr_key": issued.key,
        "session": session.session_key,
    }


def check(since: str) -> dict[str, object]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopcis.site.settings")
    django.setup()
    from django.db.models import Count

    from coopcis.apps.outages.models import Outage, OutageReport

    after = datetime.fromisoformat(since)
    reports = OutageReport.objects.filter(received_at__gte=after)
    waits = sorted(
        (placed - received).total_seconds()
        for received, placed in reports.filter(predicted_at__isnull=False).values_list(
            "received_at", "predicted_at"
        )
    )
    groups: dict[int, tuple[datetime, datetime]] = {}
    for outage_id, received, placed in reports.filter(outage__isnull=False).values_list(
        "outage_id", "received_at", "predicted_at"
    ):
        latest_in, latest_placed = groups.get(outage_id, (received, placed))
        groups[outage_id] = (max(latest_in, received), max(latest_placed, placed))
    group_waits = sorted((p - r).total_seconds() for r, p in groups.values())

    def spread(values: list[float]) -> dict[str, float] | None:
        if not values:
            return None
        return {
            "median": round(values[len(values) // 2], 2),
            "p95": round(values[max(0, int(len(values) * 0.95) - 1)], 2),
            "max": round(values[-1], 2),
        }

    return {
        "reports_stored": reports.count(),
        "ami_reports": reports.filter(source="AMI").count(),
        "ami_message_ids": reports.filter(source="AMI").values("message_id").distinct().count(),
        "member_reports": reports.filter(source="PHONE").count(),
        "member_keys": reports.filter(source="PHONE").values("message_id").distinct().count(),
        "reports_without_outage": reports.filter(outage__isnull=True, planned__isnull=True).count(),
        "placed_after_arrival_s": spread(waits),
        "outage_after_last_message_of_group_s": spread(group_waits),
        "outages_by_kind": dict(
            Outage.objects.filter(predicted_at__gte=after)
            .values_list("device_kind")
            .annotate(n=Count("id"))
            .values_list("device_kind", "n")
        ),
    }


def post(url: str, body: dict[str, str], key: str, idempotency_key: str = "") -> int:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
    for _ in range(5):
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as refused:
            return int(refused.code)
        except OSError:
            time.sleep(0.5)
    return 0


def child(action: str, *words: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, action, *words],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(out.splitlines()[-1]))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("--prepare", "--check"):
        result = prepare(float(sys.argv[2])) if sys.argv[1] == "--prepare" else check(sys.argv[2])
        print(json.dumps(result))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--port", type=int, default=9950)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--senders", type=int, default=8)
    args = parser.parse_args()
    started_at = datetime.now(UTC).isoformat()
    load_before = os.getloadavg()
    storm = child("--prepare", str(args.scale))
    base = f"http://127.0.0.1:{args.port}"
    env = dict(os.environ, COOPCIS_AMI_KEY=AMI_KEY)
    coopcis = str(Path(sys.executable).with_name("coopcis"))
    server = subprocess.Popen(
        [coopcis, "serve", "--host", "127.0.0.1", "--port", str(args.port),
         "--workers", str(args.workers), "--threads", str(args.threads),
         "--access-log", os.devnull],
        env=env, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/sign-in/", timeout=2).close()
                break
            except OSError:
                time.sleep(0.5)
        rng = random.Random(2)
        messages: list[tuple[str, dict[str, str], str, str]] = []
        for number, (_, serial) in enumerate(storm["ami"]):  # type: ignore[arg-type]
            body = {"message_id": f"storm-{started_at}-{number}", "meter": serial,
                    "event": "last_gasp", "at": ""}  # fmt: skip
            messages.append(("/api/v1/outages/ami", body, AMI_KEY, ""))
            if rng.random() < 0.05:
                messages.append(("/api/v1/outages/ami", body, AMI_KEY, ""))
        for number, sp in enumerate(storm["members"]):  # type: ignore[arg-type]
            report = ("/api/v1/outages/reports", {"service_point": sp}, str(storm["ivr_key"]),
                      f"storm-{started_at}-call-{number}")  # fmt: skip
            messages.append(report)
            if rng.random() < 0.05:
                messages.append(report)
        rng.shuffle(messages)
        distinct = len(storm["ami"]) + len(storm["members"])  # type: ignore[arg-type]
        pace = args.minutes * 60 / len(messages)
        statuses: dict[int, int] = {}
        lock = threading.Lock()
        timings: dict[str, dict[str, list[float]]] = {
            phase: {"queue": [], "staff_map": [], "public_map": []} for phase in ("during", "after")
        }
        failures: dict[str, int] = {}
        stop = threading.Event()
        phase = ["during"]
        pages = {
            "queue": ("/outages/", True),
            "staff_map": ("/outages/map.json", True),
            "public_map": ("/portal/outage-map/data.json", False),
        }

        def time_page(name: str) -> None:
            path, signed_in = pages[name]
            cookie = {"Cookie": f"sessionid={storm['session']}"} if signed_in else {}
            request = urllib.request.Request(base + path, headers=cookie)
            begin = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=60) as answer:
                    answer.read()
                    ok = answer.status == 200
            except OSError:
                ok = False
            if ok:
                timings[phase[0]][name].append((time.perf_counter() - begin) * 1000)
            else:
                failures[name] = failures.get(name, 0) + 1

        def poll() -> None:
            tick = 0
            while not stop.is_set():
                time_page("queue")
                if tick % 5 == 0:
                    time_page("staff_map")
                    time_page("public_map")
                tick += 1
                stop.wait(1.0)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        begin = time.monotonic()

        def send(index: int) -> None:
            delay = begin + index * pace - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            path, body, key, idempotency_key = messages[index]
            if "at" in body:
                body = {**body, "at": datetime.now(UTC).isoformat()}
            status = post(base + path, body, key, idempotency_key)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

        with ThreadPoolExecutor(args.senders) as pool:
            list(pool.map(send, range(len(messages))))
        last_sent = time.monotonic()
        sent_s = last_sent - begin
        phase[0] = "after"
        settled_s = None
        for _ in range(120):
            if child("--check", started_at)["reports_without_outage"] == 0:
                settled_s = round(time.monotonic() - last_sent, 2)
                break
            time.sleep(0.5)
        stop.wait(max(0.0, 30 - (time.monotonic() - last_sent)))  # 30 s of pages after
        stop.set()
        poller.join()
        result = child("--check", started_at)

        def spread(values: list[float]) -> dict[str, float] | None:
            if not values:
                return None
            values = sorted(values)
            return {
                "requests": len(values),
                "median": round(statistics.median(values), 1),
                "p95": round(values[max(0, int(len(values) * 0.95) - 1)], 1),
                "max": round(values[-1], 1),
            }

        result.update(
            scale=args.scale,
            messages_sent=len(messages),
            distinct_messages=distinct,
            seconds_sending=round(sent_s, 1),
            answers=statuses,
            all_in_an_outage_after_last_message_s=settled_s,
            pages_ms={
                when: {name: spread(values) for name, values in names.items()}
                for when, names in timings.items()
            },
            page_failures=failures,
            load_average_before=load_before,
            load_average_after=os.getloadavg(),
            gunicorn=f"{args.workers} workers x {args.threads} threads",
        )
        print(json.dumps(result))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
