"""``coopcis backup --out FILE`` and ``coopcis restore FILE``: the database in one file.

- SQLite: SQLite's online backup API copies the database while the site keeps running
  (a consistent snapshot, even mid bill run); the copy is one self-contained SQLite file
  (journal mode DELETE), checked with ``PRAGMA integrity_check``.
- PostgreSQL: ``pg_dump --format=custom`` (the machine's PostgreSQL client binaries, or
  those in ``COOPCIS_PG_BIN``), restored with ``pg_restore`` in one transaction.

``restore`` writes only into an empty database (no tables; not even migrated), so a
restore can never mix two co-ops' books; the backup file says which kind it is. Bill
PDFs are rendered from the database, so they come back with it. Files are written
readable by their owner only (0600): they hold member data.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from coopcis.commands.parsing import OneLineParser

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, in one line."""


def _database() -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopcis.site.settings")
    import django
    from django.conf import settings

    django.setup()
    database: dict[str, Any] = settings.DATABASES["default"]
    return database


def _kind(database: dict[str, Any]) -> str:
    engine = str(database["ENGINE"])
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"backups support SQLite and PostgreSQL, not {engine}")


# -- SQLite ---------------------------------------------------------------------------------


def _sqlite_backup(path: str, out: Path) -> None:
    temporary = out.with_name(f".{out.name}.partial")
    temporary.unlink(missing_ok=True)
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    source = sqlite3.connect(path, timeout=30)
    copy = sqlite3.connect(temporary)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        (verdict,) = copy.execute("PRAGMA integrity_check").fetchone()
        if verdict != "ok":
            raise BackupError(f"the copy fails SQLite's integrity check: {verdict}")
    finally:
        copy.close()
        source.close()
    os.replace(temporary, out)


def _sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [name for (name,) in rows]


def _sqlite_restore(backup: Path, path: str) -> int:
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    target = sqlite3.connect(path, timeout=30)
    try:
        if _sqlite_tables(target):
            raise BackupError(f"{path} is not empty: restore only into a new, empty database")
        (verdict,) = source.execute("PRAGMA integrity_check").fetchone()
        if verdict != "ok":
            raise BackupError(f"{backup} fails SQLite's integrity check: {verdict}")
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
        return len(_sqlite_tables(target))
    finally:
        target.close()
        source.close()


# -- PostgreSQL -----------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    folder = os.environ.get("COOPCIS_PG_BIN", "")
    found = str(Path(folder) / name) if folder else shutil.which(name)
    if not found or not Path(found).exists():
        raise BackupError(f"{name} not found: install the PostgreSQL client or set COOPCIS_PG_BIN")
    return found


def _pg_connection(database: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection options for the PostgreSQL tools, and their environment (password)."""
    options = ["--dbname", str(database["NAME"])]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            options += [flag, str(database[key])]
    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return options, env


def _pg_run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise BackupError(f"{Path(command[0]).name} failed: {lines[0] if lines else 'no message'}")


def _pg_backup(database: dict[str, Any], out: Path) -> None:
    options, env = _pg_connection(database)
    temporary = out.with_name(f".{out.name}.partial")
    temporary.unlink(missing_ok=True)
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        _pg_run([_pg_tool("pg_dump"), "--format=custom", "--file", str(temporary), *options], env)
    except BackupError:
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, out)


def _pg_table_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
        (count,) = cursor.fetchone()
    connection.close()
    return int(count)


def _pg_restore(database: dict[str, Any], backup: Path) -> int:
    if _pg_table_count():
        raise BackupError(
            f"database {database['NAME']} is not empty: restore only into a new, empty database"
        )
    options, env = _pg_connection(database)
    _pg_run(
        [_pg_tool("pg_restore"), "--single-transaction", "--no-owner", *options, str(backup)], env
    )
    return _pg_table_count()


# -- the commands ---------------------------------------------------------------------------


def backup_main(argv: list[str]) -> int:
    parser = OneLineParser(
        prog="coopcis backup", description="Copy the database into one file, online."
    )
    parser.add_argument("--out", required=True, type=Path, help="the backup file to write")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    if out.is_dir() or not out.parent.is_dir():
        parser.error(f"--out must name a file in an existing folder, not {args.out}")
    database = _database()
    if _kind(database) == "sqlite":
        _sqlite_backup(str(database["NAME"]), out)
    else:
        _pg_backup(database, out)
    print(f"backed up {_kind(database)} database to {out} ({out.stat().st_size:,} bytes)")
    return 0


def restore_main(argv: list[str]) -> int:
    parser = OneLineParser(
        prog="coopcis restore", description="Restore a backup into an empty database."
    )
    parser.add_argument("file", type=Path, help="a file written by coopcis backup")
    args = parser.parse_args(argv)
    backup: Path = args.file
    if not backup.is_file():
        parser.error(f"no backup file {backup}")
    with backup.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    found = (
        "sqlite"
        if head == SQLITE_MAGIC
        else "postgresql"
        if head.startswith(PG_CUSTOM_MAGIC)
        else None
    )
    if found is None:
        raise BackupError(f"{backup} is not a coopcis backup (SQLite or pg_dump custom format)")
    database = _database()
    kind = _kind(database)
    if found != kind:
        raise BackupError(f"{backup} is a {found} backup; the configured database is {kind}")
    if kind == "sqlite":
        tables = _sqlite_restore(backup, str(database["NAME"]))
    else:
        tables = _pg_restore(database, backup)
    print(f"restored {backup} into the {kind} database ({tables} tables)")
    return 0
