"""``coopcis demo``: what a small demo co-op holds, and that it is consistent."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from coopcis.apps.audit.models import AuditEvent
from coopcis.apps.demo.synth.banking import is_valid_routing_number
from coopcis.apps.demo.synth.timeline import local_midnight_utc
from coopcis.apps.governance.models import Trustee
from coopcis.apps.members.models import (
    Account,
    BankDraftMandate,
    Membership,
    MembershipEvent,
    Party,
)
from coopcis.apps.metering.models import (
    IntervalBlock,
    Meter,
    MeterInstallation,
    RegisterRead,
)
from coopcis.apps.netmetering.models import Interconnection
from coopcis.apps.premises.models import Premise, ServiceAgreement, ServicePoint
from coopcis.core.periods import CO_OP_TIME_ZONE, open_ended_overlaps
from tests.integration.demo.conftest import SMALL_RUN

QUARTER_HOUR = timedelta(minutes=15)


def _interval_series(meter_id: int, channel: str) -> tuple[object, np.ndarray]:
    """A meter channel's intervals as one array from its first block, checking the blocks
    are contiguous and each within one UTC day."""
    blocks = list(
        IntervalBlock.objects.filter(meter_id=meter_id, channel=channel).order_by("start_at")
    )
    assert blocks, f"meter {meter_id} {channel} has no interval data"
    for block, following in pairwise(blocks):
        assert block.end_at == following.start_at
    for block in blocks:
        assert block.interval_minutes == 15
        assert len(block.values()) == block.count
        last = block.end_at - QUARTER_HOUR
        assert last.date() == block.start_at.date()
    values = np.concatenate([np.array(block.values(), dtype=np.int64) for block in blocks])
    return blocks[0].start_at, values


def _index(first_at: object, day: object) -> int:
    return int((local_midnight_utc(day) - first_at) // QUARTER_HOUR)  # type: ignore[operator]


def test_every_tariff_and_class_is_used(demo_coop: None) -> None:
    from coopcis.catalog.tariffs import tariff_codes

    used = set(ServiceAgreement.objects.values_list("tariff_code", flat=True))
    assert set(tariff_codes()) <= used
    assert Party.objects.count() == 60
    classes = set(Account.objects.values_list("rate_class", flat=True))
    assert classes == {
        "RESIDENTIAL",
        "SMALL_COMMERCIAL",
        "IRRIGATION",
        "LARGE_COMMERCIAL",
        "LIGHTING",
    }
    assert set(Account.objects.values_list("billing_cycle", flat=True)) == {1, 2, 3, 4}
    assert set(Premise.objects.values_list("district", flat=True)) == {"NW", "NE", "CN", "SW", "SE"}
    assert Account.objects.filter(paperless=True).exists()
    assert Account.objects.filter(language="ES").exists()
    statuses = set(Membership.objects.values_list("status", flat=True))
    assert {"ACTIVE", "WITHDRAWN", "DECEASED"} <= statuses
    assert Membership.objects.filter(kind="NON_MEMBER").exists()
    assert set(Meter.objects.values_list("kind", flat=True)) == {
        "REGISTER",
        "AMI_INTERVAL",
        "NET_METER",
    }
    ended = Membership.objects.exclude(status="ACTIVE")
    for membership in ended:
        assert membership.ended_on is not None
        assert MembershipEvent.objects.filter(
            membership=membership, kind=membership.status, on=membership.ended_on
        ).exists()
        for account in membership.party.accounts.all():
            assert account.status == "CLOSED"
            assert account.closed_on == membership.ended_on


def test_rate_19_accounts_are_large_steady_loads(demo_coop: None) -> None:
    agreements = ServiceAgreement.objects.filter(tariff_code="sec-19")
    assert agreements.exists()
    for agreement in agreements:
        assert agreement.contract_kw >= 1000
        assert Decimal(0) < agreement.loss_factor < Decimal("0.05")
        installation = agreement.service_point.installations.get()
        assert installation.meter.kind == "AMI_INTERVAL"
        _, values = _interval_series(installation.meter_id, "DELIVERED")
        kw = values * 4 / 1000
        assert kw.max() >= 1000
        assert kw.mean() / kw.max() >= 0.8  # Rate 19's load factor


def test_lights_are_unmetered_with_fixtures(demo_coop: None) -> None:
    lights = ServiceAgreement.objects.filter(tariff_code__startswith="ocec-light-")
    assert lights.count() >= 4
    for agreement in lights:
        assert agreement.fixtures >= 1
        assert agreement.service_point.kind == "UNMETERED_LIGHTING"
        assert not agreement.service_point.installations.exists()
        assert agreement.account.rate_class == "LIGHTING"


def test_interval_sums_equal_register_deltas(demo_coop: None) -> None:
    interval_meters = Meter.objects.exclude(kind="REGISTER")
    assert interval_meters.count() >= 10
    checked = 0
    for meter in interval_meters:
        channels = set(meter.register_reads.values_list("channel", flat=True))
        assert channels == (
            {"DELIVERED", "RECEIVED"} if meter.kind == "NET_METER" else {"DELIVERED"}
        )
        for channel in channels:
            first_at, values = _interval_series(meter.pk, channel)
            reads = list(meter.register_reads.filter(channel=channel).order_by("read_on"))
            assert reads
            for earlier, later in pairwise(reads):
                lo, hi = _index(first_at, earlier.read_on), _index(first_at, later.read_on)
                assert int(values[lo:hi].sum()) == later.register_wh - earlier.register_wh
                if meter.measures_demand and channel == "DELIVERED":
                    peak_kw = Decimal(int(values[lo:hi].max()) * 4) / 1000
                    assert later.demand_kw == peak_kw
                checked += 1
            assert reads[-1].register_wh < 10**meter.dials * 1000
    assert checked > 20


def test_register_meters_read_monthly_and_never_run_backwards(demo_coop: None) -> None:
    for meter in Meter.objects.filter(kind="REGISTER"):
        reads = list(meter.register_reads.order_by("read_on"))
        installation = meter.installations.get()
        cycle_reads = [read for read in reads if read.source == "FIELD"]
        if installation.removed_on is None:
            assert len(cycle_reads) == 3  # one a month
        assert {read.source for read in reads} <= {"FIELD", "MOVE", "FINAL"}
        for earlier, later in pairwise(cycle_reads):
            assert 25 <= (later.read_on - earlier.read_on).days <= 36
        for earlier, later in pairwise(reads):
            assert later.register_wh > earlier.register_wh
        if installation.removed_on is not None:
            assert reads[-1].read_on == installation.removed_on
            assert reads[-1].source == "FINAL"


def test_time_of_use_homes_peak_in_the_evening(demo_coop: None) -> None:
    meter_ids = MeterInstallation.objects.filter(
        service_point__agreements__tariff_code="ocec-res-tou",
        service_point__agreements__end_on__isnull=True,
    ).values_list("meter_id", flat=True)
    by_hour: dict[int, list[int]] = defaultdict(list)
    for meter_id in meter_ids:
        for block in IntervalBlock.objects.filter(meter_id=meter_id, channel="DELIVERED"):
            for i, wh in enumerate(block.values()):
                at = (block.start_at + QUARTER_HOUR * i).astimezone(CO_OP_TIME_ZONE)
                by_hour[at.hour].append(wh)
    evening = np.mean([wh for hour in range(17, 21) for wh in by_hour[hour]])
    night = np.mean([wh for hour in range(0, 6) for wh in by_hour[hour]])
    assert evening > 1.5 * night


def test_meters_and_agreements_never_overlap(demo_coop: None) -> None:
    by_meter: dict[int, list[MeterInstallation]] = defaultdict(list)
    for installation in MeterInstallation.objects.all():
        by_meter[installation.meter_id].append(installation)
    assert set(by_meter) == set(Meter.objects.values_list("pk", flat=True))
    for installations in by_meter.values():
        for i, one in enumerate(installations):
            for other in installations[i + 1 :]:
                assert not open_ended_overlaps(
                    one.installed_on, one.removed_on, other.installed_on, other.removed_on
                )
    by_point: dict[int, list[ServiceAgreement]] = defaultdict(list)
    for agreement in ServiceAgreement.objects.all():
        by_point[agreement.service_point_id].append(agreement)
    assert any(len(agreements) > 1 for agreements in by_point.values())
    for agreements in by_point.values():
        for i, one in enumerate(agreements):
            for other in agreements[i + 1 :]:
                assert not open_ended_overlaps(
                    one.start_on, one.end_on, other.start_on, other.end_on
                )
    assert ServicePoint.objects.filter(agreements__isnull=True).count() == 0


def test_bank_drafts_are_plausible(demo_coop: None) -> None:
    mandates = list(BankDraftMandate.objects.select_related("account"))
    assert mandates
    for mandate in mandates:
        assert is_valid_routing_number(mandate.routing_number), mandate.routing_number
        assert mandate.draft_day in (3, 25)
        assert mandate.account.autopay == mandate.active
        assert mandate.active == (mandate.account.status == "ACTIVE")
    assert not Account.objects.filter(autopay=True, bank_draft__isnull=True).exists()


def test_every_master_row_has_a_create_event(demo_coop: None) -> None:
    for model in (
        Party,
        Membership,
        Account,
        Premise,
        ServicePoint,
        Meter,
        MeterInstallation,
        ServiceAgreement,
        BankDraftMandate,
    ):
        events = AuditEvent.objects.filter(model=model._meta.label_lower, action="CREATE")
        assert events.count() == model.objects.count()
    installation = MeterInstallation.objects.first()
    event = AuditEvent.objects.get(
        model="metering.meterinstallation", object_pk=str(installation.pk)
    )
    assert event.account_id == installation.audit_account_id()


def _digest() -> str:
    """A digest of the demo's content in insertion order: every stored value except
    timestamps and the ids the database numbers (which depend on earlier tests)."""
    digest = hashlib.sha256()
    for model in (
        Party,
        Membership,
        MembershipEvent,
        Premise,
        ServicePoint,
        Account,
        ServiceAgreement,
        BankDraftMandate,
        Meter,
        MeterInstallation,
        RegisterRead,
        IntervalBlock,
    ):
        names = [
            f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "created_at")
        ]
        for row in model.objects.order_by("pk").values_list(*names):
            digest.update(
                repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)).encode()
            )
    # The board's rows (governance) and the net-metering interconnections take the ids the
    # database numbers, so their audit lines are left out; they are digested below without ids.
    for row in (
        AuditEvent.objects.exclude(model__startswith="governance.")
        .exclude(model__startswith="netmetering.")
        .order_by("pk")
        .values_list("action", "model", "object_pk", "object_repr", "account_id")
    ):
        digest.update(repr(row).encode())
    for row in Trustee.objects.order_by("pk").values_list(
        "membership__number", "district", "term_ends_year", "started_on"
    ):
        digest.update(repr(row).encode())
    for row in Interconnection.objects.order_by("pk").values_list(
        "account__number", "service_point__code", "ac_kw", "status", "net_meter__serial"
    ):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def _flush() -> None:
    """Empty the database, keeping a manager sign-in for the commands to run as."""
    call_command("flush", interactive=False, verbosity=0)
    call_command("staff", "add", "operator", "--role", "manager", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)  # empties the database: loads a demo of its own
def test_same_seed_same_data(demo_coop: None) -> None:
    first = _digest()
    _flush()
    call_command("demo", *SMALL_RUN, verbosity=0)
    assert _digest() == first
    _flush()
    call_command("demo", *SMALL_RUN[:-1], "8", verbosity=0)
    assert _digest() != first


def test_refuses_a_database_with_accounts(demo_coop: None) -> None:
    accounts = Account.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command("demo", *SMALL_RUN, verbosity=0)
    assert "already holds" in str(refused.value)
    assert "\n" not in str(refused.value)
    assert Account.objects.count() == accounts


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--members", "0"), "--members must be between 1"),
        (("--members", "10", "--through", "2026-13"), "not a month"),
        (("--members", "10", "--through", "2999-01"), "has not ended"),
        (("--members", "10", "--months", "1"), "--months must be between"),
    ],
)
def test_bad_arguments_are_refused_in_one_line(arguments: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError) as refused:
        call_command("demo", *arguments, verbosity=0)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert refused.value.returncode == 2
    assert not Account.objects.exists()


def test_command_line_reports_a_bad_month_in_one_line(tmp_path: object) -> None:
    environment = dict(os.environ, COOPCIS_VAR_DIR=str(tmp_path))
    environment.pop("COOPCIS_DEBUG", None)
    finished = subprocess.run(
        [sys.executable, "-m", "coopcis.cli", "demo", "--members", "5", "--through", "2026-13"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 2
    lines = finished.stderr.strip().splitlines()
    assert lines == ["coopcis demo: error: --through: not a month (YYYY-MM): '2026-13'"]


def test_five_years_of_outage_history_with_storms(demo_coop: None, capsys) -> None:
    from coopcis.apps.outages.models import Interruption

    first = Interruption.objects.order_by("start_at").first()
    latest = Interruption.objects.order_by("start_at").last()
    assert first is not None and latest is not None
    assert latest.start_at.year - first.start_at.year == 5
    assert Interruption.objects.filter(cause="extreme_storm").exists()
    year = latest.start_at.year - 1
    call_command("outages", "indices", "--year", str(year), "--json")
    figures = json.loads(capsys.readouterr().out)
    # a rural co-op's figures, and a threshold from the five years before
    assert 0.5 < figures["excluding_med"]["saifi"] < 5
    assert 30 < figures["excluding_med"]["saidi"] < 600
    assert figures["t_med"] is not None and figures["t_med_history"]["days_with_interruptions"] > 50


def test_the_demo_network_puts_every_service_point_under_a_transformer(demo_coop: None) -> None:
    from coopcis.apps.outages.network import current_network

    network = current_network()
    assert network.orphans == []
    points = list(ServicePoint.objects.values_list("code", flat=True))
    assert sum(1 for kind in network.kinds if kind == "service_point") == len(points)
    kinds = {kind: network.kinds.count(kind) for kind in set(network.kinds)}
    assert kinds["source"] == 2 and kinds["substation"] >= 3
    assert kinds["fuse"] >= kinds["recloser"] > 0
    for code in points[:50]:
        path = network.upstream(code)
        assert [network.kind(c) for c in (path[1], path[-1])] == ["transformer", "source"]
        assert "feeder" in [network.kind(c) for c in path]


def test_some_households_have_life_support_on_record(demo_coop: None) -> None:
    """One residential account in 150 (here the first of the small run's): received 30
    days before the demo's end (2025-09-01), valid a year."""
    from datetime import date

    from coopcis.apps.outages.models import LifeSupportCertificate

    [certificate] = LifeSupportCertificate.objects.select_related("account")
    assert certificate.account.rate_class == "RESIDENTIAL"
    assert certificate.equipment == "oxygen concentrator"
    assert (certificate.received_on, certificate.expires_on) == (date(2025, 8, 2), date(2026, 8, 2))
    assert certificate.counts_on(date(2026, 8, 2)) and not certificate.counts_on(date(2026, 8, 3))
