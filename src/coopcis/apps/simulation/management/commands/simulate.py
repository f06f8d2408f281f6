"""``coopcis simulate``: the seeded fault simulation of the co-op (docs/adr/0007-workers.md)."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import CommandError, CommandParser

from coopcis.apps.simulation.runner import database_is_empty, simulate
from coopcis.site.commands import CoopCommand


class Command(CoopCommand):
    help = (
        "Run the seeded simulation of the co-op (members joining and leaving, late and "
        "repeated reads, bill runs in-process and on workers, payments from every channel "
        "with retries, ACH returns, collections) with database errors and worker crashes "
        "injected, checking the books after every step. Changes nothing: each seed is rolled "
        "back. Needs a migrated database with no accounts."
    )
    read_only = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seeds", type=int, default=20, help="how many seeds (default 20)")
        parser.add_argument("--first", type=int, default=1, help="the first seed (default 1)")
        parser.add_argument("--seed", type=int, help="replay this one seed, step by step")
        parser.add_argument("--steps", type=int, default=150, help="steps per seed (default 150)")
        parser.add_argument("--json", action="store_true", help="one JSON object per seed")

    def run(self, *args: Any, **options: Any) -> None:
        if options["steps"] < 1 or options["seeds"] < 1:
            raise CommandError("--steps and --seeds must be at least 1")
        if not database_is_empty():
            raise CommandError(
                "simulate needs a migrated database with no accounts (each seed builds its own "
                "co-op and is rolled back): e.g. COOPCIS_VAR_DIR=$(mktemp -d) coopcis migrate"
            )
        replay = options["seed"] is not None
        seeds = (
            [options["seed"]]
            if replay
            else range(options["first"], options["first"] + options["seeds"])
        )
        failed = []
        started = time.perf_counter()
        for seed in seeds:
            result = simulate(seed, steps=options["steps"])
            if replay and not options["json"]:
                for line in result.log:
                    self.stdout.write(line)
            if options["json"]:
                self.stdout.write(json.dumps(result.as_json()))
            elif result.failure is None:
                self.stdout.write(
                    f"seed {seed}: {result.steps} steps sound, {result.struck} of "
                    f"{result.faults} faults struck ({result.seconds:.1f} s)"
                )
            if result.failure is not None:
                failed.append(result.failure.line(seed))
                self.stderr.write(result.failure.line(seed))
        if not options["json"]:
            self.stdout.write(
                f"{len(list(seeds)) - len(failed)} of {len(list(seeds))} seeds sound "
                f"in {time.perf_counter() - started:.1f} s"
            )
        if failed:
            raise CommandError(f"{len(failed)} seeds broke an invariant; replay with --seed S")
