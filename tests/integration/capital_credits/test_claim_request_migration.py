"""Migration 0006 makes a claim request a ``MemberRequest``: the day it was answered
(``answered_on``) is kept as ``decided_on``, and a claim waiting still waits."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from coopcis.apps.capital_credits.models import ClaimRequest, Payout
from coopcis.apps.capital_credits.unclaimed import claim_check, request_claim
from coopcis.core.addresses import Address
from tests.integration.capital_credits.test_unclaimed_portal import checks  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("capital_credits", "0005_claim_requests")]
AFTER = [("capital_credits", "0006_claim_request_member_request")]


def migrate(target: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


def test_the_answered_day_and_a_waiting_claim_survive_the_migration(checks):  # noqa: F811
    ben, carla, *_ = checks
    address = Address(line1="7 Calle Sol", line2="", city="Socorro", state="NM", zip_code="87801")
    for account in (ben, carla):
        request_claim(
            payout=Payout.objects.get(account=account),
            address=address,
            on=date(2026, 5, 1),
            requested_by="portal:test",
        )
    claim_check(payout=Payout.objects.get(account=ben), on=date(2026, 5, 4))

    migrate(BEFORE)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT account_id, status, answered_on FROM capital_credits_claimrequest ORDER BY id"
        )
        before = [(account, status, str(day) if day else None) for account, status, day in cursor]
    migrate(AFTER)

    assert before == [(ben.pk, "CLAIMED", "2026-05-04"), (carla.pk, "REQUESTED", None)]
    after = list(
        ClaimRequest.objects.order_by("id").values_list("account_id", "status", "decided_on")
    )
    assert after == [(ben.pk, "CLAIMED", date(2026, 5, 4)), (carla.pk, "REQUESTED", None)]
    assert set(ClaimRequest.objects.values_list("decided_by", flat=True)) == {""}
