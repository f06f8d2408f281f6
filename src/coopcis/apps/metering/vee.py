"""Validation, estimation and editing (VEE) of a month's reads, and the exception queue.

``validate_period`` runs the core rules (``coopcis.core.metering.vee``) over every meter
installed in a month: the month's latest read against the read before it, and, for interval
meters, the interval data between them. Findings that need a person become
``ReadException`` rows (one per meter, channel, month and kind, so a re-run files nothing
twice and never reopens what staff closed); a missing read is estimated and the estimate
recorded as a MISSING_READ exception. ``resolve_exception`` is the staff decision: accept
the read, or reject it and bill an estimate in its place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coopcis.apps.audit.context import current_actor
from coopcis.apps.members.models import AccountStatus
from coopcis.apps.metering.estimation import agreements_for, store_estimate, usage_history
from coopcis.apps.metering.models import (
    Channel,
    ExceptionKind,
    ExceptionStatus,
    IntervalBlock,
    Meter,
    MeterKind,
    ReadException,
    ReadKind,
    RegisterRead,
)
from coopcis.core.errors import RuleViolation
from coopcis.core.metering.estimation import EstimationError
from coopcis.core.metering.vee import (
    DEFAULT_THRESHOLDS,
    Finding,
    FindingKind,
    Reading,
    RegisterCheck,
    Thresholds,
    interval_gap_findings,
    validate_register_reads,
)
from coopcis.core.periods import CO_OP_TIME_ZONE, InstantRange, Period


@dataclass
class ValidationSummary:
    """What a VEE run over a month did."""

    month: Period
    meters_checked: int = 0
    reads_passed: int = 0
    filed: list[ReadException] = field(default_factory=list)
    already_filed: int = 0
    estimates: list[RegisterRead] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "period": f"{self.month.start:%Y-%m}",
            "meters_checked": self.meters_checked,
            "reads_passed": self.reads_passed,
            "exceptions_filed": [exception_as_dict(e) for e in self.filed],
            "exceptions_already_filed": self.already_filed,
            "estimates": [
                {
                    "meter": read.meter.serial,
                    "channel": read.channel,
                    "read_on": read.read_on.isoformat(),
                    "register_kwh": str(read.register_wh / 1000),
                    "method": read.estimate_method,
                }
                for read in self.estimates
            ],
        }


def exception_as_dict(exception: ReadException) -> dict[str, object]:
    return {
        "id": exception.pk,
        "meter": exception.meter.serial,
        "channel": exception.channel,
        "month": f"{exception.billing_month:%Y-%m}",
        "period_start": exception.period_start.isoformat() if exception.period_start else None,
        "period_end": exception.period_end.isoformat(),
        "kind": exception.kind,
        "status": exception.status,
        "detail": exception.detail,
    }


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=CO_OP_TIME_ZONE)


def _one_month_later(day: date) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("every month has 28 days")


def _installed_on(meter: Meter, day: date) -> bool:
    return any(
        i.installed_on <= day and (i.removed_on is None or day < i.removed_on)
        for i in meter.installations.all()
    )


def validate_period(
    *, month: Period, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> ValidationSummary:
    """Validate the reads of every meter installed during ``month``; queue and estimate."""
    summary = ValidationSummary(month)
    meters = (
        Meter.objects.filter(installations__installed_on__lt=month.end)
        .filter(
            Q(installations__removed_on__isnull=True) | Q(installations__removed_on__gt=month.start)
        )
        .distinct()
        .order_by("serial")
        .prefetch_related("installations")
    )
    for meter in meters:
        summary.meters_checked += 1
        channels = [Channel.DELIVERED]
        if meter.kind == MeterKind.NET_METER:
            channels.append(Channel.RECEIVED)
        for channel in channels:
            with transaction.atomic():
                _validate_channel(meter, channel, month, thresholds, summary)
    return summary


def _validate_channel(
    meter: Meter, channel: str, month: Period, thresholds: Thresholds, summary: ValidationSummary
) -> None:
    reads = list(
        meter.register_reads.filter(channel=channel, read_on__lt=month.end).order_by("read_on")
    )
    current = next((r for r in reversed(reads) if r.read_on >= month.start), None)
    before = [r for r in reads if current is None or r.read_on < current.read_on]
    previous = before[-1] if before else None
    if current is None and previous is None and meter.kind != MeterKind.REGISTER:
        # An interval-only meter (e.g. fed by Green Button): its data is the intervals.
        if channel == Channel.DELIVERED:
            findings = _interval_findings(meter, month)
            if not _file(meter, channel, month, month.start, month.end, findings, None, summary):
                summary.reads_passed += 1
        return
    if current is None:
        _missing(meter, channel, month, previous, summary)
        return
    findings: list[Finding] = []
    if previous is not None and current.kind == ReadKind.ACTUAL:
        findings.extend(_register_findings(meter, previous, current, thresholds))
    if meter.kind != MeterKind.REGISTER and channel == Channel.DELIVERED:
        start_on = previous.read_on if previous is not None else month.start
        findings.extend(_interval_findings(meter, Period(start_on, current.read_on)))
    period_start = previous.read_on if previous is not None else None
    filed = _file(meter, channel, month, period_start, current.read_on, findings, current, summary)
    if not filed and current.kind == ReadKind.ACTUAL:
        summary.reads_passed += 1


def _register_findings(
    meter: Meter, previous: RegisterRead, current: RegisterRead, thresholds: Thresholds
) -> list[Finding]:
    period = Period(previous.read_on, current.read_on)
    agreements = agreements_for(meter=meter, period=period)
    check = RegisterCheck(
        meter_serial=meter.serial,
        previous=Reading(
            previous.read_on, previous.register_wh, previous.kind == ReadKind.ESTIMATED
        ),
        current=Reading(current.read_on, current.register_wh),
        dials=meter.dials,
        multiplier=meter.multiplier,
        account_active=any(a.account.status == AccountStatus.ACTIVE for a in agreements),
        history=usage_history(meter=meter, channel=current.channel, through=previous.read_on),
    )
    return list(validate_register_reads(check, thresholds=thresholds).findings)


def _interval_findings(meter: Meter, period: Period) -> list[Finding]:
    covered = [
        (max(period.start, i.installed_on), min(period.end, i.removed_on or period.end))
        for i in meter.installations.all()
    ]
    findings = []
    for start_on, end_on in covered:
        if start_on >= end_on:
            continue
        expected = InstantRange(_local_midnight(start_on), _local_midnight(end_on))
        blocks = IntervalBlock.objects.filter(
            meter=meter,
            channel=Channel.DELIVERED,
            start_at__lt=expected.end_at,
            start_at__gte=expected.start_at - timedelta(days=1),
        )
        spans = [(block.start_at, block.end_at) for block in blocks]
        findings.extend(interval_gap_findings(meter.serial, spans, expected))
    return findings


def _missing(
    meter: Meter,
    channel: str,
    month: Period,
    previous: RegisterRead | None,
    summary: ValidationSummary,
) -> None:
    if previous is None:
        if meter.kind == MeterKind.REGISTER and channel == Channel.DELIVERED:
            detail = f"meter {meter.serial}: no read in {month.start:%Y-%m} and none before it"
            finding = Finding(FindingKind.MISSING_READ, detail, True)
            _file(
                meter, channel, month, None, month.end - timedelta(days=1), [finding], None, summary
            )
        return
    expected_on = min(
        max(_one_month_later(previous.read_on), month.start), month.end - timedelta(days=1)
    )
    if not _installed_on(meter, expected_on):
        return  # removed before its next read was due: the removal read was the last
    try:
        stored = store_estimate(
            meter=meter, previous=previous, read_on=expected_on, channel=channel
        )
    except EstimationError as error:
        finding = Finding(FindingKind.MISSING_READ, f"meter {meter.serial}: {error}", True)
        _file(meter, channel, month, previous.read_on, expected_on, [finding], None, summary)
        return
    summary.estimates.append(stored.read)
    detail = (
        f"meter {meter.serial}: no read by {expected_on}; estimated "
        f"{stored.estimate.energy_wh / 1000:,} kWh by {stored.estimate.method.value}: "
        f"{stored.estimate.detail}"
    )
    finding = Finding(FindingKind.MISSING_READ, detail, True)
    _file(meter, channel, month, previous.read_on, expected_on, [finding], stored.read, summary)


def _file(
    meter: Meter,
    channel: str,
    month: Period,
    period_start: date | None,
    period_end: date,
    findings: list[Finding],
    read: RegisterRead | None,
    summary: ValidationSummary,
) -> bool:
    """Queue the findings that need review, one exception per kind; whether any did."""
    by_kind: dict[str, list[str]] = {}
    for finding in findings:
        if finding.needs_review:
            by_kind.setdefault(finding.kind.value, []).append(finding.detail)
    for kind, details in by_kind.items():
        exception, created = ReadException.objects.get_or_create(
            meter=meter,
            channel=channel,
            billing_month=month.start,
            kind=ExceptionKind(kind),
            defaults={
                "period_start": period_start,
                "period_end": period_end,
                "detail": "\n".join(details),
                "read": read,
            },
        )
        if created:
            summary.filed.append(exception)
        else:
            summary.already_filed += 1
    return bool(by_kind)


@transaction.atomic
def resolve_exception(*, exception: ReadException, status: str, note: str = "") -> ReadException:
    """Staff decision on an open exception: ACCEPTED (the read is billed as read) or
    REJECTED (the read is kept on the exception and an estimate is billed in its place)."""
    exception = ReadException.objects.select_for_update().get(pk=exception.pk)
    if exception.status != ExceptionStatus.OPEN:
        raise RuleViolation(
            f"exception {exception.pk} is already {exception.status}", field="status"
        )
    if status == ExceptionStatus.REJECTED:
        _reject_read(exception)
    elif status != ExceptionStatus.ACCEPTED:
        raise RuleViolation(f"resolve as ACCEPTED or REJECTED, not {status}", field="status")
    exception.status = status
    exception.resolved_at = timezone.now()
    exception.resolved_by = current_actor().label[:150]
    exception.note = note
    exception.save()
    return exception


def _reject_read(exception: ReadException) -> None:
    read = exception.read
    if read is None or read.kind != ReadKind.ACTUAL:
        raise RuleViolation(
            f"exception {exception.pk} has no actual read to reject", field="status"
        )
    previous = (
        RegisterRead.objects.filter(
            meter=read.meter, channel=read.channel, read_on__lt=read.read_on
        )
        .order_by("-read_on")
        .first()
    )
    if previous is None:
        raise RuleViolation(f"no read before {read.read_on} to estimate from", field="status")
    exception.rejected_register_wh = read.register_wh
    try:
        store_estimate(
            meter=read.meter,
            previous=previous,
            read_on=read.read_on,
            channel=read.channel,
            read=read,
        )
    except EstimationError as error:
        raise RuleViolation(str(error), field="status") from error
