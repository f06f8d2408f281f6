"""A fresh, empty coopcis database for one benchmark run, removed afterwards.

SQLite in a new temporary folder, or with ``postgres`` a new database on 127.0.0.1:5432
(dropped when the run ends, whatever happened). The environment handed back has none of
the caller's ``COOPCIS_`` settings, so a developer's own database is never touched.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc"]


@contextmanager
def scratch_env(*, postgres: bool, template: str | None = None) -> Iterator[dict[str, str]]:
    """``template`` (PostgreSQL): the new database is a copy of that one (``CREATE
    DATABASE ... TEMPLATE``, a file copy: seconds, where loading again takes minutes)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("COOPCIS_")}
    env["COOPCIS_VAR_DIR"] = tempfile.mkdtemp(prefix="coopcis-bench-")
    database = f"coopcis_bench_{os.getpid()}"
    if postgres:
        copy = f" TEMPLATE {template}" if template else ""
        subprocess.run([*PSQL, f"CREATE DATABASE {database}{copy}"], check=True)
        env["COOPCIS_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{database}"
    try:
        yield env
    finally:
        if postgres:
            subprocess.run([*PSQL, f"DROP DATABASE {database}"], check=False)


def keep_as_template(env: dict[str, str], name: str) -> None:
    """Copy the scratch PostgreSQL database of ``env`` to ``name`` (replacing it), so a
    later run can start from it with ``scratch_env(template=name)``."""
    source = env["COOPCIS_DATABASE_URL"].rsplit("/", 1)[1]
    subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run([*PSQL, f"CREATE DATABASE {name} TEMPLATE {source}"], check=True)
