"""Run a seed: set the co-op up, take seed-chosen steps with faults, check after each.

Each seed runs in one transaction that is rolled back at the end, so seeds do not see each
other and a seed replays the same way on any database (``coopcis simulate --seed S``). The
services' own transactions are savepoints inside it: what they commit stays, what they
roll back goes, as with real commits. What they ask to run on commit (events between apps)
is run when the step ends.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, connection, transaction

from coopcis.apps.audit.context import acting_as
from coopcis.apps.simulation import invariants
from coopcis.apps.simulation.faults import Fault, WorkerCrash, injected, run_on_commit_callbacks
from coopcis.apps.simulation.world import World, temporary_folder
from coopcis.core.errors import RuleViolation

#: Chances that a step meets a database error, or that its process dies, at a chosen statement.
DATABASE_FAULT = 0.2
CRASH_FAULT = 0.08
FIRST_MEMBERS = 6


@dataclass
class Failure:
    step: int
    kind: str
    problem: str

    def line(self, seed: int) -> str:
        return f"seed {seed} step {self.step}: {self.problem} (a {self.kind} step)"


@dataclass
class SeedResult:
    seed: int
    steps: int = 0
    faults: int = 0
    struck: int = 0
    seconds: float = 0.0
    failure: Failure | None = None
    log: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "seed": self.seed,
            "steps": self.steps,
            "faults_injected": self.faults,
            "faults_struck": self.struck,
            "seconds": round(self.seconds, 2),
            "failure": self.failure.line(self.seed) if self.failure else None,
        }


class _Rollback(Exception):
    """Ends a seed's transaction: nothing it did is kept."""


def simulate(seed: int, *, steps: int) -> SeedResult:
    """Run ``seed`` for ``steps`` steps; its result names the first step that broke."""
    result = SeedResult(seed)
    started = time.perf_counter()
    try:
        with acting_as(label="simulation"), temporary_folder() as folder, transaction.atomic():
            _run(seed, steps, Path(folder), result)
            raise _Rollback
    except _Rollback:
        pass
    result.seconds = time.perf_counter() - started
    return result


def _run(seed: int, steps: int, folder: Path, result: SeedResult) -> None:
    chooser = random.Random(seed)
    expected = invariants.Expected()
    world = World(chooser, expected, folder)
    world.set_up(FIRST_MEMBERS)
    problems = invariants.check(expected)
    if problems:
        result.failure = Failure(0, "set-up", "; ".join(problems))
        return
    kinds = world.step_kinds()
    names = list(kinds)
    weights = [kinds[name][0] for name in names]
    for number in range(1, steps + 1):
        name, act = _choose(chooser, names, weights, kinds)
        fault = _fault(chooser, name)
        result.steps = number
        result.faults += fault is not None
        outcome = _take(act, fault, result)
        result.log.append(
            f"step {number} [{fault.describe() if fault else 'no fault'}] {name}: {outcome}"
        )
        if outcome.startswith("unexpected"):
            result.failure = Failure(number, name, outcome)
            return
        problems = invariants.check(expected)
        if problems:
            result.failure = Failure(number, name, "; ".join(problems))
            return


def _choose(chooser, names, weights, kinds):  # type: ignore[no-untyped-def]
    while True:
        name = chooser.choices(names, weights=weights)[0]
        act = kinds[name][1]()
        if act is not None:
            return name, act


def _fault(chooser: random.Random, name: str) -> Fault | None:
    draw = chooser.random()
    if name == "day":
        return None
    if draw < DATABASE_FAULT:
        return Fault("database", chooser.randint(1, 40))
    if draw < DATABASE_FAULT + CRASH_FAULT:
        return Fault("crash", chooser.randint(1, 40))
    return None


def _take(act, fault: Fault | None, result: SeedResult) -> str:  # type: ignore[no-untyped-def]
    """Do the step; after a fault that struck, do it again as its caller would (the same
    request, the same file, the same command)."""
    try:
        with injected(fault) as strike:
            outcome = act()
    except (DatabaseError, WorkerCrash) as error:
        _as_autocommit_would()
        if fault is None or not strike.struck:
            return f"unexpected {type(error).__name__}: {error}"
        result.struck += 1
        run_on_commit_callbacks(0)
        return f"{fault.describe()} struck; again: {_again(act)}"
    except RuleViolation as refused:
        _as_autocommit_would()
        outcome = f"refused: {refused}"
    except Exception as error:
        return f"unexpected {type(error).__name__}: {error}"
    run_on_commit_callbacks(0)
    if fault is not None and strike.struck:
        result.struck += 1
        outcome += f" ({fault.describe()} struck and was handled)"
    return outcome


def _as_autocommit_would() -> None:
    """Django marks the whole transaction for rollback when a ``save()`` outside any
    ``atomic`` block raises; in production (autocommit) that save was its own transaction
    and nothing else is lost. An injected fault strikes before its statement reaches the
    database, so the seed's transaction is still sound: keep it going."""
    if connection.in_atomic_block and connection.needs_rollback:
        transaction.set_rollback(False)


def _again(act) -> str:  # type: ignore[no-untyped-def]
    try:
        outcome = act()
    except RuleViolation as refused:
        _as_autocommit_would()
        outcome = f"refused: {refused}"
    except Exception as error:
        return f"unexpected {type(error).__name__} on the retry: {error}"
    run_on_commit_callbacks(0)
    return str(outcome)


def database_is_empty() -> bool:
    from coopcis.apps.members.models import Account

    return connection.vendor in ("sqlite", "postgresql") and not Account.objects.exists()
