"""Validation of meter reads (the V of VEE): plain readings in, findings out.

Rules, each a finding with ``needs_review`` when staff must look before the read is billed
(DOMAIN.md "Bills and payment"; the thresholds are parameters, not constants of nature):

* register went down: a **rollover** near the top of the dials is computed through zero and
  only needs review if the use it gives is implausibly high; otherwise **negative
  consumption** (a misread, a swapped meter, tampering);
* **zero use** on an active account;
* **high** or **low use** against the member's own history: above ``high_ratio`` or below
  ``low_ratio`` times *every* reference available, the same span last year and the recent
  daily average. Comparing against every reference means seasonal use that last year
  explains (a first cold month after a mild autumn) is not queued;
* **interval gaps**: instants of the billing period without interval data.

All energy comparisons are in Wh per day, so 28- and 33-day cycles compare fairly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

from coopcis.core.metering.history import (
    UsageRecord,
    daily_use,
    recent_span,
    same_span_last_year,
)
from coopcis.core.metering.registers import (
    DEFAULT_ROLLOVER_FRACTION,
    RegisterAdvance,
    register_advance,
)
from coopcis.core.periods import CO_OP_TIME_ZONE, InstantRange, Period


class FindingKind(StrEnum):
    MISSING_READ = "MISSING_READ"
    ROLLOVER = "ROLLOVER"
    NEGATIVE_CONSUMPTION = "NEGATIVE_CONSUMPTION"
    ZERO_USE = "ZERO_USE"
    HIGH_USE = "HIGH_USE"
    LOW_USE = "LOW_USE"
    TRUE_UP = "TRUE_UP"
    INTERVAL_GAP = "INTERVAL_GAP"


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule found. ``needs_review`` findings go to the exception queue."""

    kind: FindingKind
    detail: str
    needs_review: bool


@dataclass(frozen=True, slots=True)
class Thresholds:
    """VEE parameters: use ratios against history, the recent window, the rollover band."""

    high_ratio: Decimal = Decimal(3)
    low_ratio: Decimal = Decimal(1) / Decimal(3)
    recent_days: int = 90
    rollover_fraction: Decimal = DEFAULT_ROLLOVER_FRACTION


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True, slots=True)
class Reading:
    """A register read: the register in Wh before the multiplier, on a date."""

    read_on: date
    register_wh: int
    is_estimate: bool = False


@dataclass(frozen=True, slots=True)
class RegisterCheck:
    """Two consecutive reads of one meter channel and what VEE needs to judge them."""

    meter_serial: str
    previous: Reading
    current: Reading
    dials: int
    multiplier: int = 1
    account_active: bool = True
    history: Sequence[UsageRecord] = ()

    @property
    def period(self) -> Period:
        return Period(self.previous.read_on, self.current.read_on)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The advance the reads give and what the rules found about it."""

    advance: RegisterAdvance
    findings: tuple[Finding, ...] = field(default=())

    @property
    def needs_review(self) -> bool:
        return any(finding.needs_review for finding in self.findings)


def _kwh(energy_wh: Decimal | int) -> str:
    return f"{Decimal(energy_wh) / 1000:,.1f} kWh"


def reference_use(
    history: Sequence[UsageRecord], period: Period, *, recent_days: int
) -> dict[str, Decimal]:
    """Wh per day of each reference the history covers: same span last year, recent average."""
    references = {}
    last_year = daily_use(history, same_span_last_year(period))
    if last_year is not None:
        references["the same period last year"] = last_year
    recent = daily_use(history, recent_span(period.start, recent_days))
    if recent is not None:
        references[f"the average of the previous {recent_days} days"] = recent
    return references


def _use_against_history(
    check: RegisterCheck, energy_wh: int, thresholds: Thresholds
) -> Finding | None:
    period = check.period
    references = reference_use(check.history, period, recent_days=thresholds.recent_days)
    if not references or energy_wh <= 0:
        return None
    per_day = Decimal(energy_wh) / period.days
    compared = "; ".join(f"{_kwh(use * period.days)} at {name}" for name, use in references.items())
    used = f"{_kwh(energy_wh)} in {period.days} days against {compared}"
    if all(per_day > thresholds.high_ratio * use for use in references.values()):
        return Finding(
            FindingKind.HIGH_USE, f"high use: {used} (limit x{thresholds.high_ratio})", True
        )
    if all(per_day < thresholds.low_ratio * use for use in references.values()):
        return Finding(
            FindingKind.LOW_USE, f"low use: {used} (limit x{thresholds.low_ratio:.2f})", True
        )
    return None


def validate_register_reads(
    check: RegisterCheck, *, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Verdict:
    """Judge the use between two reads of a meter (see the module doc for the rules)."""
    advance = register_advance(
        previous_wh=check.previous.register_wh,
        current_wh=check.current.register_wh,
        dials=check.dials,
        multiplier=check.multiplier,
        previous_is_estimate=check.previous.is_estimate,
        rollover_fraction=thresholds.rollover_fraction,
    )
    span = f"{check.previous.read_on} to {check.current.read_on}"
    if advance.went_backwards:
        detail = (
            f"meter {check.meter_serial}: register went down from "
            f"{_kwh(check.previous.register_wh)} to {_kwh(check.current.register_wh)} ({span})"
        )
        return Verdict(advance, (Finding(FindingKind.NEGATIVE_CONSUMPTION, detail, True),))
    findings = []
    against_history = _use_against_history(check, advance.energy_wh, thresholds)
    if advance.rolled_over:
        implausible = against_history is not None and against_history.kind == FindingKind.HIGH_USE
        detail = f"register rolled over on {check.dials} dials ({span}), {_kwh(advance.energy_wh)}"
        if implausible and against_history is not None:
            detail += f"; implausible: {against_history.detail}"
        findings.append(Finding(FindingKind.ROLLOVER, detail, implausible))
        if implausible:
            against_history = None  # reported once, as the rollover to review
    if advance.trued_up:
        detail = f"estimate trued up by the actual read: {_kwh(advance.energy_wh)} ({span})"
        findings.append(Finding(FindingKind.TRUE_UP, detail, False))
    if advance.energy_wh == 0 and check.account_active:
        detail = f"meter {check.meter_serial}: no use {span} on an active account"
        findings.append(Finding(FindingKind.ZERO_USE, detail, True))
    if against_history is not None and not advance.trued_up:
        findings.append(against_history)
    return Verdict(advance, tuple(findings))


def interval_gaps(
    spans: Sequence[tuple[datetime, datetime]], expected: InstantRange
) -> list[InstantRange]:
    """The parts of ``expected`` no ``[start_at, end_at)`` span covers, in time order.

    Instants compare as absolute times (aware datetimes), so the repeated autumn hour is
    two hours and the skipped spring hour is no gap.
    """
    # Same-zone datetimes compare by wall clock; UTC makes the repeated autumn hour distinct.
    utc_spans = sorted((start.astimezone(UTC), end.astimezone(UTC)) for start, end in spans)
    expected = InstantRange(expected.start_at.astimezone(UTC), expected.end_at.astimezone(UTC))
    gaps = []
    cursor = expected.start_at
    for start_at, end_at in utc_spans:
        if end_at <= cursor:
            continue
        if start_at > cursor:
            gaps.append(InstantRange(cursor, min(start_at, expected.end_at)))
        cursor = max(cursor, end_at)
        if cursor >= expected.end_at:
            break
    if cursor < expected.end_at:
        gaps.append(InstantRange(cursor, expected.end_at))
    return [gap for gap in gaps if gap.start_at < gap.end_at]


def interval_gap_findings(
    meter_serial: str, spans: Sequence[tuple[datetime, datetime]], expected: InstantRange
) -> list[Finding]:
    """One review finding per stretch of the period without interval data."""
    findings = []
    for gap in interval_gaps(spans, expected):
        start = gap.start_at.astimezone(CO_OP_TIME_ZONE).isoformat()
        end = gap.end_at.astimezone(CO_OP_TIME_ZONE).isoformat()
        minutes = gap.seconds // 60
        detail = f"meter {meter_serial}: no interval data from {start} to {end} ({minutes} min)"
        findings.append(Finding(FindingKind.INTERVAL_GAP, detail, True))
    return findings
