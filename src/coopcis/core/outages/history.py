"""Interruption history from a co-op's previous outage system, as CSV.

One row per interruption, with a header naming the columns:

| column | meaning |
|---|---|
| ``start`` | when it began: ISO-8601 with a UTC offset (``2024-07-14T16:05:00-06:00``) |
| ``end`` | when service came back, the same way |
| ``customers_interrupted`` | how many customers lost service: a whole number, 1 or more |
| ``cause`` | the cause code (see :data:`RUS7_CATEGORIES`) |
| ``device`` | optional: the protective device that operated (a recloser's operations group into momentary events) |

The file is taken whole or not at all: every bad row is reported with its line number.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from coopcis.core.outages.reliability import Interruption

REQUIRED = ("start", "end", "customers_interrupted", "cause")
OPTIONAL = ("device",)

#: Cause codes and the column of RUS Form 7's service interruption section they fall in;
#: any other code is "All other".
RUS7_CATEGORIES = {
    "power_supplier": "Power supplier",
    "transmission": "Power supplier",
    "extreme_storm": "Extreme storm",
    "major_storm": "Extreme storm",
    "storm": "Extreme storm",
    "prearranged": "Prearranged",
    "planned": "Prearranged",
    "scheduled": "Prearranged",
}
RUS7_COLUMNS = ("Power supplier", "Extreme storm", "Prearranged", "All other")

_CAUSE = re.compile(r"^[a-z0-9_]{1,40}$")
_COUNT = re.compile(r"^[0-9]{1,9}$")


def rus7_category(cause: str) -> str:
    return RUS7_CATEGORIES.get(cause, "All other")


@dataclass(frozen=True)
class HistoryRow:
    line: int
    interruption: Interruption


class HistoryFileError(ValueError):
    """The file cannot be read as interruption history; ``problems`` lists each bad line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems[0] if len(problems) == 1 else f"{len(problems)} problems")
        self.problems = problems


def _instant(text: str, column: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{column} is not an ISO-8601 time: {text!r}") from None
    if value.tzinfo is None:
        raise ValueError(f"{column} needs a UTC offset (e.g. -07:00): {text!r}")
    return value


def _row(record: dict[str, str]) -> Interruption:
    start = _instant(record["start"], "start")
    end = _instant(record["end"], "end")
    if end < start:
        raise ValueError("end is before start")
    count_text = record["customers_interrupted"].strip()
    if not _COUNT.match(count_text) or int(count_text) == 0:
        raise ValueError(
            f"customers_interrupted must be a whole number of 1 or more: {count_text!r}"
        )
    cause = record["cause"].strip().lower().replace(" ", "_").replace("-", "_")
    if not _CAUSE.match(cause):
        raise ValueError(f"cause must be a code of letters, digits and _: {record['cause']!r}")
    device = (record.get("device") or "").strip()
    if len(device) > 40:
        raise ValueError("device is longer than 40 characters")
    return Interruption(
        start_at=start, end_at=end, customers=int(count_text), cause=cause, device=device
    )


def parse_history(lines: Iterable[str]) -> list[HistoryRow]:
    """Every row of the file, or :class:`HistoryFileError` listing each bad one by line."""
    reader = csv.DictReader(lines)
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in REQUIRED + OPTIONAL]
    if missing or unknown:
        said = []
        if missing:
            said.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            said.append(f"unknown column(s) {', '.join(unknown)}")
        raise HistoryFileError(
            [f"line 1: {'; '.join(said)} (expected {', '.join(REQUIRED + OPTIONAL)})"]
        )
    reader.fieldnames = header
    rows: list[HistoryRow] = []
    problems: list[str] = []
    for record in reader:
        line = reader.line_num
        if None in record or any(value is None for value in record.values()):
            problems.append(f"line {line}: {len(header)} columns expected")
            continue
        try:
            rows.append(HistoryRow(line, _row(record)))
        except ValueError as error:
            problems.append(f"line {line}: {error}")
    if problems:
        raise HistoryFileError(problems)
    if not rows:
        raise HistoryFileError(["the file holds no interruptions"])
    return rows
