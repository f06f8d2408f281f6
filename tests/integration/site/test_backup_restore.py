"""A backup of a billed demo co-op restores into an empty database with the same trial
balance, the same number of rows in every table and the same bill PDFs, on SQLite and
on PostgreSQL (pg_dump custom format). Each database here is the test's own."""

from __future__ import annotations

import json
import os
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.site.processes import clean_environment, coopcis, once

pytestmark = [pytest.mark.slow, once]
POSTGRES = os.environ.get(
    "COOPCIS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
).rsplit("/", 1)[0]

FINGERPRINT = """
import hashlib, json
from django.db import connection
from coopcis.apps.billing.models import Bill
from coopcis.apps.billing.pdf import render_bill_by_id
tables = sorted(connection.introspection.table_names())
with connection.cursor() as cursor:
    rows = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        rows[table] = cursor.fetchone()[0]
pdfs = {
    bill_id: hashlib.sha256(render_bill_by_id(bill_id).pdf).hexdigest()
    for bill_id in Bill.objects.order_by("id").values_list("id", flat=True)
}
print(json.dumps({"rows": rows, "pdfs": pdfs}))
"""


def run(*args: str, env: dict[str, str], cwd: Path) -> str:
    result = coopcis(*args, env=env, cwd=cwd, timeout=900)
    assert result.returncode == 0, f"coopcis {' '.join(args)}: {result.stderr[-2000:]}"
    return result.stdout


def fingerprint(env: dict[str, str], cwd: Path) -> dict[str, object]:
    books = json.loads(run("report", "trial-balance", "--json", env=env, cwd=cwd))
    seen = json.loads(run("shell", "--no-imports", "-c", FINGERPRINT, env=env, cwd=cwd))
    return {"trial_balance": books, **seen}


def billed_demo(env: dict[str, str], cwd: Path) -> dict[str, object]:
    run("migrate", "--verbosity", "0", env=env, cwd=cwd)
    run("staff", "add", "operator", "--role", "manager", env=env, cwd=cwd)
    env["COOPCIS_OPERATOR"] = "operator"  # the loads below change data: run as that sign-in
    run("demo", "--members", "12", "--months", "2", "--through", "2026-10", env=env, cwd=cwd)
    run("bill-run", "--period", "2026-10", env=env, cwd=cwd)
    return fingerprint(env, cwd)


def assert_same_co_op(before: dict[str, object], after: dict[str, object]) -> None:
    rows = before["rows"]
    assert isinstance(rows, dict)
    assert rows["billing_bill"] >= 12 and rows["ledger_journalline"] > 0
    assert after["trial_balance"] == before["trial_balance"]
    assert after["rows"] == rows
    assert after["pdfs"] == before["pdfs"] and before["pdfs"]


def test_a_sqlite_backup_restores_the_same_co_op(tmp_path):
    source = clean_environment(tmp_path / "source")
    target = clean_environment(tmp_path / "target")
    before = billed_demo(source, tmp_path)
    backup = tmp_path / "coop.backup"

    said = run("backup", "--out", str(backup), env=source, cwd=tmp_path)
    run("restore", str(backup), env=target, cwd=tmp_path)

    assert said.startswith(f"backed up sqlite database to {backup}")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert_same_co_op(before, fingerprint(target, tmp_path))
    # a second restore into the now full database is refused, in one line
    again = coopcis("restore", str(backup), env=target, cwd=tmp_path)
    assert again.returncode == 1 and "is not empty" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1


@pytest.fixture
def postgres_databases() -> Iterator[tuple[str, str]]:
    psycopg = pytest.importorskip("psycopg")
    names = [f"coopcis_backup_{uuid.uuid4().hex[:8]}_{side}" for side in ("a", "b")]
    try:
        admin = psycopg.connect(f"{POSTGRES}/postgres", autocommit=True)
    except psycopg.OperationalError:
        pytest.skip(f"no PostgreSQL at {POSTGRES}")
    with admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield names[0], names[1]
        finally:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_postgresql_backup_restores_the_same_co_op(tmp_path, postgres_databases):
    source_name, target_name = postgres_databases
    source = clean_environment(tmp_path, COOPCIS_DATABASE_URL=f"{POSTGRES}/{source_name}")
    target = clean_environment(tmp_path, COOPCIS_DATABASE_URL=f"{POSTGRES}/{target_name}")
    before = billed_demo(source, tmp_path)
    backup = tmp_path / "coop.dump"

    run("backup", "--out", str(backup), env=source, cwd=tmp_path)
    run("restore", str(backup), env=target, cwd=tmp_path)

    assert backup.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert_same_co_op(before, fingerprint(target, tmp_path))


def test_a_backup_of_the_other_kind_is_refused(tmp_path):
    env = clean_environment(tmp_path / "var")
    dump = tmp_path / "coop.dump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00")

    result = coopcis("restore", str(dump), env=env, cwd=tmp_path)

    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"coopcis: error: {dump} is a postgresql backup; the configured database is sqlite"
    )
