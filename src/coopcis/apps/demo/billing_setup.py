"""What the demo co-op needs before it can bill: cycles, the months' factors, county taxes,
the avoided cost its net-metered members' excess is credited at, and its (illustrative) ACH set-up with its bank, so its bank-draft members are drafted.

The demo reads its four cycles on the 5th, 12th, 19th and 26th (``synth.places``); bills
go out three days after the read. Cost-adjustment factors and gross receipts rates here
are illustrative values for the demo, not any commission filing or tax schedule, and say
so in their source text; a real co-op enters its own with ``coopcis billing factors`` and
``coopcis billing tax``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from coopcis.apps.billing.models import BillingCycle, LocationTax, RiderFactor
from coopcis.apps.demo.synth.places import CYCLE_READ_DAY
from coopcis.apps.netmetering.models import AvoidedCostRate
from coopcis.apps.payments.ach.drafts import set_originator
from coopcis.apps.payments.ach.models import AchOriginator
from coopcis.apps.premises.models import Premise

BILL_LAG_DAYS = 3
DEMO_SOURCE = "demo co-op: illustrative value, not a filing"
#: PCA $/kWh by calendar month: purchased power costs more in the cooling season.
PCA_BY_MONTH = {
    1: "0.004100",
    2: "0.003800",
    3: "0.003200",
    4: "0.002900",
    5: "0.003600",
    6: "0.005400",
    7: "0.006300",
    8: "0.006100",
    9: "0.004700",
    10: "0.003300",
    11: "0.003500",
    12: "0.004000",
}
DCA_PER_KWH = Decimal("0.000850")
#: The avoided cost net-metered members' excess energy is credited at (SEC policy 425).
AVOIDED_COST_PER_KWH = Decimal("0.028500")
#: Illustrative gross receipts rates by county.
GROSS_RECEIPTS = {
    "Otero": "0.066875",
    "Lincoln": "0.070625",
    "Chaves": "0.064375",
    "Socorro": "0.068750",
}


#: The demo's bank (illustrative: any valid routing number would do; a real co-op runs
#: ``coopcis ach originator`` with its own bank's).
DEMO_ORIGINATOR = {
    "immediate_destination": "102000021",
    "destination_name": "DEMO NATIONAL BANK",
    "immediate_origin": "1850000001",
    "origin_name": "DEMO ELECTRIC COOP",
    "company_name": "DEMO ELEC COOP",
    "company_identification": "1850000001",
    "originating_dfi": "10200002",
    "entry_description": "ELEC BILL",
}


def months_between(start: date, end: date) -> list[str]:
    """``YYYY-MM`` for each month from ``start``'s up to, not including, ``end``'s."""
    labels, year, month = [], start.year, start.month
    while (year, month) < (end.year, end.month) or not labels:
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels


def store_billing_setup(*, start: date, end: date) -> int:
    """Cycles, factors for every month of the window, and taxes for the demo's counties."""
    rows = 0
    for number, read_day in CYCLE_READ_DAY.items():
        BillingCycle.objects.update_or_create(
            number=number, defaults={"read_day": read_day, "bill_lag_days": BILL_LAG_DAYS}
        )
        rows += 1
    for label in months_between(start, end):
        factors = {"pca": Decimal(PCA_BY_MONTH[int(label[5:])]), "dca": DCA_PER_KWH}
        for code, per_kwh in factors.items():
            RiderFactor.objects.update_or_create(
                month=label, code=code, defaults={"per_kwh": per_kwh, "source": DEMO_SOURCE}
            )
            rows += 1
    counties = set(Premise.objects.values_list("county", flat=True))
    for county in sorted(counties & GROSS_RECEIPTS.keys()):
        LocationTax.objects.update_or_create(
            county=county,
            name="Gross receipts",
            effective_on=date(2000, 1, 1),
            defaults={"rate": Decimal(GROSS_RECEIPTS[county]), "source": DEMO_SOURCE},
        )
        rows += 1
    AvoidedCostRate.objects.update_or_create(
        effective_on=date(2000, 1, 1),
        defaults={"rate_per_kwh": AVOIDED_COST_PER_KWH, "source": DEMO_SOURCE},
    )
    rows += 1
    if not AchOriginator.objects.exists():
        set_originator(**DEMO_ORIGINATOR)
        rows += 1
    return rows
