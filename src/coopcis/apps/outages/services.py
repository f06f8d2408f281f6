"""Interruption history in, IEEE 1366 indices and the filed reports out."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q

from coopcis.apps.audit.context import current_actor
from coopcis.apps.outages.models import HistoryImport, Interruption, InterruptionSource
from coopcis.apps.premises.models import ServiceAgreement
from coopcis.core.errors import RuleViolation
from coopcis.core.outages import reliability
from coopcis.core.outages.history import (
    RUS7_COLUMNS,
    HistoryFileError,
    parse_history,
    rus7_category,
)
from coopcis.core.periods import CO_OP_TIME_ZONE

#: Shown figures: frequencies to 4 decimals, minutes to 2 (the stored sums are exact).
FREQUENCY_PLACES = Decimal("0.0001")
MINUTE_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class ImportResult:
    rows: int
    first_start: datetime
    latest_start: datetime


@transaction.atomic
def import_history(path: Path) -> ImportResult:
    """Load a history CSV all or nothing; the same file twice is refused."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    earlier = HistoryImport.objects.filter(sha256=digest).first()
    if earlier is not None:
        raise RuleViolation(
            f"{path.name} was already imported on {earlier.imported_at:%Y-%m-%d} "
            f"({earlier.rows} interruptions)",
            field="file",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise HistoryFileError([f"not UTF-8 text (byte {error.start})"]) from None
    rows = parse_history(text.splitlines())
    store_history(
        sha256=digest,
        file_name=path.name,
        rows=[(row.line, row.interruption) for row in rows],
    )
    starts = [row.interruption.start_at for row in rows]
    return ImportResult(rows=len(rows), first_start=min(starts), latest_start=max(starts))


def store_history(
    *, sha256: str, file_name: str, rows: Sequence[tuple[int, reliability.Interruption]]
) -> HistoryImport:
    """Keep a history file's interruptions, each with its line, under one import record."""
    record = HistoryImport.objects.create(
        sha256=sha256, file_name=file_name[:255], rows=len(rows), imported_by=current_actor().label
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
                line_number=line,
            )
            for line, item in rows
        ],
        batch_size=2000,
    )
    return record


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=CO_OP_TIME_ZONE)


def interruptions_between(first_day: date, last_day: date) -> list[reliability.Interruption]:
    """Interruptions starting on local days ``first_day`` to ``last_day``, both included."""
    rows = Interruption.objects.filter(
        start_at__gte=_local_midnight(first_day),
        start_at__lt=_local_midnight(last_day + timedelta(days=1)),
    ).values_list("start_at", "end_at", "customers_interrupted", "cause", "device")
    return [
        reliability.Interruption(start_at=s, end_at=e, customers=n, cause=c, device=d)
        for s, e, n, c, d in rows
    ]


def customers_served(first_day: date, last_day: date) -> int:
    """Service points in service at some time in the period: an agreement in force."""
    return (
        ServiceAgreement.objects.filter(start_on__lte=last_day)
        .filter(Q(end_on__isnull=True) | Q(end_on__gt=first_day))
        .values("service_point")
        .distinct()
        .count()
    )


def _year(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _served(year: int, override: int | None) -> int:
    served = override if override is not None else customers_served(*_year(year))
    if served <= 0:
        raise RuleViolation(
            f"no customers served in {year}: give --customers-served for history from "
            "before the co-op's data",
            field="customers_served",
        )
    return served


def _figures(result: reliability.Indices) -> dict[str, Any]:
    def frequency(value: Decimal | None) -> float | None:
        return None if value is None else float(value.quantize(FREQUENCY_PLACES))

    def minutes(value: Decimal | None) -> float | None:
        return None if value is None else float(value.quantize(MINUTE_PLACES))

    return {
        "sustained_interruptions": result.sustained_interruptions,
        "customers_interrupted": result.customers_interrupted,
        "customer_minutes": minutes(result.customer_minutes),
        "saifi": frequency(result.saifi),
        "saidi": minutes(result.saidi),
        "caidi": minutes(result.caidi),
        "caifi": frequency(result.caifi),
        "maifi": frequency(result.maifi),
        "maifi_e": frequency(result.maifi_e),
        "cemi": None
        if result.cemi is None
        else {str(n): frequency(v) for n, v in result.cemi.items()},
        "celid_single_hours": None
        if result.celid_single is None
        else {str(h): frequency(v) for h, v in result.celid_single.items()},
        "celid_total_hours": None
        if result.celid_total is None
        else {str(h): frequency(v) for h, v in result.celid_total.items()},
    }


def year_indices(year: int, *, customers_served_override: int | None = None) -> dict[str, Any]:
    """The year's indices, its T_MED from the five years before, its Major Event Days, and
    the indices without them (``coopcis outages indices --json``)."""
    served = _served(year, customers_served_override)
    first, last = _year(year)
    history_first, history_last = reliability.med_history_window(year)
    history: dict[date, Decimal] = {}
    for history_year in range(history_first.year, history_last.year + 1):
        items = interruptions_between(*_year(history_year))
        if items:
            history.update(
                reliability.daily_saidi(
                    items, customers_served=_served(history_year, customers_served_override)
                )
            )
    threshold = reliability.major_event_threshold(
        history, first_day=history_first, last_day=history_last
    )
    items = interruptions_between(first, last)
    daily = reliability.daily_saidi(items, customers_served=served)
    med_days = reliability.major_event_days(daily, threshold)
    excluded = set(med_days)
    without = [item for item in items if item.local_day() not in excluded]
    return {
        "year": year,
        "customers_served": served,
        **_figures(reliability.compute_indices(items, customers_served=served)),
        "t_med": None if threshold is None else round(threshold.t_med, 3),
        "t_med_history": None
        if threshold is None
        else {
            "from": history_first.isoformat(),
            "to": history_last.isoformat(),
            "days_with_interruptions": threshold.days_used,
            "alpha": round(threshold.alpha, 6),
            "beta": round(threshold.beta, 6),
        },
        "major_event_days": [day.isoformat() for day in med_days],
        "excluding_med": _figures(reliability.compute_indices(without, customers_served=served)),
    }


def rus7_rows(year: int, *, customers_served_override: int | None = None) -> list[list[str]]:
    """RUS Form 7, service interruptions: average minutes per consumer by cause, for the
    year and as the average of the five years ending with it."""

    def by_cause(for_year: int) -> dict[str, Decimal] | None:
        items = [i for i in interruptions_between(*_year(for_year)) if i.sustained]
        if not items and for_year != year:
            return None
        served = _served(for_year, customers_served_override)
        minutes: dict[str, Decimal] = defaultdict(Decimal)
        for item in items:
            minutes[rus7_category(item.cause)] += item.minutes * item.customers
        return {column: minutes[column] / served for column in RUS7_COLUMNS}

    present = by_cause(year)
    assert present is not None
    years = [found for y in range(year - 4, year + 1) if (found := by_cause(y)) is not None]
    average = {c: sum((y[c] for y in years), Decimal(0)) / len(years) for c in RUS7_COLUMNS}

    def row(label: str, values: dict[str, Decimal]) -> list[str]:
        cells = [values[c].quantize(MINUTE_PLACES) for c in RUS7_COLUMNS]
        return [label, *map(str, cells), str(sum(cells, Decimal(0)))]

    return [
        ["", *RUS7_COLUMNS, "Total"],
        row(f"{year}", present),
        row(f"Five-year average ({len(years)} years with data, {year - 4}-{year})", average),
    ]


def eia861_rows(year: int, *, customers_served_override: int | None = None) -> list[list[str]]:
    """EIA-861's reliability items: SAIDI, SAIFI and CAIDI with and without Major Event
    Days, by the IEEE 1366 standard."""
    figures = year_indices(year, customers_served_override=customers_served_override)
    without = figures["excluding_med"]

    def text(value: object) -> str:
        return "" if value is None else str(value)

    return [
        [
            "year",
            "standard",
            "customers",
            "saidi_with_med",
            "saifi_with_med",
            "caidi_with_med",
            "saidi_without_med",
            "saifi_without_med",
            "caidi_without_med",
            "major_event_days",
            "t_med",
        ],
        [
            str(year),
            "IEEE 1366",
            str(figures["customers_served"]),
            text(figures["saidi"]),
            text(figures["saifi"]),
            text(figures["caidi"]),
            text(without["saidi"]),
            text(without["saifi"]),
            text(without["caidi"]),
            str(len(figures["major_event_days"])),
            text(figures["t_med"]),
        ],
    ]
