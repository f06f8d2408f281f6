"""What a batch of accounts needs to be billed for a month, read in a few queries.

For each service point of the batch's agreements: the meter installed there, the cycle's
current read (the latest read dated in the month) and the read its previous bill ended on
(for a first bill, the latest read before the current one that is not a move read), which
bound the read-to-read period ``[previous read, current read)``; interval data over that span when the tariff needs
time-of-use energy or demand; earlier bills for the review rules; and the member's ledger
position for the bill's balance lines.

A service point that changed hands during the period (docs/domain/billing.md "Moving in
and out") is billed once per agreement, for the agreement's part of the period: the
member moving out gets a final bill up to the move-out read, the member moving in a bill
from that read on. The read dated on the move day (actual or estimated) splits the use;
without one, both parts wait (``NO_MOVE_READ``). What is billed depends only on the
service point's agreements and reads, never on which accounts share a batch.

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
from django.db.models import Max, Q, Sum

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
    revision: int = 0  # cancelled bills for this agreement and month
    history: list[tuple[int | None, bool]] = field(default_factory=list)
    #: the service point's whole read-to-read period, when this agreement has only part
    #: of it (a move in or out); None when the agreement has it all
    span: tuple[Read, Read] | None = None
    in_month: bool = True  # the agreement is in force during the calendar month
    lighting_part: Period | None = None  # unmetered: part of the lighting month, if not all

    @property
    def metered(self) -> bool:
        return self.agreement.service_point.kind != ServicePointKind.UNMETERED_LIGHTING

    @property
    def partial(self) -> bool:
        return self.span is not None or self.lighting_part is not None

    @property
    def span_reads(self) -> tuple[Read, Read] | None:
        """The service point's whole period (the same as this bill's unless partial)."""
        if self.span is not None:
            return self.span
        if self.previous and self.current:
            return self.previous, self.current
        return None


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CO_OP_TIME_ZONE)


def agreements_for(account_ids: list[int], period: Period) -> list[ServiceAgreement]:
    """Agreements in force during the month, or during the read period before it (a member
    who moved out after the last read and before this month owes a final bill now)."""
    since = period.start - timedelta(days=READ_LOOKBACK_DAYS)
    return list(
        ServiceAgreement.objects.filter(account_id__in=account_ids, start_on__lt=period.end)
        .filter(Q(end_on__isnull=True) | Q(end_on__gt=since))
        .select_related("account", "service_point__premise")
        .order_by("account_id", "service_point_id", "start_on")
    )


def existing_bills(agreement_ids: list[int], period_label: str) -> tuple[set[int], dict[int, int]]:
    """Agreements already billed for the month, and how many bills each had cancelled."""
    billed: set[int] = set()
    cancelled: dict[int, int] = defaultdict(int)
    rows = Bill.objects.filter(agreement_id__in=agreement_ids, period=period_label)
    for agreement, status in rows.values_list("agreement_id", "status"):
        if status == BillStatus.CANCELLED:
            cancelled[agreement] += 1
        else:
            billed.add(agreement)
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


def _previous_ends(points: set[int], period_label: str) -> dict[int, date]:
    """Where each service point's latest earlier bill ended (the read it closed on)."""
    rows = (
        Bill.objects.filter(service_point_id__in=points, period__lt=period_label)
        .exclude(status=BillStatus.CANCELLED)
        .values("service_point_id")
        .annotate(end=Max("period_end"))
        .values_list("service_point_id", "end")
    )
    return dict(rows)


def _hand_over_days(points: set[int], period: Period) -> dict[int, set[date]]:
    """The days each service point changed hands (an agreement ended, another began)."""
    since = period.start - timedelta(days=2 * READ_LOOKBACK_DAYS)
    starts: dict[int, set[date]] = defaultdict(set)
    ends: dict[int, set[date]] = defaultdict(set)
    rows = (
        ServiceAgreement.objects.filter(service_point_id__in=points, start_on__lt=period.end)
        .filter(Q(end_on__isnull=True) | Q(end_on__gt=since))
        .values_list("service_point_id", "start_on", "end_on")
    )
    for point, start_on, end_on in rows:
        starts[point].add(start_on)
        if end_on is not None:
            ends[point].add(end_on)
    return {point: starts[point] & ends[point] for point in ends}


def _attach_reads(services: list[Service], period: Period, period_label: str) -> None:
    """The service point's read-to-read period: from where its previous bill ended (for a
    first bill, the latest read before the current one that is not a move read) to the
    latest read dated in the month that is not a move read; then this agreement's part
    of it (:func:`_split`). So the periods do not depend on when a move read was entered."""
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
    points = {s.agreement.service_point_id for s in services if s.meter_id and not s.problem}
    previous_ends = _previous_ends(points, period_label)
    hand_overs = _hand_over_days(points, period)
    for service in services:
        if service.meter_id is None or service.problem:
            continue
        point = service.agreement.service_point_id
        mine = reads.get(service.meter_id, [])
        by_day = {read.read_on: read for read in mine}
        current = [read for read in mine if period.contains(read.read_on)]
        if not current:
            service.problem = (
                "NO_READ",
                f"meter {service.meter_serial} has no read dated in {period.start:%Y-%m}",
            )
            continue
        # a move read is not the cycle's read: it only splits the period it falls in
        moves = hand_overs.get(point, set())
        last = ([read for read in current if read.read_on not in moves] or current)[-1]
        ended = previous_ends.get(point)
        if ended is not None and ended >= last.read_on:
            service.problem = (
                "NO_READ",
                f"meter {service.meter_serial} has no read after {ended}, where its last "
                "bill ended",
            )
            continue
        if ended is not None and ended in by_day:
            first = by_day[ended]
        else:
            earlier = [r for r in mine if r.read_on < last.read_on and r.read_on not in moves]
            if not earlier:
                service.problem = (
                    "NO_PREVIOUS_READ",
                    f"meter {service.meter_serial} has no read before {last.read_on}",
                )
                continue
            first = earlier[-1]
        _split(service, first, last, by_day)
    _hold_reads_under_review(services, period)


def _split(service: Service, first: Read, last: Read, by_day: dict[date, Read]) -> None:
    """This agreement's part of the service point's period ``[first, last)``: all of it,
    or (a move in or out) from the move-in read and up to the move-out read."""
    agreement = service.agreement
    start = max(first.read_on, agreement.start_on)
    end = last.read_on if agreement.end_on is None else min(last.read_on, agreement.end_on)
    if end <= start:  # served before or after this period: billed in another month
        service.problem = ("NOT_IN_PERIOD", "")
        return
    service.previous = first if start == first.read_on else by_day.get(start)
    service.current = last if end == last.read_on else by_day.get(end)
    if (service.previous, service.current) != (first, last):
        service.span = (first, last)
    missing = [day for day, read in ((start, service.previous), (end, service.current)) if not read]
    if missing:
        service.problem = (
            "NO_MOVE_READ",
            f"meter {service.meter_serial} changed hands on {missing[0]} with no read that "
            "day to split the use: record the move read (or an estimate) and bill again",
        )


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


def lighting_month(period: Period) -> Period:
    """Unmetered lights bill the calendar month before the billing month, as meters read
    in the billing month bill the use before their read."""
    start = period.start
    year, month = (start.year, start.month - 1) if start.month > 1 else (start.year - 1, 12)
    return Period.month(year, month)


def _attach_lighting_parts(services: list[Service], period: Period) -> None:
    """An unmetered agreement's part of the lighting month (all of it, or since it began
    or until it ended)."""
    month = lighting_month(period)
    for service in services:
        if service.metered or service.problem:
            continue
        agreement = service.agreement
        start = max(month.start, agreement.start_on)
        end = month.end if agreement.end_on is None else min(month.end, agreement.end_on)
        if end <= start:
            service.problem = ("NOT_IN_PERIOD", "")
        elif (start, end) != (month.start, month.end):
            service.lighting_part = Period(start, end)


def gather(account_ids: list[int], period: Period, period_label: str) -> list[Service]:
    """The services to bill for these accounts this month: one per agreement in force in
    the read period (already-billed ones left out, and those served outside it)."""
    agreements = agreements_for(account_ids, period)
    done, cancelled = existing_bills([a.pk for a in agreements], period_label)
    services = [
        Service(
            agreement,
            revision=cancelled.get(agreement.pk, 0),
            in_month=agreement.end_on is None or agreement.end_on > period.start,
        )
        for agreement in agreements
        if agreement.pk not in done
    ]
    _attach_meters(services, period)
    _attach_reads(services, period, period_label)
    _attach_lighting_parts(services, period)
    _attach_history(services, period_label)
    # an agreement that ended before the month is only billed for a part of the period;
    # its problems (no meter, no read) are its successor's, reported once
    return [
        s
        for s in services
        if not (s.problem and (s.problem[0] == "NOT_IN_PERIOD" or not s.in_month))
    ]


def interval_arrays(
    services: list[Service], channel: str = Channel.DELIVERED
) -> dict[int, tuple[np.ndarray, np.ndarray, int]]:
    """Each interval meter's intervals of ``channel`` (delivered; received for a net meter)
    over its service point's read period, as sorted arrays (an agreement with part of the
    period takes its part, ``part_of``)."""
    spans = {
        s.meter_id: s.span_reads
        for s in services
        if s.meter_id and s.interval_minutes and s.span_reads and not s.problem
    }
    wanted = {meter: span for meter, span in spans.items() if span is not None}
    if not wanted:
        return {}
    earliest = min(local_midnight(first.read_on) for first, _ in wanted.values())
    latest = max(local_midnight(last.read_on) for _, last in wanted.values())
    blocks = (
        IntervalBlock.objects.filter(
            meter_id__in=list(wanted),
            channel=channel,
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
    interval_of = {s.meter_id: s.interval_minutes for s in services if s.meter_id}
    for meter_id, (first, last) in wanted.items():
        low = int(local_midnight(first.read_on).timestamp())
        high = int(local_midnight(last.read_on).timestamp())
        minutes = minutes_of.get(meter_id, interval_of.get(meter_id) or 15)
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
