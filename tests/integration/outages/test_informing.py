"""Members affected are told through a real local SMTP server: detected, estimate, restored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from coopcis.apps.notify.services import set_preference
from coopcis.apps.outages import intake
from coopcis.apps.outages.informing import tell_detected
from coopcis.apps.outages.models import Outage
from tests.factories import (
    AccountFactory,
    PartyFactory,
    ServiceAgreementFactory,
    ServicePointFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

GIS = "device_id,kind,parent_id\nTX,source,\nSUB,substation,TX\nSUB-1,feeder,SUB\nF1,fuse,SUB-1\nT1,transformer,F1\nT2,transformer,SUB-1\n"


def test_detected_estimate_and_restored_reach_the_members_under_the_fuse(tmp_path, smtp_server):
    path = tmp_path / "gis.csv"
    path.write_text(GIS, encoding="utf-8")
    call_command("outages", "network", "import", str(path))
    emails = []
    for n, transformer in enumerate(["T1", "T1", "T2"]):
        party = PartyFactory(email=f"member{n}@example.com")
        account = AccountFactory(party=party)
        ServiceAgreementFactory(
            account=account,
            service_point=ServicePointFactory(code=f"SP-{n}", transformer=transformer),
        )
        set_preference(party=party, kind="outage", channel="EMAIL")
        emails.append(party.email)
    started = timezone.now() - timedelta(minutes=30)
    outage = Outage.objects.create(
        device_code="F1", device_kind="fuse", started_at=started, predicted_at=started, affected=2
    )
    assert tell_detected(now=timezone.now()) == 2
    assert tell_detected(now=timezone.now()) == 2  # recorded again, sent once
    intake.set_estimate(outage, estimated_at=timezone.now() + timedelta(hours=2), crew="Crew 1")
    intake.restore(outage, cause="tree", restored_at=timezone.now() - timedelta(minutes=1))

    received = smtp_server.wait_for(6)
    # member 2 is on T2, off the fuse: told nothing; members 0 and 1: three messages each
    assert sorted(m["To"] for m in received) == sorted([emails[0], emails[1]] * 3)
    subjects = [m["Subject"] for m in received if m["To"] == emails[0]]
    assert subjects == [
        "An outage is affecting your service",
        "An outage is affecting your service",
        "Power is back on",
    ]
    assert "We expect power back by about" in smtp_server.body(
        [m for m in received if m["To"] == emails[0]][1]
    )
