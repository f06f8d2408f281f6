"""``coopcis meter add``: a meter a feed names is registered, installed, then read in."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from coopcis.apps.metering.models import IntervalBlock, Meter, ReadImportBatch
from coopcis.cli import main
from tests.factories import ServicePointFactory

pytestmark = pytest.mark.django_db

START = datetime(2025, 6, 2, 6, tzinfo=UTC)


def command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def hourly_feed(title: str, hours: int) -> str:
    readings = "\n".join(
        f"<IntervalReading><timePeriod><duration>3600</duration>"
        f"<start>{int((START + timedelta(hours=h)).timestamp())}</start></timePeriod>"
        f"<value>{1000 + h}</value></IntervalReading>"
        for h in range(hours)
    )
    base = "https://example.coop/espi/1_1/resource/Subscription/9/UsagePoint/1"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<entry><title>{title}</title><link rel="self" href="{base}"/>
<content><UsagePoint xmlns="http://naesb.org/espi"/></content></entry>
<entry><link rel="self" href="{base}/MeterReading/1"/>
<link rel="related" href="https://example.coop/espi/1_1/resource/ReadingType/1"/>
<content><MeterReading xmlns="http://naesb.org/espi"/></content></entry>
<entry><link rel="self" href="https://example.coop/espi/1_1/resource/ReadingType/1"/>
<content><ReadingType xmlns="http://naesb.org/espi"><uom>72</uom></ReadingType></content></entry>
<entry><link rel="self" href="{base}/MeterReading/1/IntervalBlock/1"/>
<content><IntervalBlock xmlns="http://naesb.org/espi">
{readings}
</IntervalBlock></content></entry>
</feed>
"""


def test_a_feed_for_an_unknown_meter_is_one_line_then_imports_once_the_meter_is_added(
    tmp_path,
):
    # given a two-day feed titled with a serial the co-op has not registered
    path = tmp_path / "feed.xml"
    path.write_text(hourly_feed("GB-7731", 48))
    # when
    out = command("reads", "import", str(path))
    # then one summary line, not 48, and the file is not taken as imported
    assert out.splitlines() == [
        "feed.xml: 48 rows read, 0 stored, 48 skipped",
        "  skipped 48 rows (lines 12-59) meter GB-7731: unknown meter 'GB-7731'; add it with "
        "`coopcis meter add GB-7731 --kind ...` and install it",
    ]
    assert ReadImportBatch.objects.count() == 0
    # when the meter is added and installed, the same file goes in
    added = command("meter", "add", "GB-7731", "--kind", "ami-interval", "--interval-minutes", "60")
    assert added.strip() == "Added meter GB-7731 (AMI interval, 60-minute intervals)"
    point = ServicePointFactory()
    command("meter", "install", "GB-7731", "--service-point", point.code, "--on", "2025-01-01")
    assert command("reads", "import", str(path)).strip() == (
        "feed.xml: 48 rows read, 48 stored, 0 skipped"
    )
    assert sum(len(block.values()) for block in IntervalBlock.objects.all()) == 48


def test_meter_add_records_what_was_given():
    command(
        "meter", "add", "NM-1", "--kind", "net-meter", "--interval-minutes", "15",
        "--multiplier", "40", "--dials", "5", "--manufacturer", "Itron", "--measures-demand",
    )  # fmt: skip
    meter = Meter.objects.get(serial="NM-1")
    assert (meter.kind, meter.interval_minutes, meter.multiplier, meter.dials) == (
        "NET_METER",
        15,
        40,
        5,
    )
    assert (meter.manufacturer, meter.measures_demand) == ("Itron", True)
    command("meter", "add", "R-1", "--kind", "register")
    assert Meter.objects.get(serial="R-1").interval_minutes is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["R-1", "--kind", "register"], "meter R-1 already exists"),
        (["A-9", "--kind", "ami-interval"], "a ami-interval meter needs --interval-minutes 5, 15"),
        (["R-9", "--kind", "register", "--interval-minutes", "15"], "a register meter has no"),
        (["A-9", "--kind", "ami-interval", "--interval-minutes", "10"], "15, 30 or 60, not 10"),
        (["A-9", "--kind", "gas"], "invalid choice: 'gas'"),
    ],
)
def test_meter_add_refusals_are_one_line(capsys, argv, message):
    Meter.objects.create(serial="R-1", kind="REGISTER")
    assert main(["meter", "add", *argv]) != 0
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and "Traceback" not in err
    assert Meter.objects.count() == 1
