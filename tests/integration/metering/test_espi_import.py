"""Green Button (ESPI) feeds: scaled exactly, mapped by UsagePoint title or --meter."""

from datetime import UTC, date, datetime

import pytest

from coopcis.apps.metering.importers import ImportFormatError, import_reads
from coopcis.apps.metering.models import IntervalBlock, ReadImportBatch
from tests.integration.metering.conftest import install

pytestmark = pytest.mark.django_db

START = int(datetime(2025, 6, 2, 6, tzinfo=UTC).timestamp())


def feed(
    *, title="A100", power=-3, uom=72, flow=1, readings=((0, 1234567), (900, 250000), (1800, 499))
):
    rows = "\n".join(
        f"<IntervalReading><timePeriod><duration>900</duration><start>{START + offset}</start>"
        f"</timePeriod><value>{value}</value></IntervalReading>"
        for offset, value in readings
    )
    base = "https://example.coop/espi/1_1/resource/Subscription/9"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:espi="http://naesb.org/espi">
<entry><title>{title}</title>
<link rel="self" href="{base}/UsagePoint/1"/>
<content><UsagePoint xmlns="http://naesb.org/espi"><ServiceCategory><kind>0</kind></ServiceCategory></UsagePoint></content></entry>
<entry><link rel="self" href="{base}/UsagePoint/1/MeterReading/1"/>
<link rel="related" href="https://example.coop/espi/1_1/resource/ReadingType/7"/>
<content><MeterReading xmlns="http://naesb.org/espi"/></content></entry>
<entry><link rel="self" href="https://example.coop/espi/1_1/resource/ReadingType/7"/>
<content><ReadingType xmlns="http://naesb.org/espi"><accumulationBehaviour>4</accumulationBehaviour>
<flowDirection>{flow}</flowDirection><intervalLength>900</intervalLength>
<powerOfTenMultiplier>{power}</powerOfTenMultiplier><uom>{uom}</uom></ReadingType></content></entry>
<entry><link rel="self" href="{base}/UsagePoint/1/MeterReading/1/IntervalBlock/1"/>
<content><IntervalBlock xmlns="http://naesb.org/espi"><interval><duration>86400</duration><start>{START}</start></interval>
{rows}
</IntervalBlock></content></entry>
</feed>
"""


@pytest.mark.parametrize(
    ("power", "expected"),
    [(-3, [1235, 250, 0]), (0, [1234567, 250000, 499]), (3, [1234567000, 250000000, 499000])],
)
def test_values_scaled_by_power_of_ten(write, power, expected):
    install("A100", kind="AMI_INTERVAL")
    readings = ((0, 1234567), (900, 250000), (1800, 499))
    report = import_reads(path=write("usage.xml", feed(power=power, readings=readings)))
    (block,) = IntervalBlock.objects.all()
    assert (report.format, report.skipped) == ("ESPI", [])
    assert block.values() == expected


def test_interval_too_large_for_a_block_is_refused_not_wrapped(write):
    install("A100", kind="AMI_INTERVAL")
    report = import_reads(path=write("big.xml", feed(power=3, readings=((0, 1), (900, 3_000_000)))))
    assert [row.line for row in report.skipped] == [16]
    assert "more than a block can hold" in report.skipped[0].reason
    assert IntervalBlock.objects.get().values() == [1000]


def test_reverse_flow_is_the_received_channel_and_again_is_already_imported(write):
    install("N100", kind="NET_METER")
    path = write("export.xml", feed(title="N100", flow=19, power=0))
    import_reads(path=path)
    assert import_reads(path=path).already_imported
    (block,) = IntervalBlock.objects.all()
    assert block.channel == "RECEIVED" and block.start_at == datetime(2025, 6, 2, 6, tzinfo=UTC)
    assert ReadImportBatch.objects.count() == 1


def test_duplicate_reading_reported_with_its_line(write):
    install("A100", kind="AMI_INTERVAL")
    report = import_reads(
        path=write("dup.xml", feed(power=0, readings=((0, 10), (900, 20), (900, 30), (1800, 40))))
    )
    assert [(row.line, row.meter) for row in report.skipped] == [(17, "A100")]
    assert (
        "duplicates the interval" in report.skipped[0].reason
        and "(line 16)" in report.skipped[0].reason
    )
    assert IntervalBlock.objects.get().values() == [10, 20, 40]


def test_meter_argument_maps_an_untitled_usage_point(write):
    install("A100", kind="AMI_INTERVAL")
    path = write("untitled.xml", feed(title="", power=0))
    with pytest.raises(ImportFormatError, match="3 readings can be imported: UsagePoint/1 has no"):
        import_reads(path=path)
    mapped = import_reads(path=write("untitled2.xml", feed(title="", power=0) + "\n"), meter="A100")
    assert mapped.rows_stored == 3


def test_unknown_meter_and_other_units_skipped(write):
    install("A100", kind="AMI_INTERVAL")
    assert {row.reason for row in import_reads(path=write("x.xml", feed(title="ZZ9"))).skipped} == {
        "unknown meter 'ZZ9'"
    }
    with pytest.raises(ImportFormatError, match=r"unit of measure 38 is not Wh \(72\)"):
        import_reads(path=write("w.xml", feed(uom=38)))
    assert IntervalBlock.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("<feed xmlns='http://www.w3.org/2005/Atom'><entry>", "not XML"),
        ("<html><body>hello</body></html>", "not an ESPI Atom feed"),
        ("<feed xmlns='http://www.w3.org/2005/Atom'></feed>", "no ESPI IntervalReading"),
    ],
)
def test_malformed_feed_refused(write, content, message):
    install("A100", kind="AMI_INTERVAL")
    with pytest.raises(ImportFormatError, match=message):
        import_reads(path=write("bad.xml", content))
    assert ReadImportBatch.objects.count() == 0


def test_truncated_feed_stores_nothing(write):
    install("A100", kind="AMI_INTERVAL")
    text = feed(power=0)
    with pytest.raises(ImportFormatError, match="not XML"):
        import_reads(path=write("cut.xml", text[: text.index("</IntervalBlock>")]))
    assert IntervalBlock.objects.count() == 0
    assert date(2025, 6, 2)  # the day the feed covered


def pge_shaped_feed(*, title="", start_text=None):
    """PG&E's and Opower's shape: each entry's ``related`` links in another order (the
    ReadingType link between the IntervalBlock and LocalTimeParameters ones), and two
    IntervalBlocks in one entry."""
    base = "https://example.coop/espi/1_1/resource/Subscription/9/UsagePoint/1"
    first = start_text or str(START)

    def reading(start, value):
        return (
            f"<IntervalReading><timePeriod><duration>900</duration><start>{start}</start>"
            f"</timePeriod><value>{value}</value></IntervalReading>"
        )

    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<entry><title>{title}</title><link rel="self" href="{base}"/>
<link rel="related" href="{base}/MeterReading"/>
<link rel="related" href="https://example.coop/espi/1_1/resource/LocalTimeParameters/1"/>
<content><UsagePoint xmlns="http://naesb.org/espi"/></content></entry>
<entry><link rel="self" href="{base}/MeterReading/1"/>
<link rel="related" href="{base}/MeterReading/1/IntervalBlock"/>
<link rel="related" href="https://example.coop/espi/1_1/resource/ReadingType/Wh"/>
<link rel="related" href="https://example.coop/espi/1_1/resource/LocalTimeParameters/1"/>
<content><MeterReading xmlns="http://naesb.org/espi"/></content></entry>
<entry><link rel="self" href="https://example.coop/espi/1_1/resource/ReadingType/Wh"/>
<content><ReadingType xmlns="http://naesb.org/espi"><accumulationBehaviour>4</accumulationBehaviour>
<flowDirection>1</flowDirection><powerOfTenMultiplier>-3</powerOfTenMultiplier><uom>72</uom></ReadingType></content></entry>
<entry><link rel="self" href="{base}/MeterReading/1/IntervalBlock/1"/>
<content><IntervalBlock xmlns="http://naesb.org/espi">
{reading(first, 1500)}
{reading(START + 900, 2500)}
</IntervalBlock><IntervalBlock xmlns="http://naesb.org/espi">
{reading(START + 1800, 3500)}
</IntervalBlock></content></entry>
</feed>
"""


def test_related_links_in_any_order_and_every_interval_block_of_an_entry(write):
    install("A100", kind="AMI_INTERVAL")
    report = import_reads(path=write("pge.xml", pge_shaped_feed()), meter="A100")
    assert (report.rows_read, report.rows_stored, report.skipped) == (3, 3, [])
    (block,) = IntervalBlock.objects.all()
    assert block.values() == [2, 3, 4]  # 1.5, 2.5, 3.5 Wh rounded half up
    assert block.start_at == datetime(2025, 6, 2, 6, tzinfo=UTC)


def test_a_start_that_is_not_a_whole_second_is_skipped_with_its_reason(write):
    install("A100", kind="AMI_INTERVAL")
    feed_text = pge_shaped_feed(start_text=f"{START}.66136")
    report = import_reads(path=write("frac.xml", feed_text), meter="A100")
    assert report.rows_stored == 2
    assert [row.reason for row in report.skipped] == [f"start {START}.66136 is not a whole number"]


def test_a_feed_of_gas_is_refused_in_one_line(write):
    install("A100", kind="AMI_INTERVAL")
    gas = pge_shaped_feed(start_text=f"{START}.5").replace("<uom>72</uom>", "<uom>169</uom>")
    with pytest.raises(ImportFormatError) as refused:
        import_reads(path=write("gas.xml", gas), meter="A100")
    assert str(refused.value) == (
        "none of the feed's 3 readings can be imported: "
        "unit of measure 169 is not Wh (72): electricity only (3)"
    )
