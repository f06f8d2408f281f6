"""A billed small co-op (the home owes $183.89 for October, due 30 October) and a fresh
processor simulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from coopcis.apps.billing.run import run_billing
from coopcis.apps.payments.gateway import configured_gateway, forget_gateways
from coopcis.apps.payments.gateway.simulator import SimulatorGateway
from tests.integration.backoffice.factories import staff_user
from tests.integration.small_coop import small_coop
from tests.shared_build import shared_fixture

__all__ = ["billed", "gateway", "small_coop", "staff_client"]


@pytest.fixture
def gateway() -> Iterator[SimulatorGateway]:
    forget_gateways()
    simulator = configured_gateway()
    assert isinstance(simulator, SimulatorGateway)
    yield simulator
    forget_gateways()


@shared_fixture
def billed(small_coop):  # type: ignore[no-untyped-def]
    run_billing(period_label="2026-10")
    return small_coop


@pytest.fixture
def staff_client(db: None):  # type: ignore[no-untyped-def]
    def signed_in(role: str) -> Client:
        client = Client()
        client.force_login(staff_user(role))
        return client

    return signed_in
