"""Benchmark: a storm of outage reports through the production web server.

    COOPCIS_VAR_DIR=DIR .venv/bin/python benchmarks/outage_storm.py [--scale 1.0]
        [--minutes 10] [--port 9950] [--workers 2] [--threads 4] [--senders 8]

Uses the database the environment names, loaded first with ``coopcis demo --members
20000`` (its network included); it adds reports and outages to it. At ``--scale 1`` it
sends 8,000 AMI last-gasp messages (the meters of whole feeders, largest first, until
8,000) and 5,000 member reports (4,500 from service points under those feeders, 500 from
elsewhere: single services) over ``--minutes``, in random order at an even pace, through
``coopcis serve`` (gunicorn) on 127.0.0.1:``--port``; 5 % of the AMI messages are sent a
second time (a head-end retrying). Meanwhile a staff session opens the restoration queue
page every second, timing it. After the last message it opens the queue page until every
report outside a planned outage belongs to an outage, timing that too.

Prints one JSON line: messages sent, answers by status, reports stored (must equal the
distinct messages: none lost, none twice), outages by device kind, seconds from the last
message until every report was in an outage, and the queue page's times (median, p95,
slowest). The figures go into docs/benchmarks.md ("Outage storm") by hand.
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
    return {
        "reports_stored": reports.count(),
        "ami_reports": reports.filter(source="AMI").count(),
        "member_reports": reports.filter(source="PHONE").count(),
        "reports_without_outage": reports.filter(outage__isnull=True, planned__isnull=True).count(),
        "outages_by_kind": dict(
            Outage.objects.filter(predicted_at__gte=after)
            .values_list("device_kind")
            .annotate(n=Count("id"))
            .values_list("device_kind", "n")
        ),
    }


def post(url: str, body: dict[str, str], key: str) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
    )
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
        messages: list[tuple[str, dict[str, str], str]] = []
        for number, (_, serial) in enumerate(storm["ami"]):  # type: ignore[arg-type]
            body = {"message_id": f"storm-{started_at}-{number}", "meter": serial,
                    "event": "last_gasp", "at": ""}  # fmt: skip
            messages.append(("/api/v1/outages/ami", body, AMI_KEY))
            if rng.random() < 0.05:
                messages.append(("/api/v1/outages/ami", body, AMI_KEY))
        for sp in storm["members"]:  # type: ignore[attr-defined]
            messages.append(
                ("/api/v1/outages/reports", {"service_point": sp}, str(storm["ivr_key"]))
            )
        rng.shuffle(messages)
        distinct = len(storm["ami"]) + len(storm["members"])  # type: ignore[arg-type]
        pace = args.minutes * 60 / len(messages)
        statuses: dict[int, int] = {}
        lock = threading.Lock()
        page_ms: list[float] = []
        stop = threading.Event()

        def open_queue() -> float:
            request = urllib.request.Request(
                base + "/outages/", headers={"Cookie": f"sessionid={storm['session']}"}
            )
            begin = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as answer:
                answer.read()
                assert answer.status == 200
            return (time.perf_counter() - begin) * 1000

        def poll() -> None:
            while not stop.is_set():
                page_ms.append(open_queue())
                stop.wait(1.0)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        begin = time.monotonic()

        def send(index: int) -> None:
            delay = begin + index * pace - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            path, body, key = messages[index]
            if "at" in body:
                body = {**body, "at": datetime.now(UTC).isoformat()}
            status = post(base + path, body, key)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

        with ThreadPoolExecutor(args.senders) as pool:
            list(pool.map(send, range(len(messages))))
        last_sent = time.monotonic()
        sent_s = last_sent - begin
        stop.set()
        poller.join()
        settled_s = None
        for _ in range(120):
            page_ms.append(open_queue())
            if child("--check", started_at)["reports_without_outage"] == 0:
                settled_s = round(time.monotonic() - last_sent, 2)
                break
            time.sleep(0.5)
        result = child("--check", started_at)
        page_ms.sort()
        result.update(
            scale=args.scale,
            messages_sent=len(messages),
            distinct_messages=distinct,
            seconds_sending=round(sent_s, 1),
            answers=statuses,
            all_in_an_outage_after_last_message_s=settled_s,
            queue_page_ms={
                "requests": len(page_ms),
                "median": round(statistics.median(page_ms), 1),
                "p95": round(page_ms[int(len(page_ms) * 0.95) - 1], 1),
                "max": round(page_ms[-1], 1),
            },
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
