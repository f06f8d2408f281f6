"""What a batch of accounts needs to be billed for a month, read in a few queries.

For each service agreement in force during the billing month: the meter installed at its
service point, the cycle's current read (the latest read dated in the month) and the read
before it, which bound the billing period ``[previous read, current read)``; interval
data over that span when the tariff needs time-of-use energy or demand; earlier bills for
the review rules; and the member's ledger position for the bill's balance lines.

A register read dated D is the register at local midnight starting D (America/Denver),
so an interval meter's usage between two reads is the sum of its intervals between the
two local midnights (docs/domain/billing.md).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
from django.db.models import Q, Sum

from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.ledger.models import JournalLine
from coopcis.apps.ledger.reports import net
from coopcis.apps.metering.models import (
    Channel,
    ExceptionKind,
    ExceptionStatus,
    IntervalBlock,
    MeterInstallation,
    ReadException,
    RegisterRead,
)
from coopcis.apps.premises.models import ServiceAgreement, ServicePointKind
from coopcis.core.periods import CO_OP_TIME_ZONE, InstantRange, Period

#: How far back to look for the previous read (a skipped month still bills, as two).
READ_LOOKBACK_DAYS = 70
HISTORY_MONTHS = 13


@dataclass
class Read:
    id: int
    read_on: date
    register_wh: int
    kind: str
    demand_kw: Decimal | None
    power_factor: Decimal | None


@dataclass
class Service:
    """One agreement to bill this month, with what was found for it."""

    agreement: ServiceAgreement
    meter_serial: str = ""
    meter_id: int | None = None
    meter_kind: str = ""
    multiplier: int = 1
    dials: int = 6
    interval_minutes: int | None = None
    previous: Read | None = None
    current: Read | None = None
    problem: tuple[str, str] | None = None
    revision: int = 0  # cancelled bills for this service point and month
    history: list[tuple[int | None, bool]] = field(default_factory=list)

    @property
    def metered(self) -> bool:
        return self.agreement.service_point.kind != ServicePointKind.UNMETERED_LIGHTING


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CO_OP_TIME_ZONE)


def agreements_for(account_ids: list[int], period: Period) -> list[ServiceAgreement]:
    return list(
        ServiceAgreement.objects.filter(account_id__in=account_ids, start_on__lt=period.end)
        .filter(Q(end_on__isnull=True) | Q(end_on__gt=period.start))
        .select_related("account", "service_point__premise")
        .order_by("account_id", "service_point_id", "start_on")
    )


def existing_bills(
    service_point_ids: list[int], period_label: str
) -> tuple[set[int], dict[int, int]]:
    """Service points already billed for the month, and how many bills each had cancelled."""
    billed: set[int] = set()
    cancelled: dict[int, int] = defaultdict(int)
    rows = Bill.objects.filter(service_point_id__in=service_point_ids, period=period_label)
    for point, status in rows.values_list("service_point_id", "status"):
        if status == BillStatus.CANCELLED:
            cancelled[point] += 1
        else:
            billed.add(point)
    return billed, cancelled


def _attach_meters(services: list[Service], period: Period) -> None:
    points = [s.agreement.service_point_id for s in services if s.metered]
    installs = (
        MeterInstallation.objects.filter(service_point_id__in=points, installed_on__lt=period.end)
        .filter(Q(removed_on__isnull=True) | Q(removed_on__gt=period.start))
        .select_related("meter")
    )
    by_point: dict[int, list[MeterInstallation]] = defaultdict(list)
    for installation in installs:
        by_point[installation.service_point_id].append(installation)
    for service in services:
        if not service.metered:
            continue
        found = by_point.get(service.agreement.service_point_id, [])
        if not found:
            service.problem = (
                "NO_METER",
                f"no meter installed at {service.agreement.service_point.code}",
            )
        elif len(found) > 1:
            serials = ", ".join(sorted(i.meter.serial for i in found))
            service.problem = (
                "METER_CHANGED",
                f"meters {serials} both served the month; bill by hand",
            )
        else:
            meter = found[0].meter
            service.meter_id, service.meter_serial = meter.pk, meter.serial
            service.meter_kind, service.multiplier = meter.kind, meter.multiplier
            service.dials, service.interval_minutes = meter.dials, meter.interval_minutes


def _attach_reads(services: list[Service], period: Period) -> None:
    meter_ids = [s.meter_id for s in services if s.meter_id and not s.problem]
    reads: dict[int, list[Read]] = defaultdict(list)
    rows = RegisterRead.objects.filter(
        meter_id__in=meter_ids,
        channel=Channel.DELIVERED,
        read_on__gte=period.start - timedelta(days=READ_LOOKBACK_DAYS),
        read_on__lt=period.end,
    ).order_by("meter_id", "read_on")
    columns = ("meter_id", "id", "read_on", "register_wh", "kind", "demand_kw", "power_factor")
    for row in rows.values_list(*columns):
        reads[row[0]].append(Read(*row[1:]))
    for service in services:
        if service.meter_id is None or service.problem:
            continue
        mine = reads.get(service.meter_id, [])
        current = [read for read in mine if period.contains(read.read_on)]
        if not current:
            service.problem = (
                "NO_READ",
                f"meter {service.meter_serial} has no read dated in {period.start:%Y-%m}",
            )
            continue
        service.current = current[-1]
        earlier = [read for read in mine if read.read_on < service.current.read_on]
        if not earlier:
            service.problem = (
                "NO_PREVIOUS_READ",
                f"meter {service.meter_serial} has no read before {service.current.read_on}",
            )
            continue
        service.previous = earlier[-1]
    _hold_reads_under_review(services, period)


def _hold_reads_under_review(services: list[Service], period: Period) -> None:
    """A read with an open VEE exception stays out of bills until staff resolve it
    (a MISSING_READ exception records an estimate and does not hold billing)."""
    current = {s.current.id: s for s in services if s.current and not s.problem}
    if not current:
        return
    meters = [s.meter_id for s in current.values()]
    open_exceptions = (
        ReadException.objects.filter(status=ExceptionStatus.OPEN, channel=Channel.DELIVERED)
        .exclude(kind=ExceptionKind.MISSING_READ)
        .filter(Q(read_id__in=list(current)) | Q(meter_id__in=meters, billing_month=period.start))
        .values_list("meter_id", "read_id", "kind", "pk")
    )
    by_meter = {s.meter_id: s for s in current.values()}
    for meter_id, read_id, kind, pk in open_exceptions:
        service = current.get(read_id) or by_meter.get(meter_id)
        if service is not None and not service.problem:
            service.problem = (
                "READ_UNDER_REVIEW",
                f"meter {service.meter_serial}: open {kind} exception {pk}; "
                "resolve it with `coopcis reads resolve`",
            )


def _attach_history(services: list[Service], period_label: str) -> None:
    points = [s.agreement.service_point_id for s in services]
    history: dict[int, list[tuple[int | None, bool]]] = defaultdict(list)
    rows = (
        Bill.objects.filter(service_point_id__in=points, period__lt=period_label)
        .exclude(status=BillStatus.CANCELLED)
        .order_by("service_point_id", "-period")
        .values_list("service_point_id", "energy_wh", "estimated")
    )
    for point, energy_wh, estimated in rows:
        if len(history[point]) < HISTORY_MONTHS:
            history[point].append((energy_wh, estimated))
    for service in services:
        service.history = history.get(service.agreement.service_point_id, [])


def gather(account_ids: list[int], period: Period, period_label: str) -> list[Service]:
    """The services to bill for these accounts this month (already-billed ones left out)."""
    agreements = agreements_for(account_ids, period)
    done, cancelled = existing_bills([a.service_point_id for a in agreements], period_label)
    latest: dict[int, ServiceAgreement] = {}
    for agreement in agreements:  # the agreement in force at the month's end wins
        if agreement.service_point_id not in done:
            latest[agreement.service_point_id] = agreement
    services = [
        Service(agreement, revision=cancelled.get(point, 0)) for point, agreement in latest.items()
    ]
    _attach_meters(services, period)
    _attach_reads(services, period)
    _attach_history(services, period_label)
    return services


def interval_arrays(
    services: list[Service],
) -> dict[int, tuple[np.ndarray, np.ndarray, int]]:
    """Each interval meter's delivered intervals over its billing span, as sorted arrays."""
    wanted = {
        s.meter_id: s
        for s in services
        if s.meter_id and s.interval_minutes and s.previous and s.current
    }
    if not wanted:
        return {}
    earliest = min(local_midnight(s.previous.read_on) for s in wanted.values() if s.previous)
    latest = max(local_midnight(s.current.read_on) for s in wanted.values() if s.current)
    blocks = (
        IntervalBlock.objects.filter(
            meter_id__in=list(wanted),
            channel=Channel.DELIVERED,
            start_at__gte=earliest - timedelta(days=1),
            start_at__lt=latest,
        )
        .order_by("meter_id", "start_at")
        .values_list("meter_id", "start_at", "interval_minutes", "count", "values_wh")
    )
    pieces: dict[int, list[tuple[int, int, bytes]]] = defaultdict(list)
    minutes_of: dict[int, int] = {}
    for meter_id, start_at, minutes, count, packed in blocks:
        pieces[meter_id].append((int(start_at.timestamp()), count, packed))
        minutes_of[meter_id] = minutes
    result = {}
    for meter_id, service in wanted.items():
        assert service.previous and service.current
        low = int(local_midnight(service.previous.read_on).timestamp())
        high = int(local_midnight(service.current.read_on).timestamp())
        minutes = minutes_of.get(meter_id, service.interval_minutes or 15)
        starts, values = _unpack(pieces.get(meter_id, []), minutes * 60)
        keep = (starts >= low) & (starts < high)
        result[meter_id] = (starts[keep], values[keep], minutes)
    return result


def _unpack(blocks: list[tuple[int, int, bytes]], step: int) -> tuple[np.ndarray, np.ndarray]:
    """One meter's blocks as arrays of interval starts (epoch seconds) and Wh."""
    if not blocks:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    firsts = np.array([first for first, _, _ in blocks], dtype=np.int64)
    counts = np.array([count for _, count, _ in blocks], dtype=np.int64)
    heads = np.repeat(np.cumsum(counts) - counts, counts)
    starts = (
        np.repeat(firsts, counts) + (np.arange(int(counts.sum()), dtype=np.int64) - heads) * step
    )
    values = np.frombuffer(b"".join(bytes(packed) for _, _, packed in blocks), dtype="<i4")
    return starts, values.astype(np.int64)


def span_of(service: Service) -> InstantRange:
    assert service.previous and service.current
    return InstantRange(
        local_midnight(service.previous.read_on), local_midnight(service.current.read_on)
    )


@dataclass
class LedgerPosition:
    """A member's balance before this month's bills, and payments since the previous bill."""

    balance: Decimal = Decimal("0.00")
    payments: Decimal = Decimal("0.00")
    previous_amount_due: Decimal = Decimal("0.00")


def ledger_positions(account_ids: list[int]) -> dict[int, LedgerPosition]:
    positions = {account_id: LedgerPosition() for account_id in account_ids}
    sums = (
        JournalLine.objects.filter(
            member_account_id__in=account_ids, gl_account__member_subledger=True
        )
        .values("member_account_id")
        .annotate(debit=Sum("debit_amount"), credit=Sum("credit_amount"))
    )
    for row in sums:
        positions[row["member_account_id"]].balance = net(row["debit"], row["credit"])
    previous = (
        Bill.objects.filter(account_id__in=account_ids, status=BillStatus.POSTED)
        .order_by("account_id", "-bill_date", "-id")
        .values_list("account_id", "bill_date", "amount_due_amount")
    )
    since: dict[int, date] = {}
    for account_id, bill_date, amount_due in previous:
        if account_id not in since:
            since[account_id] = bill_date
            positions[account_id].previous_amount_due = amount_due
    if since:
        credits = JournalLine.objects.filter(
            member_account_id__in=list(since),
            gl_account__member_subledger=True,
            credit_amount__gt=0,
            entry__kind="PAYMENT",
            entry__posted_on__gte=min(since.values()),
        ).values_list("member_account_id", "entry__posted_on", "credit_amount")
        for account_id, posted_on, amount in credits:
            if posted_on > since[account_id]:
                positions[account_id].payments += amount
    return positions
