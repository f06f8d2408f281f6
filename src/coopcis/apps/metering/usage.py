"""Energy used over a billing period: what the billing engine asks the meters.

In cycle billing the read dates define the period (DOMAIN.md: a "month" is the time between
readings). ``period_usage`` takes the register reads at or nearest to ``start_on`` and
``end_on`` (within ``tolerance_days``), applies the meter multiplier and rollover, and
says whether the closing read is an estimate. After an estimated read the next actual read
trues it up: the energy is the actual register minus the estimated one, a credit if the
estimate was high, so the two bills together charge exactly what the meter measured.

For interval meters it also gives the intervals between the reads, as
``coopcis.core.rating.intervals.Interval`` (a read dated D is the register at local
midnight starting D, so the intervals are ``[midnight start read, midnight end read)``).
A meter with interval data but no register reads is billed on its intervals over
``[start_on, end_on)`` when they cover it without a gap.

A read with an open exception is not billed: ``ReadUnderReview`` until staff resolve it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from coopcis.apps.metering.models import (
    Channel,
    IntervalBlock,
    Meter,
    MeterKind,
    ReadException,
    ReadKind,
    RegisterRead,
)
from coopcis.core.errors import RuleViolation
from coopcis.core.metering.registers import register_advance
from coopcis.core.metering.vee import interval_gaps
from coopcis.core.periods import CO_OP_TIME_ZONE, InstantRange
from coopcis.core.units import wh_to_kwh

if TYPE_CHECKING:
    from coopcis.core.rating.intervals import Interval

DEFAULT_TOLERANCE_DAYS = 3


class MissingReadError(RuleViolation):
    """No read near a billing-period boundary (and no interval data to bill instead)."""


class ReadUnderReview(RuleViolation):
    """The period's closing read has an open VEE exception."""


@dataclass(frozen=True)
class PeriodUsage:
    """A meter channel's energy over a billing period, with what the bill prints."""

    meter_serial: str
    channel: str
    start_on: date
    end_on: date
    energy_wh: int
    is_estimated: bool
    estimate_method: str = ""
    previous_register_wh: int | None = None
    current_register_wh: int | None = None
    multiplier: int = 1
    rolled_over: bool = False
    trued_up: bool = False
    demand_kw: Decimal | None = None
    power_factor: Decimal | None = None
    intervals: tuple[Interval, ...] = ()

    @property
    def energy_kwh(self) -> Decimal:
        return wh_to_kwh(self.energy_wh)


def _nearest(reads: list[RegisterRead], day: date, tolerance_days: int) -> RegisterRead | None:
    near = [r for r in reads if abs((r.read_on - day).days) <= tolerance_days]
    return min(near, key=lambda r: (abs((r.read_on - day).days), r.read_on), default=None)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=CO_OP_TIME_ZONE)


def _intervals(meter: Meter, channel: str, start_on: date, end_on: date) -> tuple[Interval, ...]:
    from coopcis.core.rating.intervals import Interval  # written alongside; import lazily

    start_at, end_at = _local_midnight(start_on), _local_midnight(end_on)
    blocks = IntervalBlock.objects.filter(
        meter=meter,
        channel=channel,
        start_at__gte=start_at - timedelta(days=1),
        start_at__lt=end_at,
    ).order_by("start_at")
    intervals = []
    for block in blocks:
        length = timedelta(minutes=block.interval_minutes)
        for index, energy_wh in enumerate(block.values()):
            interval_start = block.start_at + index * length
            if start_at <= interval_start and interval_start + length <= end_at:
                intervals.append(Interval(interval_start, block.interval_minutes, energy_wh))
    return tuple(intervals)


def period_usage(
    *,
    meter: Meter,
    start_on: date,
    end_on: date,
    channel: str = Channel.DELIVERED,
    tolerance_days: int = DEFAULT_TOLERANCE_DAYS,
) -> PeriodUsage:
    """Energy in Wh over ``[start_on, end_on)`` from the reads nearest the boundaries."""
    window = timedelta(days=tolerance_days)
    reads = list(
        meter.register_reads.filter(
            channel=channel, read_on__gte=start_on - window, read_on__lte=end_on + window
        )
    )
    opening = _nearest(reads, start_on, tolerance_days)
    closing = _nearest(reads, end_on, tolerance_days)
    if opening is None or closing is None or closing.read_on <= opening.read_on:
        if meter.kind != MeterKind.REGISTER:
            return _interval_usage(meter, channel, start_on, end_on, opening, closing)
        raise MissingReadError(_missing_message(meter, channel, start_on, end_on, opening, closing))
    _refuse_under_review(closing)
    advance = register_advance(
        previous_wh=opening.register_wh,
        current_wh=closing.register_wh,
        dials=meter.dials,
        multiplier=meter.multiplier,
        previous_is_estimate=opening.kind == ReadKind.ESTIMATED,
    )
    if advance.went_backwards:
        raise ReadUnderReview(
            f"meter {meter.serial}: register went down from {opening.read_on} to "
            f"{closing.read_on}; run `coopcis reads validate` and resolve the exception"
        )
    intervals = ()
    if meter.kind != MeterKind.REGISTER:
        intervals = _intervals(meter, channel, opening.read_on, closing.read_on)
    return PeriodUsage(
        meter_serial=meter.serial,
        channel=channel,
        start_on=opening.read_on,
        end_on=closing.read_on,
        energy_wh=advance.energy_wh,
        is_estimated=closing.kind == ReadKind.ESTIMATED,
        estimate_method=closing.estimate_method,
        previous_register_wh=opening.register_wh,
        current_register_wh=closing.register_wh,
        multiplier=meter.multiplier,
        rolled_over=advance.rolled_over,
        trued_up=advance.trued_up,
        demand_kw=closing.demand_kw,
        power_factor=closing.power_factor,
        intervals=intervals,
    )


def _missing_message(
    meter: Meter,
    channel: str,
    start_on: date,
    end_on: date,
    opening: RegisterRead | None,
    closing: RegisterRead | None,
) -> str:
    missing = [
        f"no {channel} read within {DEFAULT_TOLERANCE_DAYS} days of {day}"
        for day, read in ((start_on, opening), (end_on, closing))
        if read is None
    ] or [f"the reads near {start_on} and {end_on} are the same read"]
    return f"meter {meter.serial}, period {start_on} to {end_on}: {'; '.join(missing)}"


def _refuse_under_review(closing: RegisterRead) -> None:
    open_exceptions = [e for e in ReadException.objects.filter(read=closing) if e.holds_billing]
    if open_exceptions:
        kinds = ", ".join(sorted({e.kind for e in open_exceptions}))
        raise ReadUnderReview(
            f"meter {closing.meter.serial}: the read on {closing.read_on} is under review "
            f"({kinds}, exception {open_exceptions[0].pk})"
        )


def _interval_usage(
    meter: Meter,
    channel: str,
    start_on: date,
    end_on: date,
    opening: RegisterRead | None,
    closing: RegisterRead | None,
) -> PeriodUsage:
    intervals = _intervals(meter, channel, start_on, end_on)
    expected = InstantRange(_local_midnight(start_on), _local_midnight(end_on))
    gaps = interval_gaps([(i.start_at, i.end_at) for i in intervals], expected)
    if gaps:
        first = gaps[0].start_at.astimezone(CO_OP_TIME_ZONE).isoformat()
        raise MissingReadError(
            _missing_message(meter, channel, start_on, end_on, opening, closing)
            + f", and interval data has {len(gaps)} gap(s), the first from {first}"
        )
    return PeriodUsage(
        meter_serial=meter.serial,
        channel=channel,
        start_on=start_on,
        end_on=end_on,
        energy_wh=sum(interval.energy_wh for interval in intervals),
        is_estimated=False,
        multiplier=meter.multiplier,
        intervals=intervals,
    )
