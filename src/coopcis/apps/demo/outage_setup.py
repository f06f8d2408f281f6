"""The demo co-op's outage history: five years before the demo's latest year and that
year to date, stored as history imported from the co-op's previous outage system."""

from __future__ import annotations

from datetime import date

from coopcis.apps.demo.synth.outage_history import outage_history
from coopcis.apps.outages.models import HistoryImport, Interruption, InterruptionSource
from coopcis.apps.premises.models import ServicePoint


def store_outage_history(*, seed: int, end: date) -> int:
    """Store the history; the number of interruptions."""
    first = date(end.year - 5, 1, 1)
    served = ServicePoint.objects.count()
    if not served:
        return 0
    rows = sorted(
        outage_history(first_day=first, end_day=end, customers_served=served, seed=seed),
        key=lambda item: item.start_at,
    )
    record = HistoryImport.objects.create(
        sha256=f"demo-{seed}-{first:%Y%m%d}-{end:%Y%m%d}".ljust(64, "0")[:64],
        file_name="demo outage history",
        rows=len(rows),
        imported_by="demo",
    )
    Interruption.objects.bulk_create(
        [
            Interruption(
                start_at=item.start_at,
                end_at=item.end_at,
                customers_interrupted=item.customers,
                cause=item.cause,
                device=item.device,
                source=InterruptionSource.IMPORTED,
                history_import=record,
                line_number=number,
            )
            for number, item in enumerate(rows, start=2)
        ],
        batch_size=2000,
    )
    return len(rows)
