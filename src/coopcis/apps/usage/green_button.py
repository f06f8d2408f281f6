"""Green Button "Download My Data": a service point's intervals for chosen days.

``download`` gives the file's name, content type and text: NAESB ESPI XML
(:func:`coopcis.core.metering.espi_writer.espi_feed`) or CSV in the columns
``coopcis reads import --format csv-interval`` reads. The range is local days
``[start_on, end_on]`` (both included, as a member picks them), at most
``MAX_DAYS``; the net meter's received channel goes with the delivered one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from coopcis.apps.metering.models import Channel
from coopcis.apps.usage.readings import IntervalMeter, intervals
from coopcis.core.errors import RuleViolation
from coopcis.core.metering.espi_writer import ChannelData, espi_feed, interval_csv
from coopcis.core.periods import CO_OP_TIME_ZONE

MAX_DAYS = 400
XML, CSV = "xml", "csv"
FORMATS = (XML, CSV)


@dataclass(frozen=True, slots=True)
class Download:
    file_name: str
    content_type: str
    content: str


def check_range(start_on: date, end_on: date) -> None:
    """Refuse a range that ends before it starts or is longer than ``MAX_DAYS``."""
    if end_on < start_on:
        raise RuleViolation("the last day is before the first day", field="end")
    if (end_on - start_on).days + 1 > MAX_DAYS:
        raise RuleViolation(f"choose at most {MAX_DAYS} days", field="end")


def download(
    meters: list[IntervalMeter],
    *,
    point_code: str,
    start_on: date,
    end_on: date,
    file_format: str,
    created_at: datetime,
) -> Download:
    """The file for the service point's meters over ``[start_on, end_on]``."""
    check_range(start_on, end_on)
    channels = [
        ChannelData(
            channel,
            intervals(meters, start_on=start_on, end_on=end_on + timedelta(1), channel=channel),
        )
        for channel in (Channel.DELIVERED, Channel.RECEIVED)
        if channel == Channel.DELIVERED or any(meter.net_meter for meter in meters)
    ]
    serial = meters[-1].serial if meters else point_code
    stem = f"green-button-{point_code}-{start_on.isoformat()}-{end_on.isoformat()}"
    if file_format == CSV:
        text = interval_csv(meter_serial=serial, channels=channels, zone=CO_OP_TIME_ZONE)
        return Download(f"{stem}.csv", "text/csv; charset=utf-8", text)
    text = espi_feed(
        meter_serial=serial, channels=channels, created_at=created_at, zone=CO_OP_TIME_ZONE
    )
    return Download(f"{stem}.xml", "application/atom+xml; charset=utf-8", text)
