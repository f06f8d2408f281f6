"""API keys for the payment front ends (online portal, kiosks, IVR, mobile app).

A key reads ``cpk_<prefix>_<secret>``. The prefix is public and finds the row; the
secret (32 random bytes) is checked against a salted SHA-256 kept in its place. A slow
password hash is not needed: the secret is random, not chosen by a person, so it cannot
be guessed from a list, and every API request checks it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from coopcis.apps.audit.context import current_actor
from coopcis.apps.payments.models import ApiChannel, ChannelApiKey
from coopcis.core.errors import RuleViolation

KEY_MARK = "cpk"
#: ``last_used_at`` is written at most this often, so a busy kiosk does not turn every
#: payment into a write on its key row.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedKey:
    """A new key: ``key`` is the only copy of the secret and is shown once."""

    record: ChannelApiKey
    key: str


def _hash(salt: str, secret: str) -> str:
    return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()


def create_api_key(*, channel: str, name: str) -> IssuedKey:
    """Make a key for one front end of ``channel``; return it with the only copy of the key."""
    if channel not in ApiChannel.values:
        raise RuleViolation(
            f"API keys are for {', '.join(ApiChannel.values)}, not {channel!r}", field="channel"
        )
    name = name.strip()
    if not name:
        raise RuleViolation("name the front end that will use the key", field="name")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    record = ChannelApiKey.objects.create(
        name=name[:100],
        channel=channel,
        prefix=prefix,
        salt=salt,
        key_hash=_hash(salt, secret),
        created_by=current_actor().label,
    )
    return IssuedKey(record, f"{KEY_MARK}_{prefix}_{secret}")


@transaction.atomic
def revoke_api_key(*, prefix: str) -> ChannelApiKey:
    """Stop a key from working (at once, for every request after this commits)."""
    record = ChannelApiKey.objects.select_for_update().filter(prefix=prefix).first()
    if record is None:
        raise RuleViolation(f"no API key with prefix {prefix!r}", field="prefix")
    if record.active:
        record.active = False
        record.revoked_at = timezone.now()
        record.save(update_fields=["active", "revoked_at"])
    return record


def authenticate(presented: str, *, now: datetime | None = None) -> ChannelApiKey | None:
    """The active key ``presented`` is, or None (unknown, malformed, wrong secret, revoked)."""
    mark, _, rest = presented.partition("_")
    prefix, _, secret = rest.partition("_")
    if mark != KEY_MARK or not prefix or not secret:
        return None
    record = ChannelApiKey.objects.filter(prefix=prefix, active=True).first()
    if record is None or not hmac.compare_digest(_hash(record.salt, secret), record.key_hash):
        return None
    now = now or timezone.now()
    if record.last_used_at is None or now - record.last_used_at >= LAST_USED_RESOLUTION:
        ChannelApiKey.objects.filter(pk=record.pk).update(last_used_at=now)
        record.last_used_at = now
    return record
