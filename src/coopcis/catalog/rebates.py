"""The rebate catalog: dated files in ``catalog/rebates/`` (one per co-op and version)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from coopcis.core.errors import RuleViolation
from coopcis.core.rebates.measures import Measure

FOLDER = Path(__file__).resolve().parent / "rebates"


@dataclass(frozen=True)
class RebateCatalog:
    co_op: str
    effective_from: date
    source: str
    measures: dict[str, Measure]


def _measure(code: str, data: dict[str, Any]) -> Measure:
    def money(key: str) -> Decimal | None:
        return Decimal(data[key]) if key in data else None

    return Measure(
        code=code,
        description=data["description"],
        category=data.get("category", ""),
        rule=data["rule"],
        amount=money("amount"),
        max_quantity=data.get("max_quantity"),
        percent=money("percent"),
        cap=money("cap"),
        bands=tuple((Decimal(size), Decimal(amount)) for size, amount in data.get("bands", [])),
        size_unit=data.get("size_unit", ""),
        energy_star=bool(data.get("energy_star", False)),
        inspection=bool(data.get("inspection", False)),
    )


def load_rebate_catalog(co_op: str, *, on: date) -> RebateCatalog:
    """The co-op's catalog in force on ``on`` (the latest version effective by then)."""
    versions = []
    for path in sorted(FOLDER.glob(f"{co_op}-*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        effective = date.fromisoformat(data["effective_from"])
        if effective <= on:
            versions.append((effective, data))
    if not versions:
        raise RuleViolation(f"no rebate catalog for {co_op} in force on {on}", field="co_op")
    effective, data = max(versions, key=lambda version: version[0])
    return RebateCatalog(
        co_op=co_op,
        effective_from=effective,
        source=data["source"],
        measures={code: _measure(code, item) for code, item in data["measures"].items()},
    )
