"""Typed readers for tariff mappings: each failure is a TariffError naming the field.

Numbers must arrive as Decimal, int or text. The catalog loader parses TOML with
``parse_float=Decimal``; a float reaching here is refused, never converted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, time
from decimal import Decimal
from typing import Any

from coopcis.core.money import MoneyError, to_decimal
from coopcis.core.rating.errors import TariffError

_MISSING = object()


def table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    """A required sub-table."""
    value = data.get(key, _MISSING)
    if value is _MISSING:
        raise TariffError("missing", field=f"{where}{key}")
    if not isinstance(value, Mapping):
        raise TariffError("must be a table", field=f"{where}{key}")
    return value


def text(data: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    """A required (or defaulted) non-empty string."""
    value = data.get(key, _MISSING)
    if value is _MISSING:
        if default is not None:
            return default
        raise TariffError("missing", field=f"{where}{key}")
    if not isinstance(value, str) or not value.strip():
        raise TariffError("must be non-empty text", field=f"{where}{key}")
    return value


def number(
    data: Mapping[str, Any],
    key: str,
    where: str,
    *,
    default: Decimal | None = None,
    minimum: Decimal | None = Decimal(0),
) -> Decimal:
    """A required (or defaulted) Decimal, at least ``minimum`` (0 unless told)."""
    value = data.get(key, _MISSING)
    if value is _MISSING:
        if default is not None:
            return default
        raise TariffError("missing", field=f"{where}{key}")
    try:
        result = to_decimal(value)
    except MoneyError as error:
        raise TariffError(str(error), field=f"{where}{key}") from None
    if minimum is not None and result < minimum:
        raise TariffError(f"must be at least {minimum}, got {result}", field=f"{where}{key}")
    return result


def optional_number(data: Mapping[str, Any], key: str, where: str) -> Decimal | None:
    """A Decimal if present, else None."""
    if key not in data:
        return None
    return number(data, key, where)


def boolean(data: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise TariffError("must be true or false", field=f"{where}{key}")
    return value


def a_date(data: Mapping[str, Any], key: str, where: str) -> date:
    value = data.get(key, _MISSING)
    if value is _MISSING:
        raise TariffError("missing", field=f"{where}{key}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise TariffError(f"must be a date (YYYY-MM-DD), got {value!r}", field=f"{where}{key}")


def minute_of_day(data: Mapping[str, Any], key: str, where: str) -> int:
    """``"15:00"`` -> 900; ``"24:00"`` (end of day) -> 1440."""
    value = data.get(key, _MISSING)
    if value is _MISSING:
        raise TariffError("missing", field=f"{where}{key}")
    if value == "24:00":
        return 24 * 60
    if isinstance(value, str):
        try:
            parsed = time.fromisoformat(value)
        except ValueError:
            pass
        else:
            if parsed.second == 0 and parsed.microsecond == 0:
                return parsed.hour * 60 + parsed.minute
    raise TariffError(f"must be a time of day (HH:MM), got {value!r}", field=f"{where}{key}")


def array(data: Mapping[str, Any], key: str, where: str) -> Sequence[Any]:
    value = data.get(key, _MISSING)
    if value is _MISSING:
        raise TariffError("missing", field=f"{where}{key}")
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise TariffError("must be an array", field=f"{where}{key}")
    return value


def choice(
    data: Mapping[str, Any], key: str, where: str, allowed: Sequence[str], default: str
) -> str:
    value = text(data, key, where, default=default)
    if value not in allowed:
        raise TariffError(
            f"must be one of {', '.join(allowed)}; got {value!r}", field=f"{where}{key}"
        )
    return value


def only(data: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
    """Refuse keys a table does not define (a typo must not be silently ignored)."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise TariffError(
            f"unknown field(s) {', '.join(unknown)}; expected some of {', '.join(allowed)}",
            field=where.rstrip(".") or None,
        )
