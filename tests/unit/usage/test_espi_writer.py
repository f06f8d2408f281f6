"""The Green Button download is valid ESPI 3.3 and carries the stored Wh exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from coopcis.core.metering.espi_writer import ChannelData, IntervalValue, espi_feed, interval_csv

SCHEMAS = Path(__file__).resolve().parents[4] / "shared" / "schemas" / "espi"
if not SCHEMAS.is_dir():  # a work tree one level deeper than the main checkout
    SCHEMAS = Path(__file__).resolve().parents[5] / "shared" / "schemas" / "espi"
DENVER = ZoneInfo("America/Denver")
ESPI = "{http://naesb.org/espi}"


class LocalXmlXsd(etree.Resolver):
    """atom.xsd imports the W3C xml.xsd by URL: answer it from the local copy."""

    def resolve(self, url, pubid, context):
        if url.endswith("/xml.xsd"):
            return self.resolve_filename(str(SCHEMAS / "xml.xsd"), context)
        return None


def espi_schema() -> etree.XMLSchema:
    if not SCHEMAS.is_dir():
        pytest.skip(f"ESPI schemas not found at {SCHEMAS}")
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(LocalXmlXsd())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "usage.xsd"), parser))


def two_days() -> list[IntervalValue]:
    first = datetime(2026, 3, 7, 7, tzinfo=UTC)  # midnight MST, the day before DST
    return [IntervalValue(first + timedelta(minutes=15 * i), 15, 100 + i) for i in range(96 + 92)]


def test_the_feed_validates_against_the_espi_schemas():
    feed = espi_feed(
        meter_serial="AMI<1>",
        channels=[ChannelData("DELIVERED", two_days()), ChannelData("RECEIVED", two_days()[:4])],
        created_at=datetime(2026, 3, 10, 12, tzinfo=UTC),
        zone=DENVER,
    )
    document = etree.fromstring(feed.encode())
    schema = espi_schema()
    assert schema.validate(document), schema.error_log

    blocks = document.findall(f".//{ESPI}IntervalBlock")
    assert len(blocks) == 3  # one per local day and channel: 7 and 8 March, and received
    first_day = blocks[0]
    assert first_day.findtext(f"{ESPI}interval/{ESPI}start") == str(1772866800)
    assert first_day.findtext(f"{ESPI}interval/{ESPI}duration") == str(96 * 900)
    assert len(blocks[1].findall(f"{ESPI}IntervalReading")) == 92  # the 23-hour day
    values = [int(v.text) for v in document.iter(f"{ESPI}value")]
    assert values[:3] == [100, 101, 102] and len(values) == 96 + 92 + 4
    flows = [int(f.text) for f in document.iter(f"{ESPI}flowDirection")]
    assert flows == [1, 19]
    assert document.findtext(f".//{ESPI}tzOffset") == "-25200"  # MST, seven hours west
    titles = [t.text for t in document.iter("{http://www.w3.org/2005/Atom}title")]
    assert "AMI<1>" in titles  # escaped in the file, the serial when read


def test_the_csv_has_the_csv_interval_import_columns_and_exact_kwh():
    text = interval_csv(
        meter_serial="AMI1",
        channels=[
            ChannelData(
                "DELIVERED",
                [*two_days()[:2], IntervalValue(datetime(2026, 3, 9, 7, tzinfo=UTC), 15, 12345)],
            )
        ],
        zone=DENVER,
    )
    assert text.splitlines() == [
        "meter_serial,start,kwh,channel",
        "AMI1,2026-03-07T00:00:00-07:00,0.100,DELIVERED",
        "AMI1,2026-03-07T00:15:00-07:00,0.101,DELIVERED",
        "AMI1,2026-03-09T01:00:00-06:00,12.345,DELIVERED",
    ]
