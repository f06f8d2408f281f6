"""Every file other systems wrote, in ``../shared/peer-data``, imported right or refused.

Green Button feeds from utilities and the Green Button Alliance, OpenEI URDB tariffs, BAI2
bank files and NACHA return files (their sources are in the folder's SOURCES.md). Each file
has its expected outcome in the tables below: imported, with its counts and values checked
against the file by hand, or refused with its one-line message. The folder is not part of
the repository: the tests skip, saying so, where it is absent.
"""

from __future__ import annotations

import io
import json
import os
import tomllib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from coopcis.apps.metering.models import IntervalBlock, Meter
from coopcis.apps.payments.ach.models import AchReturn
from coopcis.cli import main
from coopcis.commands import rate_urdb
from coopcis.core.periods import Period
from coopcis.core.rating.determinants import Determinants
from coopcis.core.rating.engine import rate_bill
from coopcis.core.rating.tariff import parse_tariff
from tests.factories import ServicePointFactory

ROOT = Path(__file__).resolve().parents[3]
PEER_DATA = Path(os.environ.get("COOPCIS_PEER_DATA") or ROOT.parent / "shared" / "peer-data")

pytestmark = [
    pytest.mark.skipif(
        not PEER_DATA.is_dir(),
        reason=f"no peer data at {PEER_DATA} (../shared/peer-data beside the repository)",
    ),
]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- Green Button: coopcis reads import FILE --format espi --meter M ----------------------
#
# Imported: (meter kind, interval minutes, {channel: (readings, total Wh)}, samples of
# (channel, start UTC, Wh)). Samples were read off the XML by hand: the reading's
# timePeriod start (Unix seconds), duration, and value x 10^powerOfTenMultiplier of its
# ReadingType (uom 72 = Wh), e.g. PG&E 437400 x 10^-3 = 437.4 -> 437 Wh (half up).
HOURLY = "ami-interval", 60
ESPI_IMPORTED = {
    "cew821-sample_greenbutton_data.xml": (
        *HOURLY,
        {"DELIVERED": (362, 291_018)},
        [("DELIVERED", "2011-01-01 08:00", 703), ("DELIVERED", "2011-01-16 09:00", 574)],
    ),
    # two MeterReadings (forward, flow 1; reverse, flow 19) with redacted, equal hrefs,
    # their related links IntervalBlock, ReadingType, LocalTimeParameters in that order
    "eemeter-pge-electricity_xml.xml": (
        "net-meter",
        60,
        {"DELIVERED": (47, 40_838), "RECEIVED": (47, 5_289)},
        [("DELIVERED", "2016-03-21 07:00", 437), ("RECEIVED", "2016-03-21 07:00", 0)],
    ),
    "gbo-Coastal_Multi_Family_12hr_RetailCustomer_3.xml": (
        *HOURLY,
        {"DELIVERED": (8760, 4_425_305)},
        [("DELIVERED", "2011-01-01 08:00", 450), ("DELIVERED", "2012-01-01 07:00", 482)],
    ),
    "gbo-Desert_Single_Family_RetailCustomer_7.xml": (
        *HOURLY,
        {"DELIVERED": (8760, 12_397_107)},
        [("DELIVERED", "2011-01-01 08:00", 1696), ("DELIVERED", "2012-01-01 07:00", 1584)],
    ),
    "gbo-TestGBDataHourlyNineDaysBinnedDaily.xml": (
        *HOURLY,
        {"DELIVERED": (216, 199_563)},
        [("DELIVERED", "2014-01-01 05:00", 273), ("DELIVERED", "2014-01-10 04:00", 273)],
    ),
    "gbo-electric_containerized.xml": (
        *HOURLY,
        {"DELIVERED": (8, 4_086)},
        [("DELIVERED", "2011-01-01 08:00", 450), ("DELIVERED", "2011-01-01 23:00", 581)],
    ),
    "openespi-test_usage_data.xml": (
        "ami-interval",
        15,
        {"DELIVERED": (1340, 1_391_666)},
        [("DELIVERED", "2012-03-01 05:00", 282), ("DELIVERED", "2012-03-15 03:45", 940)],
    ),
    "openespi-test_usage_data_01.xml": (
        "ami-interval",
        15,
        {"DELIVERED": (96, 93_846)},
        [("DELIVERED", "2012-03-01 05:00", 282), ("DELIVERED", "2012-03-02 04:45", 324)],
    ),
    "openespi-test_usage_data_1.xml": (
        "ami-interval",
        15,
        {"DELIVERED": (480, 511_688)},
        [("DELIVERED", "2012-03-01 05:00", 282), ("DELIVERED", "2012-03-06 04:45", 304)],
    ),
    "openespi-test_usage_data_11.xml": (
        "ami-interval",
        15,
        {"DELIVERED": (92, 109_403)},
        [("DELIVERED", "2012-03-11 05:00", 327), ("DELIVERED", "2012-03-12 03:45", 899)],
    ),
    "openespi-test_usage_data_2.xml": (
        "ami-interval",
        15,
        {"DELIVERED": (860, 879_978)},
        [("DELIVERED", "2012-03-06 05:00", 278), ("DELIVERED", "2012-03-15 03:45", 940)],
    ),
}
NONE_OF = "coopcis reads: error: none of the feed's"
ESPI_REFUSED = {
    # the ReadingType link and the ReadingType's own href were redacted differently
    "eemeter-pge-electricity_xml_2.xml": f"{NONE_OF} 4 readings can be imported: "
    "UsagePoint/REDACTED/MeterReading/REDACTED names ReadingType/1, which the feed does not "
    "hold (4)",
    "eemeter-pge-natural_gas_xml.xml": f"{NONE_OF} 2 readings can be imported: "
    "UsagePoint/REDACTED/MeterReading/REDACTED names ReadingType/REDACTED, which the feed "
    "does not hold (2)",
    # daily and monthly readings: not interval data a meter keeps
    "gbo-TestGBDataOneYearDailyBinnedMonthly.xml": f"{NONE_OF} 444 readings can be imported: "
    "1440-minute readings are not interval data (5, 15, 30, 60 minutes) (441); 1380-minute "
    "readings are not interval data (5, 15, 30, 60 minutes) (2); 1500-minute readings are not "
    "interval data (5, 15, 30, 60 minutes) (1)",
    # gas: an empty ReadingType, or therms (uom 169); decimal starts never reach int()
    "gbo-gas_containerized.xml": f"{NONE_OF} 3 readings can be imported: "
    "ReadingType/07 gives no unit of measure (uom) (3)",
    "gbo-gas_direct.xml": f"{NONE_OF} 5 readings can be imported: "
    "unit of measure 169 is not Wh (72): electricity only (5)",
    "gbo-ngma_gas_provider_2024-07-16.xml": f"{NONE_OF} 36 readings can be imported: "
    "ReadingType/07 gives no unit of measure (uom) (36)",
    "openespi-Usage-Subscription-Feed-Anonymized.xml": "coopcis reads: error: "
    "no ESPI IntervalReading in the feed",
    "openespi-dc-usage_point.xml": "coopcis reads: error: no ESPI IntervalReading in the feed",
}


def command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def stored_wh(meter: Meter, channel: str, start_at: datetime) -> int:
    for block in IntervalBlock.objects.filter(meter=meter, channel=channel):
        offset = (start_at - block.start_at) // timedelta(minutes=block.interval_minutes)
        if block.start_at <= start_at and offset < block.count:
            return block.values()[offset]
    raise AssertionError(f"no interval at {start_at}")


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ESPI_IMPORTED))
def test_green_button_feed_is_imported_right(name):
    kind, minutes, channels, samples = ESPI_IMPORTED[name]
    # given the feed's meter, added and installed as a co-op would
    command("meter", "add", "GB-1", "--kind", kind, "--interval-minutes", str(minutes))
    point = ServicePointFactory()
    command("meter", "install", "GB-1", "--service-point", point.code, "--on", "2010-01-01")
    # when
    report = json.loads(
        command("reads", "import", str(PEER_DATA / "espi" / name), "--meter", "GB-1", "--json")
    )
    # then every reading is stored, with its start, length and scaled value
    readings = sum(count for count, _ in channels.values())
    assert (report["rows_read"], report["rows_stored"], report["skipped"]) == (
        readings,
        readings,
        [],
    )
    meter = Meter.objects.get(serial="GB-1")
    for channel, (count, total_wh) in channels.items():
        blocks = IntervalBlock.objects.filter(meter=meter, channel=channel)
        assert {block.interval_minutes for block in blocks} == {minutes}
        assert sum(block.count for block in blocks) == count
        assert sum(sum(block.values()) for block in blocks) == total_wh
    for channel, start, wh in samples:
        assert stored_wh(meter, channel, at(start)) == wh


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ESPI_REFUSED))
def test_green_button_feed_is_refused_in_one_line(capsys, name):
    Meter.objects.create(serial="GB-1", kind="AMI_INTERVAL", interval_minutes=60)
    path = PEER_DATA / "espi" / name
    assert main(["reads", "import", str(path), "--format", "espi", "--meter", "GB-1"]) == 1
    assert capsys.readouterr().err.splitlines() == [ESPI_REFUSED[name]]
    assert not IntervalBlock.objects.exists()


# --- URDB: coopcis rate import-urdb FILE.json ------------------------------------------
#
# Converted: (components, customer charge, a July bill of 1,000 kWh and 10 kW). Refused:
# the one line naming the URDB field the catalog cannot honour.
URDB_CONVERTED = {
    "erock-fpl-gsld-1.json": (
        ["customer_charge", "flat_energy", "block_demand", "minimum_bill"],
        Decimal("88.67"),
        Decimal("6833.67"),  # its minimum charge: mincharge 6833.67 $/month
    ),
}
PREFIX = "coopcis rate import-urdb: "
SEASONS = "energyweekdayschedule: differs by month (seasons); the catalog has no seasonal rates"
NO_START = "startdate: missing: give the effective date"
URDB_REFUSED = {
    "erock-coned-sc-9.json": "flatdemandmonths: differs by month (seasons); not supported",
    "erock-dominion-gs-3.json": "demandreactivepowercharge: is not supported by the catalog format",
    "erock-ladwp-a-3.json": SEASONS,
    "erock-pge-bev-2-s.json": "demandreactivepowercharge: is not supported by the catalog format",
    "erock-smud-ci-tod3.json": SEASONS,
    "reopt-custom-rate-energy-demand.json": NO_START,
    "reopt-custom-rate-energy.json": NO_START,
    "reopt-customRatePOST.json": SEASONS,
    "reopt-dixie-escalante-rea-net-metering.json": NO_START,
    "reopt-entergy-ar-lps-tou.json": SEASONS,
    "reopt-missing_schedule.json": "energyweekdayschedule[0]: period numbers must be 0 to 0",
    "reopt-peco-gs-ht.json": "coincidentratestructure: is not supported by the catalog format",
    "reopt-pge-e19.json": "demandattrs: is not supported by the catalog format",
    "reopt-psco-residential-demand-rd.json": "flatdemandmonths: differs by month (seasons); not "
    "supported",
    "reopt-sce-gs2-tou-b.json": "demandattrs: is not supported by the catalog format",
    "reoptjl-multi_tier_urdb_response.json": "fixedchargeunits: '$/day' is not supported "
    "($/month only)",
    "reoptjl-subhourly_with_urdb.json": "energyratestructure[0][0].sell: sell rates (net "
    "metering) are not supported",
    "reoptjl-tiered_energy_demand.json": NO_START,
    "reoptjl-tiered_tou_demand.json": NO_START,
}
# Given the effective date the refusal asks for, these convert too: (components, charge).
URDB_WITH_EFFECTIVE_DATE = {
    # the legacy fixedmonthlycharge: a $30 customer charge, no longer quoted as $0.00
    "reopt-dixie-escalante-rea-net-metering.json": (["customer_charge", "flat_energy"], 30),
    "reopt-custom-rate-energy.json": (["flat_energy"], None),
}


def _july_bill(mapping, kwh, kw=None):
    det = Determinants(
        period=Period.month(2025, 7),
        hours=Decimal(744),
        energy_kwh=Decimal(kwh),
        demand_kw=None if kw is None else Decimal(kw),
    )
    return rate_bill(tariff=parse_tariff(mapping), determinants=det).total.amount


@pytest.mark.parametrize("name", sorted(URDB_CONVERTED))
def test_urdb_rate_is_converted(capsys, name):
    kinds, customer_charge, minimum = URDB_CONVERTED[name]
    assert rate_urdb.main([str(PEER_DATA / "urdb" / name)]) == 0
    mapping = tomllib.loads(capsys.readouterr().out, parse_float=Decimal)
    assert [component["kind"] for component in mapping["components"]] == kinds
    assert mapping["components"][0]["amount"] == customer_charge
    assert mapping["components"][-1]["amount"] == minimum
    assert _july_bill(mapping, "1000", "10") == minimum  # small use: the minimum bill


@pytest.mark.parametrize("name", sorted(URDB_REFUSED))
def test_urdb_rate_is_refused_in_one_line(capsys, name):
    assert rate_urdb.main([str(PEER_DATA / "urdb" / name)]) == 2
    assert capsys.readouterr().err.splitlines() == [PREFIX + URDB_REFUSED[name]]


@pytest.mark.parametrize("name", sorted(URDB_WITH_EFFECTIVE_DATE))
def test_urdb_rate_without_a_start_date_converts_given_one(capsys, name):
    kinds, customer_charge = URDB_WITH_EFFECTIVE_DATE[name]
    path = PEER_DATA / "urdb" / name
    assert rate_urdb.main([str(path), "--effective", "2025-01-01"]) == 0
    mapping = tomllib.loads(capsys.readouterr().out, parse_float=Decimal)
    assert mapping["effective_date"] == date(2025, 1, 1)
    assert [component["kind"] for component in mapping["components"]] == kinds
    if customer_charge is not None:
        assert mapping["components"][0]["amount"] == customer_charge
        assert _july_bill(mapping, "500") == Decimal("30.00")


# --- BAI2: coopcis lockbox import FILE --format bai2 --------------------------------------

BAI2_IMPORTED = {
    # the BAI2 specification's own sample: two 115 lockbox deposits, no 116 items
    "moov-sample2.bai2": "moov-sample2.bai2 (BAI2, deposit 2004-06-20): 0 items $0.00; "
    "matched 0 $0.00; suspense 0 $0.00; already posted 0",
}
BALANCE_REPORT = (
    "the file holds no lockbox records (no 115 deposit, 116 item or 110 total lockbox "
    "deposits): a balance report, not a lockbox file; nothing imported"
)
NOT_A_RECORD = "not a BAI2 record (01, 02, 03, 16, 49, 88, 98 or 99 and a comma)"
BAI2_REFUSED = {
    "moj-account_trailer_amount_blank_example.bai2": f"line 1: {BALANCE_REPORT}",
    "moj-citi_example.bai2": f"line 1: {BALANCE_REPORT}",
    "moj-nwb_example.bai2": f"line 1: {BALANCE_REPORT}",
    "moj-svb_us_example.bai2": "line 11: one deposit date per file: 2022-02-02 after 2022-02-01",
    "moov-sample-parseError.bai2": f"line 1: {NOT_A_RECORD}",
    "moov-sample1.bai2": f"line 1: {BALANCE_REPORT}",
    # a text field broken over a physical line
    "moov-sample3.bai2": f"line 19: {NOT_A_RECORD}",
    "moov-sample4-continuations-newline-delimited.bai2": "line 22: account control total "
    "-12601613417.62 does not match the records, which add up to 79999.60",
    # "88:EREF" (a colon for the comma)
    "moov-sample5-issue113.bai2": f"line 63: {NOT_A_RECORD}",
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(BAI2_IMPORTED))
def test_bai2_file_is_imported(name):
    out = command("lockbox", "import", str(PEER_DATA / "bai2" / name), "--no-progress")
    assert out.rsplit(";", 1)[0] == BAI2_IMPORTED[name]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(BAI2_REFUSED))
def test_bai2_file_is_refused_in_one_line(capsys, name):
    path = PEER_DATA / "bai2" / name
    assert main(["lockbox", "import", str(path), "--format", "bai2", "--no-progress"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"coopcis lockbox: error: file: {name}: {BAI2_REFUSED[name]}"
    ]


# --- NACHA returns: coopcis ach returns FILE ---------------------------------------------

ACH_IMPORTED = {
    # header and control trimmed of trailing blanks; no batch: the processor's zero file
    "moov-FISERV-ZEROFILE-PIMRET825324_032720_110221.ach": (
        "no returns in the file; nothing posted",
        [],
    ),
    "moov-contested_addenda.ach": (
        "1 returns read, 0 posted, 1 name no draft of ours (nothing posted)",
        [("R72", "123456780000069")],
    ),
    # the file header trimmed to 91 characters; three returns of one original trace
    "moov-issue702.ach": (
        "3 returns read, 0 posted, 3 name no draft of ours (nothing posted)",
        [("R04", "101206100000001"), ("R03", "101206100000001"), ("R01", "101206100000001")],
    ),
    "moov-return-PPD-custom-reason-code.ach": (
        "1 returns read, 0 posted, 1 name no draft of ours (nothing posted)",
        [("R97", "092221172022300")],
    ),
    "moov-return-WEB.ach": (
        "2 returns read, 0 posted, 2 name no draft of ours (nothing posted)",
        [("R01", "091400600000001"), ("R03", "091400600000003")],
    ),
}
NO_HEADER = "line 1: the file must begin with a file header (record type 1, priority 01)"
ZERO_DATE = "line 2: effective entry date '000000' is not a YYMMDD date"
ACH_REFUSED = {
    "moov-contested-return.ach": ZERO_DATE,
    "moov-cor-example.ach": ZERO_DATE,
    "moov-dishonored-return.ach": ZERO_DATE,
    "moov-issue1620_return.ach": ZERO_DATE,
    "moov-issue751.ach": NO_HEADER,
    "moov-pos-invalidReturnFile.ach": ZERO_DATE,
    "moov-return-no-batch-controls.ach": NO_HEADER,
    "moov-return-no-batch-header.ach": NO_HEADER,
    "moov-return-no-file-header-control.ach": NO_HEADER,
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ACH_IMPORTED))
def test_nacha_returns_file_is_imported(name):
    summary, returns = ACH_IMPORTED[name]
    out = command("ach", "returns", str(PEER_DATA / "ach" / name), "--on", "2026-11-05")
    assert out.splitlines()[-1] == f"{name}: {summary}"
    recorded = AchReturn.objects.order_by("line")
    assert [(r.reason_code, r.original_trace_number) for r in recorded] == returns
    assert all(r.entry_id is None for r in recorded)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ACH_REFUSED))
def test_nacha_returns_file_is_refused_in_one_line(capsys, name):
    path = PEER_DATA / "ach" / name
    assert main(["ach", "returns", str(path), "--on", "2026-11-05"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"coopcis ach: error: file: {name}: {ACH_REFUSED[name]}"
    ]
    assert not AchReturn.objects.exists()


def test_every_file_has_its_expected_outcome():
    tables = {
        "espi": {**ESPI_IMPORTED, **ESPI_REFUSED},
        "urdb": {**URDB_CONVERTED, **URDB_REFUSED},
        "bai2": {**BAI2_IMPORTED, **BAI2_REFUSED},
        "ach": {**ACH_IMPORTED, **ACH_REFUSED},
    }
    for folder, table in tables.items():
        files = {path.name for path in (PEER_DATA / folder).iterdir()}
        assert files == set(table), folder
    assert sum(len(table) for table in tables.values()) == 63
