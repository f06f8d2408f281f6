"""The card and e-check processor coopcis charges through, chosen by settings.

``COOPCIS_PAYMENT_GATEWAY`` names a class (dotted path) built as ``cls(secret=...)``;
the default is the simulator, as the real processor cannot be reached from here.
``COOPCIS_GATEWAY_CALLBACK_SECRET`` (setting or environment) is the HMAC secret shared
with the processor for its callbacks; without it one is derived from ``SECRET_KEY``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from coopcis.apps.payments.gateway.base import (
    BadCallback,
    BadSignature,
    CallbackEvent,
    CallbackKind,
    GatewayMismatch,
    GatewayResult,
    Outcome,
    PaymentGateway,
)

DEFAULT_GATEWAY = "coopcis.apps.payments.gateway.simulator.SimulatorGateway"

__all__ = [
    "BadCallback",
    "BadSignature",
    "CallbackEvent",
    "CallbackKind",
    "GatewayMismatch",
    "GatewayResult",
    "Outcome",
    "PaymentGateway",
    "callback_secret",
    "configured_gateway",
]


def callback_secret() -> str:
    configured = getattr(settings, "COOPCIS_GATEWAY_CALLBACK_SECRET", None) or os.environ.get(
        "COOPCIS_GATEWAY_CALLBACK_SECRET"
    )
    if configured:
        return str(configured)
    return hmac.new(
        str(settings.SECRET_KEY).encode(), b"coopcis-gateway-callback", hashlib.sha256
    ).hexdigest()


def configured_gateway() -> PaymentGateway:
    """The one gateway of this process for the configured class and secret."""
    path = getattr(settings, "COOPCIS_PAYMENT_GATEWAY", None) or DEFAULT_GATEWAY
    return _gateway(path, callback_secret())


@lru_cache(maxsize=4)
def _gateway(path: str, secret: str) -> PaymentGateway:
    gateway: PaymentGateway = import_string(path)(secret=secret)
    return gateway


def forget_gateways() -> None:
    """Drop the built gateways (tests start each with a fresh simulator)."""
    _gateway.cache_clear()
