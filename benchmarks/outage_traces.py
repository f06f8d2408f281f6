"""Benchmark: upstream and downstream traces on the demo co-op's network.

    COOPCIS_VAR_DIR=DIR .venv/bin/python benchmarks/outage_traces.py [--runs 1000]

Uses the database the environment names (load it first with ``coopcis demo --members
20000``; it is only read). Times building the tree from the database (the cost paid once
per process and after every network import), then ``--runs`` random traces of each kind:
a service point's upstream path, a device's downstream service points, and the lowest
common upstream device of two random service points of one feeder. Prints one JSON line;
the figures go into docs/benchmarks.md ("Outage network traces") by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1000)
    arguments = parser.parse_args()
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopcis.site.settings")
    django.setup()
    from coopcis.apps.outages.network import current_network, forget_network

    forget_network()
    started = time.perf_counter()
    network = current_network()
    build_ms = (time.perf_counter() - started) * 1000
    rng = random.Random(1)
    points = [c for c, k in zip(network.codes, network.kinds, strict=True) if k == "service_point"]
    devices = [c for c, k in zip(network.codes, network.kinds, strict=True) if k != "service_point"]

    def timed(action) -> dict[str, float]:  # type: ignore[no-untyped-def]
        times = []
        for _ in range(arguments.runs):
            begin = time.perf_counter()
            action()
            times.append((time.perf_counter() - begin) * 1000)
        times.sort()
        return {
            "median_ms": round(statistics.median(times), 4),
            "p99_ms": round(times[int(len(times) * 0.99) - 1], 4),
            "max_ms": round(times[-1], 4),
        }

    by_kind = {k: [d for d in devices if network.kind(d) == k] for k in ("substation", "feeder")}
    print(
        json.dumps(
            {
                "nodes": len(network.codes),
                "service_points": len(points),
                "devices": len(devices),
                "build_ms": round(build_ms, 1),
                "upstream": timed(lambda: network.upstream(rng.choice(points))),
                "downstream_any_device": timed(
                    lambda: network.downstream_service_points(rng.choice(devices))
                ),
                "downstream_substation": timed(
                    lambda: network.downstream_service_points(rng.choice(by_kind["substation"]))
                ),
                "downstream_source": timed(
                    lambda: network.downstream_service_points(network.upstream(points[0])[-1])
                ),
                "lowest_common_upstream": timed(
                    lambda: network.lowest_common_upstream(rng.sample(points, 2))
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
