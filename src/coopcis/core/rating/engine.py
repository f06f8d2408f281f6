"""The rating engine: tariff + determinants (+ riders) -> priced bill lines.

Rules (issue "rating engine", ADR 0001): quantities are never rounded before
pricing; each line's amount is rounded to the cent, half up; a percentage rider
applies to the rounded sum of the lines it covers; the total is the sum of the
rounded lines. A tariff change inside a billing period prorates by days: each
version prices the whole period's quantities and bills its share of the days. A member
who moved in or out during the period (``served``) owes the fixed charges (customer
charge, lighting per fixture, the minimum) for the days served: amount x days served /
days of the read-to-read period, with the exact fraction, rounded half up to the cent
once, on the line.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from coopcis.core.money import Money, round_half_up, total
from coopcis.core.periods import Period
from coopcis.core.rating.components.base import LineDraft, RatingContext, Served, Stage
from coopcis.core.rating.components.tax import tax_drafts
from coopcis.core.rating.determinants import Determinants
from coopcis.core.rating.errors import MissingDeterminantError, TariffError
from coopcis.core.rating.lines import BillLine, RatedBill
from coopcis.core.rating.quantities import BillingQuantities, billing_quantities
from coopcis.core.rating.riders import Riders
from coopcis.core.rating.tariff import Tariff

__all__ = ["BillLine", "RatedBill", "Served", "rate_bill", "rate_bill_prorated", "tariff_slices"]

ONE = Decimal(1)
VERSION_STAGES = (Stage.CHARGE, Stage.MINIMUM, Stage.RIDER)


def rate_bill(
    *,
    tariff: Tariff,
    determinants: Determinants,
    riders: Riders | None = None,
    served: Served | None = None,
) -> RatedBill:
    """Price one billing period under one tariff version.

    ``riders`` carries the month's PCA/DCA factors and the location's taxes; without
    it, no rider or tax lines are billed (a quote at base rates). Raises
    :class:`MissingDeterminantError` naming every determinant the tariff lacks.
    """
    determinants.require(tariff.code, tariff.required_determinants)
    lines, quantities = _version_lines(tariff, determinants, riders, ONE, "", served)
    return _finish(tariff, quantities, lines, riders, served)


def tariff_slices(*, versions: Sequence[Tariff], period: Period) -> list[tuple[Tariff, Period]]:
    """The days of ``period`` each version governs (a version runs until the next one).

    Raises :class:`TariffError` when the versions mix codes or none is in effect
    on the period's first day.
    """
    if not versions:
        raise TariffError("no tariff versions given")
    codes = {version.code for version in versions}
    if len(codes) != 1:
        raise TariffError(f"versions of one schedule expected, got {', '.join(sorted(codes))}")
    ordered = sorted(versions, key=lambda version: version.effective_date)
    if ordered[0].effective_date > period.start:
        raise TariffError(
            f"no version of {ordered[0].code} in effect on {period.start} "
            f"(the first is effective {ordered[0].effective_date})"
        )
    slices = []
    for index, version in enumerate(ordered):
        until = ordered[index + 1].effective_date if index + 1 < len(ordered) else period.end
        if until <= version.effective_date:
            continue
        part = period.intersection(Period(version.effective_date, until))
        if part is not None:
            slices.append((version, part))
    return slices


def rate_bill_prorated(
    *,
    versions: Sequence[Tariff],
    determinants: Determinants,
    riders: Riders | None = None,
    served: Served | None = None,
) -> RatedBill:
    """Price a period that may span tariff versions, prorating each by its days.

    Each version prices the period's full quantities (block bounds and minimums
    unchanged) and bills ``days in force / days in period`` of every charge, minimum
    and per-kWh rider line. Percentage fees of the version in force at the period's
    end, then taxes, apply once to the combined rounded lines.
    """
    period = determinants.period
    slices = tariff_slices(versions=versions, period=period)
    missing: list[str] = []
    for version, _part in slices:
        missing.extend(n for n in version.required_determinants if not determinants.has(n))
    if missing:
        raise MissingDeterminantError(slices[0][0].code, dict.fromkeys(missing))
    lines: list[BillLine] = []
    for version, part in slices:
        share = Decimal(part.days) / Decimal(period.days)
        note = "" if len(slices) == 1 else _proration_note(version, part, period)
        version_lines, quantities = _version_lines(
            version, determinants, riders, share, note, served
        )
        lines.extend(version_lines)
    return _finish(slices[-1][0], quantities, lines, riders, served)


def _proration_note(version: Tariff, part: Period, period: Period) -> str:
    return f"{part.days}/{period.days} days at rates effective {version.effective_date}"


def _version_lines(
    tariff: Tariff,
    determinants: Determinants,
    riders: Riders | None,
    share: Decimal,
    note: str,
    served: Served | None,
) -> tuple[list[BillLine], BillingQuantities]:
    quantities = billing_quantities(
        determinants,
        billing_demand=tariff.billing_demand,
        power_factor=tariff.power_factor,
        load_factor=tariff.load_factor,
    )
    lines: list[BillLine] = []
    for stage in VERSION_STAGES:
        for component in tariff.components:
            if component.stage != stage:
                continue
            context = RatingContext(
                tariff.code, quantities, riders, tuple(lines), share, tariff.time_of_use, served
            )
            lines.extend(_price(draft, share, note, served) for draft in component.drafts(context))
    return lines, quantities


def _finish(
    tariff: Tariff,
    quantities: BillingQuantities,
    lines: list[BillLine],
    riders: Riders | None,
    served: Served | None = None,
) -> RatedBill:
    """Add the bill-wide percentage fees, then taxes, and total the rounded lines."""
    for component in tariff.components:
        if component.stage == Stage.FEE:
            context = RatingContext(
                tariff.code, quantities, riders, tuple(lines), ONE, tariff.time_of_use, served
            )
            lines.extend(_price(draft, ONE, "") for draft in component.drafts(context))
    if riders is not None and riders.taxes:
        lines.extend(_price(draft, ONE, "") for draft in tax_drafts(tuple(lines), riders.taxes))
    return RatedBill(
        tariff_code=tariff.code,
        period=quantities.determinants.period,
        lines=tuple(lines),
        total=total([line.amount for line in lines]),
    )


def _price(draft: LineDraft, share: Decimal, note: str, served: Served | None = None) -> BillLine:
    """Amount = quantity x rate (x the version's share of days) (x the share of days
    served, for a fixed charge), rounded half up once."""
    amount = draft.quantity * draft.rate
    description = draft.description
    if draft.prorate and share != ONE:
        amount = amount * share
        description = f"{description} ({note})" if note else description
    if draft.fixed and served is not None and not served.whole:
        amount = amount * served.share
        description = f"{description} ({served.note})"
    return BillLine(
        code=draft.code,
        description=description,
        quantity=draft.quantity if draft.unit == "$" else _tidy(draft.quantity),
        unit=draft.unit,
        rate=draft.rate,
        amount=Money(round_half_up(amount)),
        source=draft.source,
    )


def _tidy(quantity: Decimal) -> Decimal:
    """Drop trailing zeros (1292.000 -> 1292) without exponent notation; value unchanged."""
    if len(quantity.as_tuple().digits) > 28:
        return quantity  # normalize() would round beyond the context precision
    tidy = quantity.normalize()
    exponent = tidy.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        tidy = tidy.quantize(ONE)
    return tidy
