"""The demo co-op's outage history: five years before the demo's latest year and that
year to date, stored as history imported from the co-op's previous outage system."""

from __future__ import annotations

from datetime import date

from coopcis.apps.demo.synth.outage_history import outage_history
from coopcis.apps.outages.services import store_history
from coopcis.apps.premises.models import ServicePoint
from coopcis.core.outages.reliability import Interruption


def store_outage_history(*, seed: int, end: date) -> int:
    """Store the history; the number of interruptions."""
    first = date(end.year - 5, 1, 1)
    served = ServicePoint.objects.count()
    if not served:
        return 0
    synthetic = sorted(
        outage_history(first_day=first, end_day=end, customers_served=served, seed=seed),
        key=lambda item: item.start_at,
    )
    store_history(
        sha256=f"demo-{seed}-{first:%Y%m%d}-{end:%Y%m%d}".ljust(64, "0")[:64],
        file_name="demo outage history",
        rows=[
            (line, Interruption(i.start_at, i.end_at, i.customers, i.cause, i.device))
            for line, i in enumerate(synthetic, start=2)
        ],
    )
    return len(synthetic)
