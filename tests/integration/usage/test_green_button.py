"""Green Button "Download My Data" reads back through `coopcis reads import` to the same
values, as ESPI XML and as CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from coopcis.apps.metering.models import IntervalBlock
from coopcis.apps.usage.green_button import download
from coopcis.apps.usage.readings import interval_meters, intervals
from coopcis.core.errors import RuleViolation
from coopcis.core.periods import CO_OP_TIME_ZONE
from tests.factories import MeterFactory, MeterInstallationFactory, ServicePointFactory
from tests.integration.jobs import coopcis
from tests.integration.small_coop import midnight

pytestmark = pytest.mark.django_db


@pytest.fixture
def point():
    point = ServicePointFactory()
    meter = MeterFactory(serial="AMI-GB-1", kind="AMI_INTERVAL", interval_minutes=15)
    MeterInstallationFactory(meter=meter, service_point=point, installed_on=date(2026, 1, 1))
    # 7-9 March 2026 (the 8th is the 23-hour DST day): Wh that differ every quarter hour
    utc_blocks(meter, date(2026, 3, 7), date(2026, 3, 10), lambda at: 7 + at // 900 % 97)
    return point


def utc_blocks(meter, first: date, end: date, wh_of) -> None:
    """15-minute intervals from local midnight ``first`` to ``end``, counted in UTC (so
    the DST day has 92), stored one block per UTC day; ``wh_of(unix seconds)``."""
    low, high = int(midnight(first).timestamp()), int(midnight(end).timestamp())
    by_day: dict[date, list[int]] = {}
    for at in range(low, high, 900):
        by_day.setdefault(datetime.fromtimestamp(at, UTC).date(), []).append(at)
    for starts in by_day.values():
        IntervalBlock.objects.create(
            meter=meter,
            start_at=datetime.fromtimestamp(starts[0], UTC),
            interval_minutes=15,
            count=len(starts),
            values_wh=IntervalBlock.pack([wh_of(at) for at in starts]),
        )


def stored() -> list[tuple[datetime, int]]:
    values = []
    for block in IntervalBlock.objects.order_by("start_at"):
        for index, energy_wh in enumerate(block.values()):
            values.append((block.start_at.timestamp() + index * 900, energy_wh))
    return values


@pytest.mark.parametrize(("file_format", "option"), [("xml", "espi"), ("csv", "csv-interval")])
def test_a_download_imports_back_to_the_same_values(point, tmp_path, capsys, file_format, option):
    meters = interval_meters(point.pk)
    before = stored()
    assert len(before) == 96 + 92 + 96
    made = download(
        meters,
        point_code=point.code,
        start_on=date(2026, 3, 7),
        end_on=date(2026, 3, 9),
        file_format=file_format,
        created_at=datetime(2026, 3, 10, 12, tzinfo=UTC),
    )
    path = tmp_path / made.file_name
    path.write_text(made.content, encoding="utf-8")
    IntervalBlock.objects.all().delete()

    code, out, err = coopcis(capsys, "reads", "import", path, "--format", option, "--json")

    assert (code, err) == (0, "")
    assert '"rows_stored": 284' in out and '"rows_skipped": 0' in out
    assert stored() == before


def test_the_chosen_days_are_local_days_both_included(point):
    meters = interval_meters(point.pk)
    made = download(
        meters,
        point_code=point.code,
        start_on=date(2026, 3, 8),
        end_on=date(2026, 3, 8),
        file_format="csv",
        created_at=datetime(2026, 3, 10, tzinfo=UTC),
    )
    rows = made.content.splitlines()[1:]
    assert len(rows) == 92  # the DST day: 23 hours
    assert rows[0].startswith("AMI-GB-1,2026-03-08T00:00:00-07:00,")
    assert rows[-1].startswith("AMI-GB-1,2026-03-08T23:45:00-06:00,")
    assert made.file_name == f"green-button-{point.code}-2026-03-08-2026-03-08.csv"


def test_a_range_backwards_or_too_long_is_refused(point):
    meters = interval_meters(point.pk)
    with pytest.raises(RuleViolation, match="before the first day"):
        download(meters, point_code="X", start_on=date(2026, 3, 9), end_on=date(2026, 3, 8),
                 file_format="xml", created_at=datetime(2026, 3, 10, tzinfo=UTC))  # fmt: skip
    with pytest.raises(RuleViolation, match="at most 400 days"):
        download(meters, point_code="X", start_on=date(2025, 1, 1), end_on=date(2026, 3, 8),
                 file_format="xml", created_at=datetime(2026, 3, 10, tzinfo=UTC))  # fmt: skip


def test_intervals_count_only_while_the_meter_was_installed(point):
    installation = point.installations.get()
    installation.removed_on = date(2026, 3, 8)
    installation.save()
    values = intervals(
        interval_meters(point.pk), start_on=date(2026, 3, 1), end_on=date(2026, 4, 1)
    )
    assert len(values) == 96
    assert values[-1].start_at.astimezone(CO_OP_TIME_ZONE).date() == date(2026, 3, 7)
