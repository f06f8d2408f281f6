"""Bills as the bill run would leave them, made directly for the printing tests."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from coopcis.apps.billing.models import Bill, BillLineItem
from coopcis.apps.premises.models import ServiceAgreement

#: OCEC residential flat, 850 kWh, with the month's riders and gross receipts tax.
RESIDENTIAL_LINES = (
    ("customer", "Customer charge", "1", "period", "30.00", "30.00",
     "SUMMARY OF RATES: Residential Service ~ Flat Rate, CUSTOMER CHARGE $30.00 (seed 001)"),
    ("energy", "Energy, all kWh", "850", "kWh", "0.1371", "116.54",
     "SUMMARY OF RATES: Residential Service ~ Flat Rate, Energy (all kWh) $0.1371 (seed 001)"),
    ("pca", "Fuel and purchased power cost adjustment", "850", "kWh", "0.012345", "10.49",
     "SUMMARY OF RATES: All rates are subject to Fuel and Debt Service Adjustments (seed 001); "
     "17.9.550 NMAC"),
    ("tax-gross-receipts", "Gross receipts tax", "157.03", "$", "0.06875", "10.80",
     "Rate 19 TAX ADJUSTMENT (seed 003): Gross Receipts and Compensating Tax Act"),
)  # fmt: skip
RESIDENTIAL_TOTAL = Decimal("167.83")


def read_dates(period: str) -> tuple[date, date]:
    """Cycle reads on the 5th: the period's read falls in the billing month."""
    year, month = int(period[:4]), int(period[5:7])
    end = date(year, month, 5)
    start = date(year - (month == 1), (month - 2) % 12 + 1, 5)
    return start, end


def make_bill(
    agreement: ServiceAgreement,
    period: str = "2026-03",
    *,
    lines: tuple[tuple[str, ...], ...] = RESIDENTIAL_LINES,
    status: str = "POSTED",
    energy_wh: int | None = 850_000,
    **fields: object,
) -> Bill:
    start, end = read_dates(period)
    bill_date = end + timedelta(days=3)
    total = sum((Decimal(line[5]) for line in lines), Decimal(0))
    values: dict[str, object] = {
        "account": agreement.account,
        "service_point": agreement.service_point,
        "agreement": agreement,
        "period": period,
        "period_start": start,
        "period_end": end,
        "bill_date": bill_date,
        "due_date": bill_date + timedelta(days=20),
        "tariff_code": agreement.tariff_code,
        "status": status,
        "meter_serial": "AMI77120",
        "previous_register_wh": 12_345_000,
        "current_register_wh": 12_345_000 + (energy_wh or 0),
        "previous_read_kind": "ACTUAL",
        "current_read_kind": "ACTUAL",
        "energy_wh": energy_wh,
        "total_amount": total,
        "previous_balance_amount": Decimal("152.10"),
        "payments_amount": Decimal("152.10"),
        "amount_due_amount": total,
    }
    values.update(fields)
    bill = Bill.objects.create(**values)
    BillLineItem.objects.bulk_create(
        BillLineItem(
            bill=bill, position=position, code=code, description=description,
            quantity=Decimal(quantity), unit=unit, rate=Decimal(rate), amount=Decimal(amount),
            source=source,
        )
        for position, (code, description, quantity, unit, rate, amount, source)
        in enumerate(lines, start=1)
    )  # fmt: skip
    return bill
