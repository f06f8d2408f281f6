"""A bill run killed at random points (SIGKILL) and started again bills exactly once.

Runs the real command in a subprocess against a real database (a SQLite file, or a
PostgreSQL database of its own), kills it at random moments, restarts it until it
finishes, and compares every bill with a run of the same co-op that was never killed.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

COOPCIS = str(Path(sys.executable).with_name("coopcis"))
PERIOD = "2026-08"


def _env(tmp_path: Path, name: str, created: list[str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COOPCIS_")}
    env["COOPCIS_VAR_DIR"] = str(tmp_path / name)
    env["COOPCIS_OPERATOR"] = "operator"
    if connection.vendor == "postgresql":
        database = f"coopcis_kill_{name}_{uuid.uuid4().hex[:8]}"
        _server(f'CREATE DATABASE "{database}"')
        created.append(database)
        settings = connection.settings_dict
        env["COOPCIS_DATABASE_URL"] = (
            f"postgresql://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{database}"
        )
    return env


def _server(sql: str) -> None:
    """Run ``sql`` outside any transaction (CREATE/DROP DATABASE refuse to run in one)."""
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"] or "postgres",
        dbname="postgres",
        autocommit=True,
    ) as server:
        server.execute(sql)


@pytest.fixture
def created():
    """PostgreSQL databases made for the test, dropped after it."""
    names: list[str] = []
    yield names
    for name in names:
        _server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _coopcis(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([COOPCIS, *args], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _migrate(env: dict[str, str]) -> None:
    """An empty database, migrated, with the operator's sign-in (a manager)."""
    _coopcis(env, "migrate", "--verbosity", "0")
    _coopcis(env, "staff", "add", "operator", "--role", "manager")


def _demo(env: dict[str, str]) -> None:
    """The co-op these tests bill: a 400-member demo, unbilled for ``PERIOD``."""
    _coopcis(
        env, "demo", "--members", "400", "--months", "3", "--seed", "7", "--through", "2026-08"
    )


def _co_op(env: dict[str, str]) -> None:
    _migrate(env)
    _demo(env)


def _copy(env: dict[str, str], name: str, created: list[str], tmp_path: Path) -> dict[str, str]:
    """A copy of ``env``'s co-op, made the fast way: its data folder copied (the SQLite
    file is in it), and on PostgreSQL its database (``CREATE DATABASE ... TEMPLATE``)."""
    copied = env | {"COOPCIS_VAR_DIR": str(tmp_path / name)}
    if Path(env["COOPCIS_VAR_DIR"]).exists():
        shutil.copytree(env["COOPCIS_VAR_DIR"], copied["COOPCIS_VAR_DIR"])
    url = env.get("COOPCIS_DATABASE_URL")
    if url:
        source = url.rsplit("/", 1)[1]
        database = f"{source}_{name}"
        _server(f'CREATE DATABASE "{database}" TEMPLATE "{source}"')
        created.append(database)
        copied["COOPCIS_DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{database}"
    return copied


def _bill_count(env: dict[str, str]) -> int:
    """The period's bills as the victim's database holds them now, read directly (a
    ``coopcis`` process takes seconds to start; this is polled every few milliseconds)."""
    query = "SELECT count(*) FROM billing_bill WHERE period = "
    url = env.get("COOPCIS_DATABASE_URL")
    if url:
        with psycopg.connect(url, autocommit=True) as database:
            row = database.execute(query + "%s", (PERIOD,)).fetchone()
    else:
        path = Path(env["COOPCIS_VAR_DIR"]) / "coopcis.sqlite3"
        database = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            row = database.execute(query + "?", (PERIOD,)).fetchone()
        finally:
            database.close()
    return int(row[0]) if row else 0


def _bills(env: dict[str, str]) -> dict[str, object]:
    script = (
        "import json\n"
        "from coopcis.apps.billing.models import Bill\n"
        "from coopcis.apps.ledger import reports\n"
        "from coopcis.apps.ledger.models import JournalEntry\n"
        "bills = Bill.objects.filter(period='" + PERIOD + "')\n"
        "rows = sorted((b.service_point.code, b.status, str(b.total_amount)) for b in bills)\n"
        "entries = JournalEntry.objects.filter(kind='BILL').count()\n"
        "posted = bills.filter(status='POSTED').count()\n"
        "print(json.dumps({'rows': rows, 'entries': entries, 'posted': posted,\n"
        "  'balanced': reports.trial_balance().balanced,\n"
        "  'receivables_difference': str(reports.receivables_difference())}))\n"
    )
    return json.loads(_coopcis(env, "shell", "--no-imports", "-c", script))


@pytest.mark.slow
@pytest.mark.django_db
def test_killed_runs_finish_with_no_duplicate_and_no_missing_bill(tmp_path, created):
    reference = _env(tmp_path, "reference", created)
    _co_op(reference)
    victim = _copy(reference, "victim", created, tmp_path)  # the same co-op, unbilled
    started = time.perf_counter()
    expected = json.loads(_coopcis(reference, "bill-run", "--period", PERIOD, "--json"))
    whole_run = time.perf_counter() - started
    assert expected["billed"] > 300

    # Each kill lands at a random count of committed bills, not at a random time: the
    # process spends most of its life starting up, so a kill timed at random would mostly
    # land before the first bill or after the last one and prove nothing.
    chooser = random.Random(20261122)
    kills, partial, total = 0, [], expected["billed"] + expected["held"]
    deadline = time.monotonic() + max(120.0, 20 * whole_run)
    for _attempt in range(6):
        already = _bill_count(victim)
        if already >= total - 20:
            break
        target = chooser.randint(already + 1, total - 20)
        process = subprocess.Popen(
            [COOPCIS, "bill-run", "--period", PERIOD, "--batch-size", "10", "--json"],
            env=victim,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        while process.poll() is None and time.monotonic() < deadline:
            if _bill_count(victim) >= target:
                break
            time.sleep(0.005)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
            partial.append(_bill_count(victim))
        process.wait(timeout=60)
        if kills >= 4:
            break
    finished = json.loads(_coopcis(victim, "bill-run", "--period", PERIOD, "--json"))
    again = json.loads(_coopcis(victim, "bill-run", "--period", PERIOD, "--json"))
    assert kills >= 2, "the runs finished before they could be killed"
    assert any(0 < count < total for count in partial), f"no kill landed mid-run: {partial}"
    assert (again["billed"], again["held"]) == (0, 0)
    assert again["already_billed"] == expected["billed"] + expected["held"]
    assert finished["skipped"] == expected["skipped"]

    # every killed run is shown as interrupted and finished by a later run, none as running
    runs = json.loads(_coopcis(victim, "billing", "runs", "--period", PERIOD, "--json"))["runs"]
    states = {run["run"]: run for run in runs}
    interrupted = [run for run in runs if run["status"] == "INTERRUPTED"]
    assert {run["status"] for run in runs} == {"FINISHED", "INTERRUPTED"}
    assert interrupted, runs
    for run in interrupted:
        finisher = states[run["finished_by"]]
        assert finisher["status"] == "FINISHED" and finisher["run"] > run["run"]

    got, want = _bills(victim), _bills(reference)
    assert got["rows"] == want["rows"]  # same bills, same amounts, one per service point
    assert got["entries"] == got["posted"] == want["posted"]  # one entry per posted bill
    assert got["balanced"] and got["receivables_difference"] == "0.00"
