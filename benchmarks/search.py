"""Benchmark: account search as staff type, on a loaded demo co-op.

    COOPCIS_VAR_DIR=DIR .venv/bin/python benchmarks/search.py [--runs 5]
    COOPCIS_DATABASE_URL=postgresql://... .venv/bin/python benchmarks/search.py

Uses the database the environment names (load it first with
``coopcis demo --members 20000``; it is only read). For each query below, in the order a
clerk types it, it times what one keystroke's request does: ``search_accounts``' count
and its first page of 25 with their service addresses (the live results). It prints one
JSON line per query (the median and the slowest of ``--runs`` runs, in milliseconds, and
the number of matches) and the slowest median; the figures go into docs/benchmarks.md
("Account search as people type") by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

QUERIES = (
    "ga",
    "garc",
    "garcia",
    "garcia m",
    "ramon",
    "ramón",
    "ro",
    "road",
    "canyon rd",
    "highway 82",
    "10",
    "1000",
    "100012",
    "ac",
    "ac4100",
    "575-4",
    "nobody matches this",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopcis.site.settings")
    django.setup()
    from django.db import connection

    from coopcis.apps.backoffice.queries import search_accounts, service_address
    from coopcis.apps.members.models import Account

    print(json.dumps({"database": connection.vendor, "accounts": Account.objects.count()}))
    medians = []
    for query in QUERIES:
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            results = search_accounts(query)
            count = results.count()
            for account in results[:25]:
                service_address(account)
            times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(times)
        medians.append(median)
        print(
            json.dumps(
                {
                    "query": query,
                    "matches": count,
                    "median_ms": round(median, 1),
                    "max_ms": round(max(times), 1),
                }
            )
        )
    print(json.dumps({"slowest_median_ms": round(max(medians), 1)}))


if __name__ == "__main__":
    main()
