"""The card and e-check processor coopcis charges through, chosen by settings.

``COOPCIS_PAYMENT_GATEWAY`` names a class (dotted path) built as ``cls(secret=...)``;
the default is the simulator, as the real processor cannot be reached from here.
``COOPCIS_GATEWAY_SECRET`` is the HMAC secret shared with the processor for its
callbacks: its own setting, required in production, never derived from another secret
(``coopcis.site.environment``).
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from coopcis.apps.payments.gateway.base import (
    BadCallback,
    BadSignature,
    CallbackEvent,
    CallbackKind,
    CardRefused,
    GatewayMismatch,
    GatewayResult,
    Outcome,
    PaymentGateway,
    PaymentToken,
    Tokenizer,
)

DEFAULT_GATEWAY = "coopcis.apps.payments.gateway.simulator.SimulatorGateway"

__all__ = [
    "BadCallback",
    "BadSignature",
    "CallbackEvent",
    "CallbackKind",
    "CardRefused",
    "GatewayMismatch",
    "GatewayResult",
    "Outcome",
    "PaymentGateway",
    "PaymentToken",
    "Tokenizer",
    "callback_secret",
    "configured_gateway",
]


def callback_secret() -> str:
    """The processor's callback secret; an empty one would accept anyone's signature."""
    secret = str(getattr(settings, "COOPCIS_GATEWAY_SECRET", "") or "")
    if not secret:
        raise ImproperlyConfigured("COOPCIS_GATEWAY_SECRET is not set")
    return secret


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
