"""The demo co-op's outage history: five years before the demo's latest year and that
year to date, stored as history imported from the co-op's previous outage system; and its
households with life-support equipment on record."""

from __future__ import annotations

from datetime import date, timedelta

from coopcis.apps.demo.synth.outage_history import outage_history
from coopcis.apps.members.models import Account
from coopcis.apps.outages.models import LifeSupportCertificate
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


#: One residential account in LIFE_SUPPORT_EVERY has a life-support certificate; one of
#: EXPIRED_EVERY of those lapsed before the demo's end (it no longer counts).
LIFE_SUPPORT_EVERY, EXPIRED_EVERY = 150, 5
EQUIPMENT = (
    "oxygen concentrator",
    "home dialysis",
    "ventilator",
    "CPAP machine",
    "infusion pump",
)


def store_life_support(*, end: date) -> int:
    """Life-support certificates on some residential accounts in service: received in the
    year before ``end`` and valid a year, a few already expired; the number stored."""
    accounts = list(
        Account.objects.filter(rate_class="RESIDENTIAL", agreements__end_on__isnull=True)
        .distinct()
        .order_by("id")
        .values_list("id", flat=True)
    )
    certificates = []
    for n, account_id in enumerate(accounts[::LIFE_SUPPORT_EVERY]):
        received = end - timedelta(days=30 + (n * 37) % 300)
        expires = received + timedelta(days=365)
        if n % EXPIRED_EVERY == EXPIRED_EVERY - 1:
            received, expires = end - timedelta(days=400), end - timedelta(days=35)
        certificates.append(
            LifeSupportCertificate(
                account_id=account_id,
                equipment=EQUIPMENT[n % len(EQUIPMENT)],
                certified_by=f"Dr. {('Ortiz', 'Vigil', 'Chavez', 'Baca')[n % 4]}",
                received_on=received,
                expires_on=expires,
            )
        )
    LifeSupportCertificate.objects.bulk_create(certificates)
    return len(certificates)
