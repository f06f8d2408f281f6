"""Every SQLite database, the default one or one named by COOPCIS_DATABASE_URL, runs in
WAL mode with synchronous=NORMAL and immediate transactions, and its files are readable
by their owner only."""

from __future__ import annotations

import stat

import pytest

from tests.integration.site.processes import clean_environment, coopcis, once

pytestmark = [pytest.mark.slow, once]

SHOW = (
    "from django.db import connection; c = connection.cursor(); "
    "print(c.execute('PRAGMA journal_mode').fetchone()[0], "
    "c.execute('PRAGMA synchronous').fetchone()[0], "
    "connection.transaction_mode, "
    "c.execute('PRAGMA foreign_keys').fetchone()[0])"
)


@pytest.mark.parametrize("named_by_url", [False, True], ids=["default", "url"])
def test_sqlite_gets_wal_normal_sync_immediate_and_owner_only_files(tmp_path, named_by_url):
    var_dir = tmp_path / "var"
    database = tmp_path / "elsewhere" / "coop.db" if named_by_url else var_dir / "coopcis.sqlite3"
    extra = {"COOPCIS_DATABASE_URL": f"sqlite:///{database}"} if named_by_url else {}
    env = clean_environment(var_dir, **extra)

    migrated = coopcis("migrate", "--verbosity", "0", env=env, cwd=tmp_path)
    shown = coopcis("shell", "--no-imports", "-c", SHOW, env=env, cwd=tmp_path)

    assert migrated.returncode == 0, migrated.stderr
    # synchronous NORMAL is 1 (FULL, the default, is 2)
    assert shown.stdout.split() == ["wal", "1", "IMMEDIATE", "1"], shown.stderr
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    for suffix in ("-wal", "-shm"):
        file = database.with_name(database.name + suffix)
        if file.exists():  # SQLite removes them when the last connection closes
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


def test_wal_files_made_while_the_database_is_open_are_owner_only(tmp_path):
    var_dir = tmp_path / "var"
    env = clean_environment(var_dir)
    coopcis("migrate", "--verbosity", "0", env=env, cwd=tmp_path)
    peek = (
        "import os, stat; from django.db import connection; "
        "connection.cursor().execute('CREATE TABLE IF NOT EXISTS t (x)'); "
        f"name = {str(var_dir / 'coopcis.sqlite3')!r}; "
        "print(*[oct(stat.S_IMODE(os.stat(name + s).st_mode)) for s in ('', '-wal', '-shm')])"
    )

    shown = coopcis("shell", "--no-imports", "-c", peek, env=env, cwd=tmp_path)

    assert shown.stdout.split() == ["0o600", "0o600", "0o600"], shown.stderr
