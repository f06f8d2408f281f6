"""What a printed bill shows, loaded from the database in a fixed number of queries.

:class:`BillDocument` holds plain values (no model instances), so the renderer needs no
database and a print worker can load a chunk of bills in five queries: the bills with
their account, party, service point and premise; their lines; and the usage history
of their service points (their bills, and the register reads for the months before
coopcis billed: two more queries).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from coopcis.apps.billing.models import Bill, BillLineItem, BillStatus
from coopcis.apps.members.models import Account
from coopcis.apps.metering.history import ReadSpan, monthly_energy, read_spans
from coopcis.apps.netmetering.models import NetMeteringMonth
from coopcis.apps.netmetering.policy import net_metering_policy
from coopcis.catalog.tariffs import TariffError, load_tariff

#: Months the usage chart shows: this bill's and the twelve before it.
CHART_MONTHS = 13


@dataclass(frozen=True, slots=True)
class LineView:
    description: str
    quantity: Decimal
    unit: str
    rate: Decimal
    amount: Decimal
    source: str


@dataclass(frozen=True, slots=True)
class UsageMonth:
    """One bar of the chart: a billing month and its kWh (None when not billed)."""

    period: str
    energy_kwh: Decimal | None


@dataclass(frozen=True, slots=True)
class NetMeteringView:
    """A net-metered bill's netting and credit bank (SEC policy 425), as printed."""

    delivered_wh: int
    received_wh: int
    net_wh: int
    excess_wh: int
    avoided_cost_per_kwh: Decimal | None
    credit_amount: Decimal
    bank_before_amount: Decimal
    payout_amount: Decimal
    bank_after_amount: Decimal
    #: CHECK or BILL_CREDIT (the profile's method when the month paid out; "" otherwise).
    payout_method: str = ""
    #: The profile's payout threshold (``[net_metering] payout_above``), printed with a payout.
    payout_above: Decimal = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class BillDocument:
    """Everything printed on one bill."""

    bill_id: int
    number: str
    status: str
    period: str
    period_start: date
    period_end: date
    bill_date: date
    due_date: date
    tariff_code: str
    estimated: bool
    account_number: str
    name: str
    language: str
    paperless: bool
    autopay: bool
    mailing_lines: tuple[str, ...]
    mailing_zip: str
    service_address: str
    service_point_code: str
    meter_serial: str
    multiplier: int
    previous_register_wh: int | None
    current_register_wh: int | None
    previous_read_kind: str
    current_read_kind: str
    energy_wh: int | None
    demand_kw: Decimal | None
    power_factor: Decimal | None
    total_amount: Decimal
    previous_balance_amount: Decimal
    payments_amount: Decimal
    amount_due_amount: Decimal
    lines: tuple[LineView, ...] = ()
    usage: tuple[UsageMonth, ...] = field(default_factory=tuple)
    #: Set on a copy printed again later (at the counter, for a lost bill): the day printed.
    reprinted_on: date | None = None
    #: The rate schedule as a member asks for it: its name and effective date.
    tariff_name: str = ""
    tariff_effective_on: date | None = None
    #: A net-metered bill's netting and credit bank.
    net_metering: NetMeteringView | None = None

    @property
    def is_metered(self) -> bool:
        return self.current_register_wh is not None or self.energy_wh is not None

    @property
    def other_activity_amount(self) -> Decimal:
        """What the amount due holds besides the previous bill, the payments since and this
        bill: fees, late charges, deposits billed, adjustments, and the bills of the
        account's other locations billed before this one (SEC policy 408). Printed so the
        account summary adds up; zero for most bills."""
        return (
            self.amount_due_amount
            - self.previous_balance_amount
            + self.payments_amount
            - self.total_amount
        )


def shift_month(period: str, months: int) -> str:
    """``shift_month("2026-01", -1) == "2025-12"``."""
    index = int(period[:4]) * 12 + int(period[5:7]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def chart_periods(period: str) -> list[str]:
    """The 13 billing months ending with ``period``, oldest first."""
    return [shift_month(period, offset) for offset in range(1 - CHART_MONTHS, 1)]


def mailing_lines(account: Account) -> tuple[str, ...]:
    """The envelope's address lines: name, street (one or two lines), city state ZIP."""
    city = f"{account.mailing_city} {account.mailing_state} {account.mailing_zip}"
    lines = [account.party.display_name, account.mailing_line1, account.mailing_line2, city]
    return tuple(line for line in lines if line)


def tariff_sheet(code: str, on: date) -> tuple[str, date | None]:
    """The name and effective date of the schedule version in force on ``on``, from the
    tariff catalog; a code the catalog does not know prints as itself."""
    try:
        tariff = load_tariff(code, on=on)
    except TariffError:
        return code, None
    return tariff.name, tariff.effective_date


def _document(
    bill: Bill,
    lines: list[LineView],
    usage: tuple[UsageMonth, ...],
    net: NetMeteringView | None = None,
) -> BillDocument:
    account = bill.account
    tariff_name, tariff_effective_on = tariff_sheet(bill.tariff_code, bill.period_start)
    return BillDocument(
        bill_id=bill.pk,
        number=bill.number,
        status=bill.status,
        period=bill.period,
        period_start=bill.period_start,
        period_end=bill.period_end,
        bill_date=bill.bill_date,
        due_date=bill.due_date,
        tariff_code=bill.tariff_code,
        estimated=bill.estimated,
        account_number=account.number,
        name=account.party.display_name,
        language=account.language,
        paperless=account.paperless,
        autopay=account.autopay,
        mailing_lines=mailing_lines(account),
        mailing_zip=account.mailing_zip,
        service_address=bill.service_point.premise.address.one_line(),
        service_point_code=bill.service_point.code,
        meter_serial=bill.meter_serial,
        multiplier=bill.multiplier,
        previous_register_wh=bill.previous_register_wh,
        current_register_wh=bill.current_register_wh,
        previous_read_kind=bill.previous_read_kind,
        current_read_kind=bill.current_read_kind,
        energy_wh=bill.energy_wh,
        demand_kw=bill.demand_kw,
        power_factor=bill.power_factor,
        total_amount=bill.total_amount,
        previous_balance_amount=bill.previous_balance_amount,
        payments_amount=bill.payments_amount,
        amount_due_amount=bill.amount_due_amount,
        lines=tuple(lines),
        usage=usage,
        tariff_name=tariff_name,
        tariff_effective_on=tariff_effective_on,
        net_metering=net,
    )


def _net_metering(bill_ids: list[int]) -> dict[int, NetMeteringView]:
    """The net-metered bills' months, one query."""
    fields = [f.name for f in dataclasses.fields(NetMeteringView) if f.name != "payout_above"]
    rows = NetMeteringMonth.objects.filter(bill_id__in=bill_ids).values_list("bill_id", *fields)
    if not rows:
        return {}
    above = net_metering_policy().payout_above.amount
    return {row[0]: NetMeteringView(*row[1:], payout_above=above) for row in rows}


def _usage_by_key(bills: Sequence[Bill]) -> dict[tuple[int, int], dict[str, int | None]]:
    """Energy of every non-cancelled bill in the chart window of these bills, by
    (service point, account) and period: one query for the whole chunk."""
    if not bills:
        return {}
    earliest = min(chart_periods(bill.period)[0] for bill in bills)
    latest = max(bill.period for bill in bills)
    rows = (
        Bill.objects.filter(
            service_point_id__in={bill.service_point_id for bill in bills},
            period__gte=earliest,
            period__lte=latest,
        )
        .exclude(status=BillStatus.CANCELLED)
        .values_list("service_point_id", "account_id", "period", "energy_wh")
    )
    found: dict[tuple[int, int], dict[str, int | None]] = defaultdict(dict)
    for point_id, account_id, period, energy_wh in rows:
        found[(point_id, account_id)][period] = energy_wh
    _add_read_history(bills, found, earliest)
    return found


def _add_read_history(
    bills: Sequence[Bill], found: dict[tuple[int, int], dict[str, int | None]], earliest: str
) -> None:
    """Fill the months no bill covers from the register reads (history from before
    coopcis billed), counting only reads since the bill's agreement began: two queries."""
    spans = read_spans(
        service_point_ids={bill.service_point_id for bill in bills},
        since=date(int(earliest[:4]), int(earliest[5:7]), 1),
    )
    by_point: dict[int, list[ReadSpan]] = defaultdict(list)
    for span in spans:
        by_point[span.service_point_id].append(span)
    for bill in bills:
        started_on = bill.agreement.start_on
        own = [span for span in by_point[bill.service_point_id] if span.previous_on >= started_on]
        history = found[(bill.service_point_id, bill.account_id)]
        for period, energy_wh in monthly_energy(own).get(bill.service_point_id, {}).items():
            history.setdefault(period, energy_wh)


def usage_months(bill: Bill, history: dict[str, int | None]) -> tuple[UsageMonth, ...]:
    """The chart's 13 months for ``bill``; this bill's own figure comes from the bill
    itself (a held or cancelled bill previewed in the back office still charts)."""
    months = []
    for period in chart_periods(bill.period):
        energy_wh = bill.energy_wh if period == bill.period else history.get(period)
        months.append(UsageMonth(period, None if energy_wh is None else Decimal(energy_wh) / 1000))
    return tuple(months)


def load_bill_documents(bill_ids: Iterable[int]) -> list[BillDocument]:
    """The documents of these bills, in the order of ``bill_ids`` (unknown ids skipped).

    Usage history is the same service point's under the same account: a member who
    moves into a house does not see the previous occupant's use on their bill (reads
    count from the day the bill's agreement began).
    """
    ids = list(bill_ids)
    bills = {
        bill.pk: bill
        for bill in Bill.objects.filter(pk__in=ids).select_related(
            "account__party", "service_point__premise", "agreement"
        )
    }
    lines: dict[int, list[LineView]] = defaultdict(list)
    for item in BillLineItem.objects.filter(bill_id__in=list(bills)).order_by("bill", "position"):
        lines[item.bill_id].append(
            LineView(
                description=item.description,
                quantity=item.quantity,
                unit=item.unit,
                rate=item.rate,
                amount=item.amount,
                source=item.source,
            )
        )
    history = _usage_by_key(list(bills.values()))
    nets = _net_metering(list(bills))
    documents = []
    for bill_id in ids:
        bill = bills.get(bill_id)
        if bill is None:
            continue
        usage = usage_months(bill, history.get((bill.service_point_id, bill.account_id), {}))
        documents.append(_document(bill, lines[bill_id], usage, nets.get(bill_id)))
    return documents
