"""Green Button "Download My Data": a member's interval data as a NAESB ESPI Atom feed.

The feed is laid out as utilities' Download My Data files are (the Green Button
Alliance's and PG&E's samples in ``peer-data/espi``): one ``UsagePoint`` entry (titled
with the meter serial, so ``coopcis reads import --format espi`` maps it back to the
meter without ``--meter``), its ``LocalTimeParameters``, then per channel a
``MeterReading`` linked to its ``ReadingType`` (Wh, ``powerOfTenMultiplier`` 0,
delta data, flow direction 1 delivered or 19 received), and one ``IntervalBlock``
entry per local day holding that day's ``IntervalReading``s (``start`` in Unix seconds,
``duration`` in seconds, ``value`` in whole Wh: energy is stored as integer Wh, so the
values are exact and read back to the same Wh).

Valid against the ESPI 3.3 schemas (``usage.xsd`` with ``atom.xsd``); pure text
building (no XML library needed), each value escaped where it could hold markup.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from coopcis.core.metering.espi import ACCUMULATION_DELTA, FLOW_FORWARD, FLOW_REVERSE, UOM_WH

ATOM_NS = "http://www.w3.org/2005/Atom"
ESPI_NS = "http://naesb.org/espi"
#: ReadingType ``kind`` 12 is energy; ``commodity`` 1 electricity (secondary metered);
#: ``currency`` 840 US dollars; ``dataQualifier`` 12 normal; ``phase`` 769 (ABC-N).
KIND_ENERGY = 12
COMMODITY_ELECTRICITY = 1
CURRENCY_USD = 840
#: North American daylight saving as ESPI encodes it (the samples' own values): from
#: the second Sunday of March at 2:00 to the first Sunday of November at 2:00.
DST_START_RULE = "360E2000"
DST_END_RULE = "B40E2000"
DST_OFFSET_SECONDS = 3600

DELIVERED = "DELIVERED"
RECEIVED = "RECEIVED"


@dataclass(frozen=True, slots=True)
class IntervalValue:
    """One interval as stored: its start (aware), length in minutes and energy in Wh."""

    start_at: datetime
    minutes: int
    energy_wh: int


@dataclass(frozen=True, slots=True)
class ChannelData:
    """A meter channel's intervals, oldest first (``DELIVERED`` or ``RECEIVED``)."""

    channel: str
    intervals: Sequence[IntervalValue]


def _utc_text(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _entry(
    *, base: str, path: str, up: str, related: Iterable[str], title: str, body: str, at: str
) -> str:
    links = [f'<link rel="self" href={quoteattr(base + path)}/>']
    links.append(f'<link rel="up" href={quoteattr(base + up)}/>')
    links.extend(f'<link rel="related" href={quoteattr(base + href)}/>' for href in related)
    return (
        f"<entry><id>urn:uuid:{_uuid(base + path)}</id>{''.join(links)}"
        f"<title>{escape(title)}</title><content>{body}</content>"
        f"<published>{at}</published><updated>{at}</updated></entry>\n"
    )


def _uuid(text: str) -> str:
    """A stable urn:uuid for a resource path (UUID version 5 in the URL namespace)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, text)).upper()


def _std_offset_seconds(zone: ZoneInfo, year: int) -> int:
    offset = datetime(year, 1, 15, 12, tzinfo=zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _local_days(values: Sequence[IntervalValue], zone: ZoneInfo) -> list[list[IntervalValue]]:
    days: dict[date, list[IntervalValue]] = {}
    for value in values:
        days.setdefault(value.start_at.astimezone(zone).date(), []).append(value)
    return [days[day] for day in sorted(days)]


def _block(values: list[IntervalValue]) -> str:
    first, last = values[0], values[-1]
    start = int(first.start_at.timestamp())
    end = int(last.start_at.timestamp()) + last.minutes * 60
    readings = "".join(
        f"<IntervalReading><timePeriod><duration>{value.minutes * 60}</duration>"
        f"<start>{int(value.start_at.timestamp())}</start></timePeriod>"
        f"<value>{value.energy_wh}</value></IntervalReading>\n"
        for value in values
    )
    return (
        f'<IntervalBlock xmlns="{ESPI_NS}"><interval><duration>{end - start}</duration>'
        f"<start>{start}</start></interval>{readings}</IntervalBlock>"
    )


def _reading_type(channel: ChannelData) -> str:
    minutes = channel.intervals[0].minutes if channel.intervals else 15
    flow = FLOW_REVERSE if channel.channel == RECEIVED else FLOW_FORWARD
    return (
        f'<ReadingType xmlns="{ESPI_NS}">'
        f"<accumulationBehaviour>{ACCUMULATION_DELTA}</accumulationBehaviour>"
        f"<commodity>{COMMODITY_ELECTRICITY}</commodity><currency>{CURRENCY_USD}</currency>"
        f"<dataQualifier>12</dataQualifier><flowDirection>{flow}</flowDirection>"
        f"<intervalLength>{minutes * 60}</intervalLength><kind>{KIND_ENERGY}</kind>"
        f"<phase>769</phase><powerOfTenMultiplier>0</powerOfTenMultiplier>"
        f"<timeAttribute>0</timeAttribute><uom>{UOM_WH}</uom></ReadingType>"
    )


def espi_feed(
    *,
    meter_serial: str,
    channels: Sequence[ChannelData],
    created_at: datetime,
    zone: ZoneInfo,
    base_url: str = "/espi/1_1/resource",
    title: str = "Green Button Download My Data",
) -> str:
    """The whole feed as XML text (UTF-8 declared); ``created_at`` stamps ``updated``.

    Values go out as they are stored (whole Wh, never rounded); a channel without
    intervals is left out.
    """
    at = _utc_text(created_at)
    point = "/RetailCustomer/1/UsagePoint/1"
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<feed xmlns="{ATOM_NS}"><id>urn:uuid:{_uuid(base_url + "/Subscription/" + meter_serial + at)}</id>'
        f"<title>{escape(title)}</title><updated>{at}</updated>"
        f'<link rel="self" href={quoteattr(base_url + "/Subscription/1")}/>\n',
    ]
    kept = [channel for channel in channels if channel.intervals]
    readings = [f"{point}/MeterReading/{index}" for index in range(1, len(kept) + 1)]
    parts.append(
        _entry(
            base=base_url,
            path=point,
            up="/RetailCustomer/1/UsagePoint",
            related=[f"{point}/MeterReading", "/LocalTimeParameters/1"],
            title=meter_serial,
            body=f'<UsagePoint xmlns="{ESPI_NS}"><ServiceCategory><kind>0</kind>'
            "</ServiceCategory></UsagePoint>",
            at=at,
        )
    )
    year = created_at.astimezone(zone).year
    parts.append(
        _entry(
            base=base_url,
            path="/LocalTimeParameters/1",
            up="/LocalTimeParameters",
            related=[],
            title=zone.key,
            body=f'<LocalTimeParameters xmlns="{ESPI_NS}"><dstEndRule>{DST_END_RULE}</dstEndRule>'
            f"<dstOffset>{DST_OFFSET_SECONDS}</dstOffset><dstStartRule>{DST_START_RULE}"
            f"</dstStartRule><tzOffset>{_std_offset_seconds(zone, year)}</tzOffset>"
            "</LocalTimeParameters>",
            at=at,
        )
    )
    for index, (channel, reading) in enumerate(zip(kept, readings, strict=True), start=1):
        what = "received from" if channel.channel == RECEIVED else "delivered to"
        parts.append(
            _entry(
                base=base_url,
                path=reading,
                up=f"{point}/MeterReading",
                related=[f"{reading}/IntervalBlock", f"/ReadingType/{index}"],
                title=f"Energy {what} the member",
                body=f'<MeterReading xmlns="{ESPI_NS}"/>',
                at=at,
            )
        )
        parts.append(
            _entry(
                base=base_url,
                path=f"/ReadingType/{index}",
                up="/ReadingType",
                related=[],
                title="Energy (Wh) per interval",
                body=_reading_type(channel),
                at=at,
            )
        )
        for number, day in enumerate(_local_days(channel.intervals, zone), start=1):
            parts.append(
                _entry(
                    base=base_url,
                    path=f"{reading}/IntervalBlock/{number}",
                    up=f"{reading}/IntervalBlock",
                    related=[],
                    title=day[0].start_at.astimezone(zone).date().isoformat(),
                    body=_block(day),
                    at=at,
                )
            )
    parts.append("</feed>\n")
    return "".join(parts)


def interval_csv(*, meter_serial: str, channels: Sequence[ChannelData], zone: ZoneInfo) -> str:
    """The same intervals as CSV, ``meter_serial,start,kwh,channel``: the columns
    ``coopcis reads import --format csv-interval`` reads; ``start`` in local time with its
    UTC offset, ``kwh`` the stored Wh written exactly with three decimals."""
    rows = ["meter_serial,start,kwh,channel"]
    for channel in channels:
        for value in channel.intervals:
            whole, part = divmod(value.energy_wh, 1000)
            local = value.start_at.astimezone(zone).isoformat()
            rows.append(f"{meter_serial},{local},{whole}.{part:03d},{channel.channel}")
    return "\r\n".join(rows) + "\r\n"
