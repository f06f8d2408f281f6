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
def scratch_env(*, postgres: bool) -> Iterator[dict[str, str]]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COOPCIS_")}
    env["COOPCIS_VAR_DIR"] = tempfile.mkdtemp(prefix="coopcis-bench-")
    database = f"coopcis_bench_{os.getpid()}"
    if postgres:
        subprocess.run([*PSQL, f"CREATE DATABASE {database}"], check=True)
        env["COOPCIS_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{database}"
    try:
        yield env
    finally:
        if postgres:
            subprocess.run([*PSQL, f"DROP DATABASE {database}"], check=False)
