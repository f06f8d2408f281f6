"""A dry run leaves the SQLite database file byte for byte as it was.

Runs the real ``coopcis`` processes against a SQLite file holding a small demo co-op, and
compares the file's SHA-256 before and after each command's ``--dry-run`` (every one has
something to do: the output says what), then checks a real run does change it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.db import connection

from tests.unit.lockbox.files import Row, lockbox_csv

COOPCIS = str(Path(sys.executable).with_name("coopcis"))
pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def _run(env: dict[str, str], *args: object, code: int = 0) -> str:
    done = subprocess.run(
        [COOPCIS, *map(str, args)], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == code, done.stderr
    return done.stdout


def _fingerprint(folder: Path) -> dict[str, str]:
    """SHA-256 of the database file and of any write-ahead log beside it."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.glob("coopcis.sqlite3*"))
    }


def test_every_dry_run_leaves_the_database_file_unchanged(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the file comparison is SQLite's; PostgreSQL is covered by table dumps")
    env = {key: value for key, value in os.environ.items() if not key.startswith("COOPCIS_")}
    env["COOPCIS_VAR_DIR"] = str(tmp_path / "var")
    _run(env, "migrate", "--verbosity", "0")
    # commands that change data run as a named staff sign-in; dry runs need none
    _run(env, "staff", "add", "operator", "--role", "manager")
    env["COOPCIS_OPERATOR"] = "operator"
    _run(env, "demo", "--members", "40", "--months", "3", "--seed", "5", "--through", "2026-10")
    _run(env, "ach", "originator", "--destination", "102000021", "--destination-name", "BANK",
         "--origin", "1850123456", "--origin-name", "OCEC", "--company-name", "OCEC",
         "--company-id", "1850123456", "--odfi", "10200002")  # fmt: skip
    folder = tmp_path / "var"

    def unchanged(*args: object) -> str:
        before = _fingerprint(folder)
        out = _run(env, *args, "--dry-run")
        assert _fingerprint(folder) == before, f"{args} changed the database"
        assert out.startswith("DRY RUN: nothing was changed"), out
        return out

    out = unchanged("bill-run", "--period", "2026-10")
    assert "Would bill" in out and " POSTED $" in out
    _run(env, "bill-run", "--period", "2026-10")
    number, scan_line = _run(
        env, "shell", "--no-imports", "-c",
        "from coopcis.apps.billing.models import Bill\n"
        "from coopcis.core.billing.scan_line import make_scan_line\n"
        "from coopcis.core.money import Money\n"
        "b = Bill.objects.filter(status='POSTED').order_by('id').first()\n"
        "print(b.account.number, make_scan_line(account_number=b.account.number, "
        "bill_number=b.number, amount_due=Money(b.total_amount)))",
    ).splitlines()[-1].split(maxsplit=1)  # fmt: skip
    remittances = tmp_path / "lockbox.csv"
    remittances.write_text(lockbox_csv(date(2026, 11, 20), [
        Row("1", "1", scan_line, "25.00", "101"), Row("1", "2", "", "9.00", "102", "J DOE")
    ]))  # fmt: skip

    assert "second_notices" in unchanged("collections", "run", "--as-of", "2026-11-25")
    assert "Late fees as of 2026-11-25" in unchanged("ach", "late-fees", "--as-of", "2026-11-25")
    assert "Deposit review" in unchanged("deposits", "review", "--as-of", "2026-11-25")
    assert f"payment {number} $25.00" in unchanged("lockbox", "import", remittances)
    assert "Deposits for 2026-11-20" in unchanged("reconcile", "--date", "2026-11-20")
    draft = unchanged("ach", "draft", "--date", "2026-11-25", "--out", tmp_path / "nov25.ach")
    assert "Nothing to draft" in draft or "(not written)" in draft
    assert not (tmp_path / "nov25.ach").exists()

    # and the real thing does change it
    before = _fingerprint(folder)
    _run(env, "collections", "run", "--as-of", "2026-11-25")
    assert _fingerprint(folder) != before
