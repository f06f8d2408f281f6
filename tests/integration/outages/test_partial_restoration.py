"""Partial restorations on the nested network (tests/integration/outages/nested_network.py),
with the IEEE 1366 interruptions worked by hand. R1 (5 members) went out 3 hours ago (t0).

- F1 (2 members) found out under R1, closed at t0+1h while R1 stays open to t0+2h: nobody
  restored at t0+1h; at t0+2h R1's own 3 and F1's 2 each 120 minutes: 600 customer minutes.
- R1 closed at t0+1h with F1 still out to t0+2h: 3 x 60 + 2 x 120 = 420.
- R1 closed whole at t0+2h, then SP-M says "still out": SP-M's own outage is nested under
  R1 from t0 and R1's interruption counts 4 members; SP-M restored at t0+3h: 4 x 120 +
  1 x 180 = 660.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import formats, timezone, translation

from coopcis.apps.notify.models import OutboxMessage
from coopcis.apps.outages import intake, restoration
from coopcis.apps.outages.models import (
    Interruption,
    Outage,
    OutageReport,
    OutageStatus,
    ReportKind,
    ReportSource,
)
from coopcis.apps.premises.models import ServicePoint
from coopcis.catalog.profiles import active_profile
from coopcis.core.errors import RuleViolation
from coopcis.core.outages.prediction import parameters_from_table
from tests.integration.outages.nested_network import build, number_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def t0():
    return timezone.now().replace(second=0, microsecond=0) - timedelta(hours=3)


@pytest.fixture
def recloser(tmp_path, t0):
    build(tmp_path)
    return Outage.objects.create(
        device_code="R1", device_kind="recloser", started_at=t0, predicted_at=t0, affected=5
    )


def customer_minutes() -> dict[str, tuple[int, float]]:
    return {
        i.device: (i.customers_interrupted, (i.end_at - i.start_at).total_seconds() / 60)
        for i in Interruption.objects.all()
    }


def test_a_fuse_closed_under_the_open_recloser_waits_for_it(recloser, t0):
    fuse = restoration.also_out(recloser, device_code="F1")
    assert (fuse.parent_id, fuse.affected, fuse.started_at) == (recloser.pk, 2, t0)
    restoration.restore(fuse, cause="fuse", restored_at=t0 + timedelta(hours=1))
    fuse.refresh_from_db()
    assert fuse.status == OutageStatus.RESTORED and fuse.interruption is None
    assert restoration.waiting_on_upstream(fuse) == recloser
    assert not Interruption.objects.exists()
    assert not OutboxMessage.objects.filter(kind="outage").exists()  # nobody is back yet

    restoration.restore(recloser, cause="tree", restored_at=t0 + timedelta(hours=2))
    assert customer_minutes() == {"R1": (3, 120.0), "F1": (2, 120.0)}
    # all five told once, F1's two with the recloser's time (when their power came back)
    told = OutboxMessage.objects.filter(kind="outage").select_related("account")
    assert sorted(m.account.number for m in told) == sorted(number_of(x) for x in "ABMNO")
    with translation.override("en"):
        back = formats.time_format(timezone.localtime(t0 + timedelta(hours=2)))
    fuse_member = told.get(account__number=number_of("A"))
    assert back in fuse_member.body
    assert sum(n * m for n, m in customer_minutes().values()) == 600


def test_a_recloser_closed_with_its_fuse_still_out(recloser, t0):
    restoration.restore(
        recloser, cause="tree", restored_at=t0 + timedelta(hours=1), still_out_below=["F1"]
    )
    fuse = Outage.objects.get(device_code="F1")
    assert (fuse.status, fuse.parent_id, fuse.started_at) == (OutageStatus.OPEN, recloser.pk, t0)
    assert customer_minutes() == {"R1": (3, 60.0)}
    restoration.restore(fuse, cause="fuse", restored_at=t0 + timedelta(hours=2))
    assert customer_minutes() == {"R1": (3, 60.0), "F1": (2, 120.0)}
    assert sum(n * m for n, m in customer_minutes().values()) == 420


def test_still_out_after_a_restoration_nests_the_member_from_the_start(recloser, t0):
    restoration.restore(recloser, cause="tree", restored_at=t0 + timedelta(hours=2))
    assert customer_minutes() == {"R1": (5, 120.0)}
    received = intake.receive_report(
        service_point=ServicePoint.objects.get(code="SP-M"),
        source=ReportSource.PORTAL,
        kind=ReportKind.STILL_OUT,
        event_at=t0 + timedelta(hours=2, minutes=20),
    )
    single = received.report.outage
    assert (single.device_code, single.parent_id, single.started_at) == ("SP-M", recloser.pk, t0)
    assert customer_minutes() == {"R1": (4, 120.0)}
    restoration.restore(single, cause="service_drop", restored_at=t0 + timedelta(hours=3))
    assert customer_minutes() == {"R1": (4, 120.0), "SP-M": (1, 180.0)}
    assert sum(n * m for n, m in customer_minutes().values()) == 660


def test_still_out_reopens_the_members_own_single_service_outage(tmp_path, t0):
    build(tmp_path)
    single = Outage.objects.create(
        device_code="SP-C", device_kind="service_point", started_at=t0, predicted_at=t0, affected=1
    )
    restoration.restore(single, cause="service_drop", restored_at=t0 + timedelta(hours=1))
    assert customer_minutes() == {"SP-C": (1, 60.0)}
    report = intake.receive_report(
        service_point=ServicePoint.objects.get(code="SP-C"),
        source=ReportSource.PORTAL,
        kind=ReportKind.STILL_OUT,
        event_at=t0 + timedelta(hours=1, minutes=10),
    ).report
    assert report.outage_id == single.pk
    single.refresh_from_db()
    assert single.status == OutageStatus.OPEN and single.restored_at is None
    assert not Interruption.objects.exists()  # it had not ended
    restoration.restore(single, cause="service_drop", restored_at=t0 + timedelta(hours=2))
    assert customer_minutes() == {"SP-C": (1, 120.0)}
    assert Outage.objects.count() == 1 and OutageReport.objects.count() == 1


def test_nesting_refuses_what_is_not_below(recloser):
    with pytest.raises(RuleViolation, match="not below"):
        restoration.also_out(recloser, device_code="T2")
    with pytest.raises(RuleViolation, match="not a device below"):
        restoration.also_out(recloser, device_code="NOPE")
    restoration.also_out(recloser, device_code="F1")
    with pytest.raises(RuleViolation, match="already outage"):
        restoration.also_out(recloser, device_code="F1")
    # a transformer under the nested fuse hangs from the fuse's outage
    transformer = restoration.also_out(recloser, device_code="T1")
    assert transformer.parent.device_code == "F1"


def test_the_restoration_page_restores_all_but_the_devices_named(recloser, t0, client):
    from tests.integration.backoffice.factories import staff_user

    client.force_login(staff_user("customer_service", username="dispatch"))
    local = timezone.localtime(t0 + timedelta(hours=1))
    response = client.post(
        f"/outages/{recloser.pk}/restore/",
        {
            f"r{recloser.pk}-cause": "tree",
            f"r{recloser.pk}-restored_at": local.strftime("%Y-%m-%dT%H:%M"),
            f"r{recloser.pk}-still_out_below": "F1",
            "back": "detail",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "restored except below F1" in page
    assert customer_minutes() == {"R1": (3, 60.0)}
    fuse = Outage.objects.get(device_code="F1")
    assert fuse.status == OutageStatus.OPEN
    # the nested fuse's page says whose outage it hangs from
    detail = client.get(f"/outages/{fuse.pk}/").content.decode()
    assert f"outage {recloser.pk}</a> (R1, restored)" in detail


def test_thresholds_come_from_the_co_op_profile(tmp_path, monkeypatch):
    """SP-A, SP-B (F1's two) and SP-M (under T3) report: R1 has 3 of 5 (60 %) on both its
    branches, so with the profile's 30 % for reclosers R1 is predicted; a profile asking
    70 % of a recloser leaves F1 (2 of 2) and SP-M on its own."""
    build(tmp_path)
    now = timezone.now()
    for code in ("SP-A", "SP-B", "SP-M"):
        intake.receive_report(
            service_point=ServicePoint.objects.get(code=code),
            source=ReportSource.AMI,
            event_at=now - timedelta(minutes=1),
        )
    assert (
        active_profile().outage_prediction.thresholds["recloser"]
        == parameters_from_table({}).thresholds["recloser"]
    )
    strict = replace(
        active_profile(),
        outage_prediction=parameters_from_table({"thresholds": {"recloser": "0.7"}}),
    )
    monkeypatch.setattr(intake, "active_profile", lambda: strict)
    assert sorted(o.device_code for o in intake.refresh_predictions(now)) == ["F1", "SP-M"]
    monkeypatch.undo()
    Outage.objects.all().delete()
    [outage] = intake.refresh_predictions(now)
    assert outage.device_code == "R1"
