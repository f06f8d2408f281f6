"""Fixtures: front ends with channel API keys, a fresh processor simulator, a billed co-op."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from coopcis.apps.billing.run import run_billing
from coopcis.apps.payments.gateway import configured_gateway, forget_gateways
from coopcis.apps.payments.gateway.simulator import SimulatorGateway
from coopcis.apps.payments.keys import create_api_key
from coopcis.apps.payments.models import ChannelApiKey
from tests.shared_build import shared_fixture

API = "/api/v1/payments"


@dataclass
class FrontEnd:
    """A kiosk, IVR or web portal talking to the API with its key."""

    record: ChannelApiKey
    key: str
    client: Client

    def pay(self, body: Any, *, idempotency_key: str | None = "pay-1", **headers: str) -> Any:
        sent = {"Authorization": f"Bearer {self.key}", **headers}
        if idempotency_key is not None:
            sent["Idempotency-Key"] = idempotency_key
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.client.post(API, data=data, content_type="application/json", headers=sent)

    def balance(self, number: str) -> Any:
        return self.client.get(
            f"{API}/accounts/{number}/balance", headers={"Authorization": f"Bearer {self.key}"}
        )


def front_end(channel: str, name: str) -> FrontEnd:
    issued = create_api_key(channel=channel, name=name)
    return FrontEnd(issued.record, issued.key, Client(enforce_csrf_checks=True))


@pytest.fixture
def kiosk(db: None) -> FrontEnd:
    return front_end("KIOSK", "Tularosa Travel Center")


@pytest.fixture
def portal(db: None) -> FrontEnd:
    return front_end("ONLINE", "Member portal")


@pytest.fixture
def ivr(db: None) -> FrontEnd:
    return front_end("IVR", "Phone payments")


@pytest.fixture
def gateway() -> Iterator[SimulatorGateway]:
    """The configured processor, fresh for each test (it remembers charges by key)."""
    forget_gateways()
    simulator = configured_gateway()
    assert isinstance(simulator, SimulatorGateway)
    yield simulator
    forget_gateways()


@shared_fixture
def billed(small_coop):  # type: ignore[no-untyped-def]
    """The small co-op billed for 2026-10: the home owes $183.89, due 30 October."""
    run_billing(period_label="2026-10")
    return small_coop


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
