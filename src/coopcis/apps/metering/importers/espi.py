"""Green Button (NAESB ESPI) Atom feeds, parsed streaming with ``iterparse``.

A feed is Atom entries linked by their ``href`` paths:
``.../UsagePoint/{u}`` (the service point, titled), ``.../UsagePoint/{u}/MeterReading/{m}``
(whose ``related`` link names its ``ReadingType``), ``.../ReadingType/{r}`` (``uom``,
``powerOfTenMultiplier``, ``flowDirection``, ``accumulationBehaviour``) and
``.../UsagePoint/{u}/MeterReading/{m}/IntervalBlock/{b}`` holding ``IntervalReading``s of
``timePeriod`` (``start`` in Unix seconds, ``duration`` in seconds) and integer ``value``.

**Which meter.** ``--meter SERIAL`` maps the feed's one UsagePoint to that meter (a feed
with more UsagePoints is refused). Without it, each UsagePoint's Atom ``<title>`` must be a
coopcis meter serial; readings of an untitled UsagePoint are skipped with the reason.

Values are scaled to Wh exactly (``coopcis.core.metering.espi.scaled_wh``): only ``uom``
72 (Wh) and interval (delta, ``accumulationBehaviour`` 4) data are taken; flow direction 19
(reverse) is the RECEIVED channel. Each entry is cleared once read, so memory stays flat
however long the feed; the file is fed to the parser a line at a time so a bad reading is
reported by the line it ends on.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from coopcis.apps.metering.importers.common import (
    ImportFormatError,
    IntervalRow,
    LineFeeder,
    Parsed,
    Progress,
    SkippedRow,
)
from coopcis.apps.metering.models import Channel
from coopcis.core.metering.espi import (
    ACCUMULATION_DELTA,
    FLOW_REVERSE,
    UOM_WH,
    EspiUnitError,
    scaled_wh,
)
from coopcis.core.rating.intervals import INTERVAL_MINUTES

ATOM = "{http://www.w3.org/2005/Atom}"
ESPI = "{http://naesb.org/espi}"
_USAGE_POINT = re.compile(r"(UsagePoint/[^/]+)")
_METER_READING = re.compile(r"(UsagePoint/[^/]+/MeterReading/[^/]+)")
_READING_TYPE = re.compile(r"(ReadingType/[^/]+)")


@dataclass(frozen=True)
class ReadingType:
    uom: int | None
    power_of_ten: int
    flow_direction: int | None
    accumulation: int | None


@dataclass(frozen=True)
class RawReading:
    """An ``IntervalReading`` as written: numbers are Decimal until checked whole."""

    line: int
    usage_point: str
    meter_reading: str
    start: Decimal
    duration: Decimal
    value: Decimal
    #: The ReadingType its MeterReading named when the block was read (document order:
    #: a feed whose ids are redacted gives two MeterReadings the same href).
    type_key: str | None = None


@dataclass
class _Feed:
    titles: dict[str, str] = field(default_factory=dict)
    reading_type_of: dict[str, str] = field(default_factory=dict)
    reading_types: dict[str, ReadingType] = field(default_factory=dict)
    readings: list[RawReading] = field(default_factory=list)


def _number(element: ET.Element | None, name: str) -> Decimal | None:
    child = element.find(ESPI + name) if element is not None else None
    if child is None or child.text is None or not child.text.strip():
        return None
    text = child.text.strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{name} {text!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{name} {text!r} is not a number")
    return number


def _int(element: ET.Element | None, name: str, default: int | None = None) -> int | None:
    number = _number(element, name)
    if number is None:
        return default
    if number != number.to_integral_value():
        raise ValueError(f"{name} {number} is not a whole number")
    return int(number)


def _links(entry: ET.Element) -> dict[str, list[str]]:
    """Every link of the entry by ``rel``, in file order (an entry has several
    ``related`` links, in any order)."""
    links: dict[str, list[str]] = {}
    for link in entry.iter(ATOM + "link"):
        links.setdefault(link.get("rel", ""), []).append(link.get("href", ""))
    return links


def _key(pattern: re.Pattern[str], hrefs: list[str]) -> str | None:
    for href in hrefs:
        found = pattern.findall(href)
        if found:
            return str(found[-1])
    return None


def _read_entry(entry: ET.Element, feed: _Feed) -> None:
    links = _links(entry)
    href = links.get("self") or links.get("up") or []
    content = entry.find(ATOM + "content")
    if content is None:
        return
    if content.find(ESPI + "UsagePoint") is not None:
        title = (entry.findtext(ATOM + "title") or "").strip()
        usage_point = _key(_USAGE_POINT, href)
        if usage_point:
            feed.titles[usage_point] = title
    elif content.find(ESPI + "MeterReading") is not None:
        meter_reading = _key(_METER_READING, href)
        reading_type = _key(_READING_TYPE, links.get("related", []))
        if meter_reading and reading_type:
            feed.reading_type_of[meter_reading] = reading_type
    elif (reading_type_element := content.find(ESPI + "ReadingType")) is not None:
        reading_type = _key(_READING_TYPE, href)
        if reading_type:
            feed.reading_types[reading_type] = ReadingType(
                uom=_int(reading_type_element, "uom"),
                power_of_ten=_int(reading_type_element, "powerOfTenMultiplier", 0) or 0,
                flow_direction=_int(reading_type_element, "flowDirection"),
                accumulation=_int(reading_type_element, "accumulationBehaviour"),
            )
    elif blocks := content.findall(ESPI + "IntervalBlock"):  # one or more an entry
        meter_reading = _key(_METER_READING, href) or ""
        usage_point = _key(_USAGE_POINT, href) or ""
        readings = (reading for block in blocks for reading in block.iter(ESPI + "IntervalReading"))
        for reading in readings:
            period = reading.find(ESPI + "timePeriod")
            start, duration = _number(period, "start"), _number(period, "duration")
            value = _number(reading, "value")
            line = int(reading.get("_line", "0"))
            if start is None or duration is None or value is None:
                raise ImportFormatError(
                    f"line {line}: IntervalReading without start, duration or value"
                )
            type_key = feed.reading_type_of.get(meter_reading)
            feed.readings.append(
                RawReading(line, usage_point, meter_reading, start, duration, value, type_key)
            )


def _scan(stream: BinaryIO, progress: Progress | None) -> _Feed:
    feeder = LineFeeder(stream, progress)
    feed = _Feed()
    root: ET.Element | None = None
    try:
        for event, element in ET.iterparse(feeder, events=("start", "end")):  # type: ignore[arg-type]
            if event == "start":
                if root is None:
                    root = element
                    if element.tag not in (ATOM + "feed", ATOM + "entry"):
                        raise ImportFormatError(
                            f"not an ESPI Atom feed: root element {element.tag}"
                        )
                continue
            if element.tag == ESPI + "IntervalReading":
                element.set("_line", str(feeder.line))
            elif element.tag == ATOM + "entry":
                _read_entry(element, feed)
                element.clear()
                if root is not None and root is not element:
                    root.remove(element)
    except ImportFormatError:
        raise
    except ET.ParseError as error:
        raise ImportFormatError(f"not XML: {error}") from None
    except ValueError as error:
        raise ImportFormatError(f"line {feeder.line}: {error}") from None
    if root is None:
        raise ImportFormatError("empty file")
    return feed


def parse_espi(stream: BinaryIO, *, meter: str = "", progress: Progress | None = None) -> Parsed:
    """Interval rows from a Green Button feed (see the module doc for the meter mapping).

    A feed none of whose readings can be taken (gas, another unit, no ReadingType) is
    refused whole, in one line giving the reasons and how many readings each.
    """
    feed = _scan(stream, progress)
    if not feed.readings:
        raise ImportFormatError("no ESPI IntervalReading in the feed")
    usage_points = {reading.usage_point for reading in feed.readings}
    if meter and len(usage_points) > 1:
        raise ImportFormatError(
            f"--meter maps one UsagePoint but the feed has {len(usage_points)}; "
            "title each UsagePoint with its meter serial instead"
        )
    parsed = Parsed([], [], [], rows_read=len(feed.readings))
    for reading in feed.readings:
        serial = meter or feed.titles.get(reading.usage_point, "")
        row_or_reason = _row(reading, serial, feed)
        if isinstance(row_or_reason, str):
            parsed.skipped.append(SkippedRow(reading.line, serial, row_or_reason))
        else:
            parsed.interval_rows.append(row_or_reason)
    if not parsed.interval_rows:
        reasons = Counter(row.reason for row in parsed.skipped)
        raise ImportFormatError(
            f"none of the feed's {len(parsed.skipped)} readings can be imported: "
            + "; ".join(f"{reason} ({count})" for reason, count in reasons.most_common())
        )
    return parsed


def _row(reading: RawReading, serial: str, feed: _Feed) -> IntervalRow | str:
    if not serial:
        return (
            f"{reading.usage_point or 'the UsagePoint'} has no title to map to a meter; use --meter"
        )
    type_key = reading.type_key or feed.reading_type_of.get(reading.meter_reading)
    reading_type = feed.reading_types.get(type_key or "")
    if reading_type is None and type_key:
        return f"{reading.meter_reading} names {type_key}, which the feed does not hold"
    if reading_type is None:
        return f"no ReadingType for {reading.meter_reading or 'this IntervalBlock'}"
    if reading_type.accumulation not in (None, ACCUMULATION_DELTA):
        return f"accumulationBehaviour {reading_type.accumulation} is not interval (delta) data"
    if reading_type.uom is None:
        return f"{type_key} gives no unit of measure (uom)"
    if reading_type.uom != UOM_WH:
        return f"unit of measure {reading_type.uom} is not Wh ({UOM_WH}): electricity only"
    for name, number in (("start", reading.start), ("value", reading.value)):
        if number != number.to_integral_value():
            return f"{name} {number} is not a whole number"
    if reading.duration <= 0 or reading.duration % 60:
        return f"duration {reading.duration} s is not a whole number of minutes"
    if int(reading.duration) // 60 not in INTERVAL_MINUTES:
        return (
            f"{int(reading.duration) // 60}-minute readings are not interval data "
            f"({', '.join(map(str, INTERVAL_MINUTES))} minutes)"
        )
    try:
        energy_wh = scaled_wh(int(reading.value), power_of_ten=reading_type.power_of_ten)
    except EspiUnitError as error:
        return str(error)
    channel = Channel.RECEIVED if reading_type.flow_direction == FLOW_REVERSE else Channel.DELIVERED
    start_at = datetime.fromtimestamp(int(reading.start), tz=UTC)
    minutes = int(reading.duration) // 60
    return IntervalRow(reading.line, serial, channel, start_at, minutes, energy_wh)
