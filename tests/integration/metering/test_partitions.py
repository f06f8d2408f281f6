"""Interval data partitioned by month on PostgreSQL (migration metering/0003); SQLite keeps
one plain table and the partition helpers do nothing there."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import IntegrityError, connection, transaction

from coopcis.apps.metering.models import IntervalBlock
from coopcis.apps.metering.partitions import (
    DEFAULT_PARTITION,
    ensure_months,
    is_partitioned,
    month_bounds,
    months_between,
    partition_name,
)
from tests.factories import MeterFactory

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="partitions are PostgreSQL's"
)


def _block(meter, day: datetime) -> IntervalBlock:
    return IntervalBlock.objects.create(
        meter=meter,
        start_at=day,
        interval_minutes=15,
        count=2,
        values_wh=IntervalBlock.pack([100, 250]),
    )


def _where(block: IntervalBlock) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM metering_intervalblock WHERE id = %s",
            [block.pk],
        )
        return cursor.fetchone()[0]


def test_months_and_their_utc_bounds() -> None:
    assert months_between(date(2026, 11, 20), date(2027, 2, 1)) == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2027, 2, 1),
    ]
    assert month_bounds(date(2026, 12, 1)) == (
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert partition_name(date(2026, 3, 1)) == "metering_intervalblock_p2026_03"


def test_sqlite_keeps_one_plain_table() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's behaviour")
    assert not is_partitioned()
    assert ensure_months(date(2031, 5, 1), date(2031, 6, 1)) == []
    block = _block(MeterFactory(kind="AMI", interval_minutes=15), datetime(2031, 5, 3, tzinfo=UTC))
    assert IntervalBlock.objects.get(pk=block.pk).values() == [100, 250]


@postgres_only
def test_the_table_is_partitioned_with_the_month_in_every_unique_key() -> None:
    assert is_partitioned()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'metering_intervalblock'::regclass AND contype IN ('p', 'u') "
            "ORDER BY conname"
        )
        keys = cursor.fetchall()
    assert keys == [
        ("metering_intervalblock_pkey", "PRIMARY KEY (id, start_at)"),
        ("one_interval_block_per_start", "UNIQUE (meter_id, channel, start_at)"),
    ]


@postgres_only
def test_a_new_month_takes_over_its_rows_from_the_default_partition() -> None:
    meter = MeterFactory(kind="AMI", interval_minutes=15)
    early = _block(meter, datetime(2031, 5, 3, tzinfo=UTC))
    late = _block(meter, datetime(2031, 5, 31, 23, 0, tzinfo=UTC))
    june = _block(meter, datetime(2031, 6, 1, tzinfo=UTC))
    assert {_where(b) for b in (early, late, june)} == {DEFAULT_PARTITION}

    created = ensure_months(date(2031, 5, 20), date(2031, 5, 21))

    assert created == ["metering_intervalblock_p2031_05"]
    assert (_where(early), _where(late)) == (created[0], created[0])
    assert _where(june) == DEFAULT_PARTITION  # June has no partition yet
    assert IntervalBlock.objects.get(pk=early.pk).values() == [100, 250]
    assert ensure_months(date(2031, 5, 1), date(2031, 5, 31)) == []  # made once


@postgres_only
def test_one_block_per_meter_channel_and_day_still_holds() -> None:
    meter = MeterFactory(kind="AMI", interval_minutes=15)
    ensure_months(date(2031, 7, 1), date(2031, 7, 1))
    _block(meter, datetime(2031, 7, 4, tzinfo=UTC))
    with pytest.raises(IntegrityError), transaction.atomic():
        _block(meter, datetime(2031, 7, 4, tzinfo=UTC))


@postgres_only
def test_a_read_period_scans_only_its_months() -> None:
    meter = MeterFactory(kind="AMI", interval_minutes=15)
    ensure_months(date(2031, 8, 1), date(2031, 11, 1))
    for month in (8, 9, 10, 11):
        _block(meter, datetime(2031, month, 15, tzinfo=UTC))
    query = IntervalBlock.objects.filter(
        meter=meter,
        start_at__gte=datetime(2031, 9, 14, tzinfo=UTC),
        start_at__lt=datetime(2031, 10, 16, tzinfo=UTC),
    )

    plan = query.explain()

    assert "metering_intervalblock_p2031_09" in plan
    assert "metering_intervalblock_p2031_10" in plan
    assert "p2031_08" not in plan and "p2031_11" not in plan and DEFAULT_PARTITION not in plan
    assert [b.start_at.month for b in query.order_by("start_at")] == [9, 10]
