"""OpenEI Utility Rate Database (URDB) tariffs -> the catalog's tariff mapping.

A URDB rate (https://openei.org/services/doc/rest/util_rates) prices energy by
period and tier (``energyratestructure``) on 12 x 24 month-by-hour schedules,
demand the same way (``demandratestructure``) or by month (``flatdemandstructure``),
plus a fixed monthly charge and a minimum charge (also under their legacy names
``fixedmonthlycharge`` and ``minmonthlycharge``; an ``annualmincharge`` is refused). This module converts what the
catalog format (docs/adr/0003-tariff-format.md) can express *exactly*, and refuses
everything else with a :class:`UrdbError` naming the field: seasons (schedules
that differ by month), tiers inside time-of-use periods, $/day charges, ratchets,
coincident demand. Dict in, dict out; no I/O.

Numbers must arrive as Decimal (parse the JSON with ``parse_float=Decimal``); a
float that slips through is read by its shortest decimal text, never used in
arithmetic. A URDB tier's price is ``rate + adj``; ``max`` is the tier's
cumulative upper bound in the billing period.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from coopcis.core.rating.tariff import parse_tariff

__all__ = ["UrdbError", "convert_urdb"]

PRICING_FIELDS = (
    "energyratestructure",
    "energyweekdayschedule",
    "energyweekendschedule",
    "demandratestructure",
    "demandweekdayschedule",
    "demandweekendschedule",
    "flatdemandstructure",
    "flatdemandmonths",
    "fixedchargefirstmeter",
    "fixedchargeunits",
    "mincharge",
    "minchargeunits",
    "fixedmonthlycharge",
    "minmonthlycharge",
)
#: Older URDB names of the $/month charges, still in many exported rates: honoured, and
#: refused when they disagree with the current field.
LEGACY_FIELDS = {"fixedmonthlycharge": "fixedchargefirstmeter", "minmonthlycharge": "mincharge"}
#: Fields that change a bill and have no exact catalog form: refused when they say anything.
REFUSED_FIELDS = (
    "coincidentratestructure",
    "coincidentrateschedule",
    "demandratchetpercentage",
    "demandreactivepowercharge",
    "fixedchargeeaaddl",
    "fixedkeyvals",
    "energykeyvals",
    "demandattrs",
    "energyattrs",
    "lookbackpercent",
    "lookbackrange",
    "lookbackmonths",
    "fuelchargeadjustment",
    "annualmincharge",
)
ZERO = Decimal(0)


class UrdbError(ValueError):
    """A URDB field the catalog cannot honour; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def _number(value: object, field: str) -> Decimal:
    if isinstance(value, bool):
        raise UrdbError(field, f"must be a number, got {value!r}")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))  # the JSON's decimal text, not the binary value
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            pass
    raise UrdbError(field, f"must be a number, got {value!r}")


def _says_something(value: object) -> bool:
    if value is None or value == "" or value == [] or value == {}:
        return False
    if isinstance(value, Sequence) and not isinstance(value, str):
        return any(_says_something(item) for item in value)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value != 0
    return True


def _tiers(structure: object, field: str) -> list[list[tuple[Decimal | None, Decimal]]]:
    """``[[(max, rate + adj), ...] per period]``; refuses units other than kWh/kW."""
    if not isinstance(structure, Sequence) or isinstance(structure, str) or not structure:
        raise UrdbError(field, "must be a non-empty list of periods")
    periods = []
    for index, period in enumerate(structure):
        if not isinstance(period, Sequence) or isinstance(period, str) or not period:
            raise UrdbError(f"{field}[{index}]", "must be a non-empty list of tiers")
        tiers = []
        for number, tier in enumerate(period):
            at = f"{field}[{index}][{number}]"
            if not isinstance(tier, Mapping):
                raise UrdbError(at, "must be an object")
            unknown = sorted(set(tier) - {"rate", "adj", "max", "unit", "sell"})
            if unknown:
                raise UrdbError(f"{at}.{unknown[0]}", "is not supported")
            if _says_something(tier.get("sell")):
                raise UrdbError(f"{at}.sell", "sell rates (net metering) are not supported")
            unit = tier.get("unit", "kWh" if field.startswith("energy") else "kW")
            if unit not in ("kWh", "kW"):
                raise UrdbError(f"{at}.unit", f"unit {unit!r} is not supported (kWh or kW only)")
            rate = _number(tier.get("rate", 0), f"{at}.rate") + _number(
                tier.get("adj", 0), f"{at}.adj"
            )
            upper = tier.get("max")
            tiers.append((None if upper is None else _number(upper, f"{at}.max"), rate))
        if any(upper is None for upper, _ in tiers[:-1]):
            raise UrdbError(f"{field}[{index}]", "only the last tier may be open-ended")
        periods.append(tiers)
    return periods


def _schedule(data: Mapping[str, Any], field: str, periods: int) -> list[int]:
    """The one 24-hour profile of a 12 x 24 schedule; refuses seasons."""
    matrix = data.get(field)
    if not isinstance(matrix, Sequence) or len(matrix) != 12:
        raise UrdbError(field, "must be 12 months of 24 hours")
    rows = []
    for month, row in enumerate(matrix):
        if not isinstance(row, Sequence) or len(row) != 24:
            raise UrdbError(f"{field}[{month}]", "must list 24 hours")
        if any(isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < periods for v in row):
            raise UrdbError(f"{field}[{month}]", f"period numbers must be 0 to {periods - 1}")
        rows.append(list(row))
    if any(row != rows[0] for row in rows):
        raise UrdbError(field, "differs by month (seasons); the catalog has no seasonal rates")
    return rows[0]


def _blocks(tiers: list[tuple[Decimal | None, Decimal]], bound: str, rate: str) -> list[Any]:
    blocks: list[dict[str, Decimal]] = []
    for upper, price in tiers:
        block = {rate: price} if upper is None else {bound: upper, rate: price}
        blocks.append(block)
    if bound in blocks[-1]:
        blocks[-1] = {rate: blocks[-1][rate]}  # the catalog's last block is open-ended
    return blocks


def _hour_windows(profile: list[int], period: int, days: list[str]) -> list[dict[str, Any]]:
    windows = []
    hour = 0
    while hour < 24:
        if profile[hour] != period:
            hour += 1
            continue
        end = hour
        while end < 24 and profile[end] == period:
            end += 1
        windows.append(
            {
                "period": f"period_{period}",
                "start": f"{hour:02d}:00",
                "end": f"{end:02d}:00",
                "days": days,
            }
        )
        hour = end
    return windows


def _time_of_use(weekday: list[int], weekend: list[int], periods: int) -> dict[str, Any]:
    """Windows for every period but the default (the one covering the most hours)."""
    hours = [weekday.count(p) * 5 + weekend.count(p) * 2 for p in range(periods)]
    default = hours.index(max(hours))
    windows: list[dict[str, Any]] = []
    for period in range(periods):
        if period == default:
            continue
        if weekday == weekend:
            windows += _hour_windows(weekday, period, ["weekday", "weekend", "holiday"])
        else:
            windows += _hour_windows(weekday, period, ["weekday"])
            windows += _hour_windows(weekend, period, ["weekend", "holiday"])
    return {
        "time_zone": "America/Denver",
        "default_period": f"period_{default}",
        "windows": windows,
    }


def _tou_rates(
    tiers: list[list[tuple[Decimal | None, Decimal]]], field: str, key: str
) -> list[Any]:
    rates = []
    for period, period_tiers in enumerate(tiers):
        if len(period_tiers) != 1:
            raise UrdbError(
                f"{field}[{period}]", "tiers inside a time-of-use period are not supported"
            )
        rates.append({"period": f"period_{period}", key: period_tiers[0][1]})
    return rates


def _per_month(
    data: Mapping[str, Any], amount: str, units: str, default_units: str
) -> Decimal | None:
    if not _says_something(data.get(amount)):
        return None
    unit = data.get(units) or default_units
    if unit != "$/month":
        raise UrdbError(units, f"{unit!r} is not supported ($/month only)")
    return _number(data[amount], amount)


def _with_legacy(data: Mapping[str, Any], legacy: str, current: Decimal | None) -> Decimal | None:
    """The $/month amount of ``current`` or of its legacy field (the same charge)."""
    if not _says_something(data.get(legacy)):
        return current
    amount = _number(data[legacy], legacy)
    if current is not None and current != amount:
        raise UrdbError(
            legacy, f"{amount} disagrees with {LEGACY_FIELDS[legacy]} {current} (the same charge)"
        )
    return amount


def _energy(data: Mapping[str, Any], tou: dict[str, Any]) -> list[dict[str, Any]]:
    field = "energyratestructure"
    if not _says_something(data.get(field)):
        return []
    tiers = _tiers(data[field], field)
    if len(tiers) == 1:
        _schedule_if_present(data, "energyweekdayschedule", 1)
        _schedule_if_present(data, "energyweekendschedule", 1)
        if len(tiers[0]) == 1:
            return [{"kind": "flat_energy", "rate_per_kwh": tiers[0][0][1]}]
        blocks = _blocks(tiers[0], "up_to_kwh", "rate_per_kwh")
        return [{"kind": "block_energy", "blocks": blocks}]
    weekday = _schedule(data, "energyweekdayschedule", len(tiers))
    weekend = _schedule(data, "energyweekendschedule", len(tiers))
    tou["energy"] = (weekday, weekend, len(tiers))
    rates = _tou_rates(tiers, field, "rate_per_kwh")
    return [{"kind": "tou_energy", "rates": rates}]


def _schedule_if_present(data: Mapping[str, Any], field: str, periods: int) -> None:
    if _says_something(data.get(field)):
        _schedule(data, field, periods)


def _demand(data: Mapping[str, Any], tou: dict[str, Any]) -> list[dict[str, Any]]:
    components: list[dict[str, Any]] = []
    field = "flatdemandstructure"
    if _says_something(data.get(field)):
        tiers = _tiers(data[field], field)
        months = data.get("flatdemandmonths")
        if len(tiers) > 1 and (not isinstance(months, Sequence) or len(set(months)) != 1):
            raise UrdbError("flatdemandmonths", "differs by month (seasons); not supported")
        chosen = tiers[months[0]] if isinstance(months, Sequence) and months else tiers[0]
        blocks = _blocks(chosen, "up_to_kw", "rate_per_kw")
        components.append({"kind": "block_demand", "blocks": blocks})
    field = "demandratestructure"
    if _says_something(data.get(field)):
        tiers = _tiers(data[field], field)
        weekday = _schedule(data, "demandweekdayschedule", len(tiers))
        weekend = _schedule(data, "demandweekendschedule", len(tiers))
        if len(tiers) == 1:
            blocks = _blocks(tiers[0], "up_to_kw", "rate_per_kw")
            components.append({"kind": "block_demand", "code": "tou-demand", "blocks": blocks})
        else:
            tou["demand"] = (weekday, weekend, len(tiers))
            rates = _tou_rates(tiers, field, "rate_per_kw")
            components.append({"kind": "tou_demand", "rates": rates})
    return components


def convert_urdb(
    data: Mapping[str, Any], *, code: str, effective_date: date | None = None
) -> dict[str, Any]:
    """The catalog mapping of one URDB rate; :class:`UrdbError` names a refused field.

    ``effective_date`` defaults to the rate's ``startdate`` (epoch seconds). The
    result is checked with :func:`parse_tariff` before it is returned.
    """
    for field in REFUSED_FIELDS:
        if _says_something(data.get(field)):
            raise UrdbError(field, "is not supported by the catalog format")
    tou: dict[str, Any] = {}
    components: list[dict[str, Any]] = []
    fixed = _with_legacy(
        data,
        "fixedmonthlycharge",
        _per_month(data, "fixedchargefirstmeter", "fixedchargeunits", "$/month"),
    )
    if fixed is not None:
        components.append({"kind": "customer_charge", "amount": fixed})
    components += _energy(data, tou)
    components += _demand(data, tou)
    minimum = _with_legacy(
        data, "minmonthlycharge", _per_month(data, "mincharge", "minchargeunits", "$/month")
    )
    if minimum is not None:
        components.append({"kind": "minimum_bill", "amount": minimum})
    if not components:
        raise UrdbError("energyratestructure", "the rate has no charges the catalog can use")
    if "energy" in tou and "demand" in tou and tou["energy"] != tou["demand"]:
        raise UrdbError("demandweekdayschedule", "differs from the energy schedule")
    mapping: dict[str, Any] = {
        "code": code,
        "name": str(data.get("name") or code),
        "rate_class": str(data.get("sector") or "unspecified").lower(),
        "effective_date": effective_date or _start_date(data),
        "interpretations": [
            "Converted from the OpenEI Utility Rate Database; a tier's price is rate + adj.",
            "Time-of-use periods are URDB period numbers; hours are local prevailing time.",
        ],
        "source": _source(data),
    }
    if tou:
        mapping["time_of_use"] = _time_of_use(*next(iter(tou.values())))
    mapping["components"] = components
    parse_tariff(mapping)
    return mapping


def _start_date(data: Mapping[str, Any]) -> date:
    start = data.get("startdate")
    if isinstance(start, int | Decimal) and not isinstance(start, bool):
        return datetime.fromtimestamp(int(start), UTC).date()
    raise UrdbError("startdate", "missing: give the effective date")


def _source(data: Mapping[str, Any]) -> dict[str, str]:
    source = {"document": "OpenEI Utility Rate Database"}
    reference = data.get("uri") or data.get("label")
    utility = data.get("utility")
    if reference or utility:
        source["reference"] = " ".join(str(part) for part in (utility, reference) if part)
    return source
