"""Faults injected at chosen points: a database error, a worker that dies.

Both count the SQL statements the step runs (``connection.execute_wrapper``) and strike at
the seed-chosen Nth one, before it reaches the database, so PostgreSQL's transaction is not
aborted by the fault itself: what the code under test does next is all that matters.

- :class:`DatabaseFault` raises ``OperationalError`` once (a dropped connection, a
  serialization failure): the caller's retry must then do the work exactly once.
- :class:`WorkerCrash` is a ``BaseException`` (``except Exception`` does not catch it, as
  nothing catches SIGKILL), and once it has struck every later statement of the step fails
  too: a dead process writes nothing more, not even its own "interrupted" marker.

Statements that open, release or roll back savepoints are not counted: they are how a
transaction ends, and a fault there is a fault of the statement before it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import OperationalError, connection

TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


class WorkerCrash(BaseException):
    """The process doing the step died at this statement."""


@dataclass(frozen=True)
class Fault:
    """Strike at the ``at``-th statement of the step: ``database`` (one OperationalError)
    or ``crash`` (the process dies there)."""

    kind: str
    at: int

    def describe(self) -> str:
        what = "database error" if self.kind == "database" else "worker crash"
        return f"{what} at statement {self.at}"


@dataclass
class Strike:
    """How a fault went: whether it struck (the step reached the chosen statement)."""

    fault: Fault | None
    struck: bool = False
    statements: int = 0


@contextmanager
def injected(fault: Fault | None) -> Iterator[Strike]:
    strike = Strike(fault)
    if fault is None:
        yield strike
        return

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if sql.lstrip().upper().startswith(TRANSACTION_CONTROL):
            return execute(sql, params, many, context)
        if strike.struck and fault.kind == "crash":
            raise WorkerCrash(f"the process died at statement {fault.at}")
        strike.statements += 1
        if strike.statements == fault.at:
            strike.struck = True
            if fault.kind == "crash":
                raise WorkerCrash(f"the process died at statement {fault.at}")
            raise OperationalError(
                f"simulated: server closed the connection unexpectedly (statement {fault.at})"
            )
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield strike


def run_on_commit_callbacks(start: int) -> None:
    """Run what the step registered to happen on commit (events between apps, ADR 0006):
    a seed runs in one transaction that is rolled back, so nothing would ever commit."""
    while len(connection.run_on_commit) > start:
        callbacks = connection.run_on_commit[start:]
        del connection.run_on_commit[start:]
        for _savepoints, callback, _robust in callbacks:
            callback()
