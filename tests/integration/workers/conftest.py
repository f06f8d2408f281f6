"""What the worker tests start from, made once per session and copied by each test
(``CREATE DATABASE ... TEMPLATE``, ``_clone``): an empty migrated database with the
operator's sign-in (``migrated``), and the co-op they bill (``co_op``): a 400-member demo
loaded into a copy of it, and the reference in-process bill run of a copy of that, which
each test's run on workers must match bill by bill. Made per test, the migrations, the
demo and the reference run took most of each test's time."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection

from tests.integration.billing.test_kill_restart import (
    PERIOD,
    _bills,
    _coopcis,
    _demo,
    _env,
    _migrate,
    _server,
)
from tests.integration.workers.test_worker_kill import _clone


@dataclass(frozen=True)
class CoOp:
    #: the unbilled co-op's environment: copy it with ``_clone``
    env: dict[str, str]
    #: the reference run's ``bill-run --json`` and its bills (``_bills``)
    expected: dict[str, Any]
    bills: dict[str, Any]

    @property
    def total(self) -> int:
        return int(self.expected["billed"]) + int(self.expected["held"])


@pytest.fixture(scope="session")
def migrated(tmp_path_factory):
    """The environment of an empty database, migrated, with the operator's sign-in (a
    manager): copy it with ``_clone``."""
    if connection.vendor != "postgresql":
        pytest.skip("workers run on PostgreSQL only (SQLite keeps everything in-process)")
    made: list[str] = []
    folder = tmp_path_factory.mktemp("workers-migrated")
    try:
        env = _env(folder, "migrated", made)
        _migrate(env)
        yield env
    finally:
        for name in made:
            _server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def co_op(tmp_path_factory, migrated):
    made: list[str] = []
    folder = tmp_path_factory.mktemp("workers-co-op")
    try:
        unbilled = _clone(migrated, "coop", made, folder)
        _demo(unbilled)
        reference = _clone(unbilled, "reference", made, folder)
        expected = json.loads(_coopcis(reference, "bill-run", "--period", PERIOD, "--json"))
        yield CoOp(env=unbilled, expected=expected, bills=_bills(reference))
    finally:
        for name in made:
            _server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
