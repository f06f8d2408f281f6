"""API keys for the payment front ends (online portal, kiosks, IVR, mobile app).

A key reads ``cpk_<prefix>_<secret>``. The prefix is public and finds the row; the
secret (32 random bytes) is checked against a salted SHA-256 kept in its place. A slow
password hash is not needed: the secret is random, not chosen by a person, so it cannot
be guessed from a list, and every API request checks it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from coopcis.apps.audit.context import current_actor
from coopcis.apps.members.models import Account
from coopcis.apps.payments.models import (
    ApiChannel,
    ApiKeyWindow,
    BalanceLookup,
    ChannelApiKey,
    Payment,
)
from coopcis.core.errors import RuleViolation

logger = logging.getLogger("coopcis.payments.api")

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


#: The rate limit's window: requests are counted per key per clock minute.
WINDOW = timedelta(minutes=1)


def admit(record: ChannelApiKey, *, now: datetime) -> int | None:
    """Count this request against the key's minute; None if it may go on, else the seconds
    until the key's next minute starts (the ``Retry-After`` of a 429).

    The counter is a database row, so the limit holds across every server process; a
    conditional update makes two requests at once count twice, never once."""
    started_at = now.replace(second=0, microsecond=0)
    windows = ApiKeyWindow.objects.filter(api_key=record, started_at=started_at)
    with transaction.atomic():
        if not windows.update(requests=F("requests") + 1):
            try:
                with transaction.atomic():
                    ApiKeyWindow.objects.create(api_key=record, started_at=started_at, requests=1)
            except IntegrityError:  # another request opened the minute first
                windows.update(requests=F("requests") + 1)
            else:
                ApiKeyWindow.objects.filter(api_key=record, started_at__lt=started_at).delete()
        made = windows.values_list("requests", flat=True).get()
    if made <= record.requests_per_minute:
        return None
    return max(1, math.ceil((started_at + WINDOW - now).total_seconds()))


def record_lookup(*, record: ChannelApiKey, account: Account, on: date, now: datetime) -> None:
    """Note that the key read ``account``'s balance today; flag and log the key when the
    accounts it read today without a payment through it reach its ``unpaid_lookups_flag``.

    A kiosk or the IVR reads the balance of the member standing at it, who mostly pays;
    a key reading account after account that never pays is being used to harvest
    balances and due dates (the security review read 546 of 600 in six seconds)."""
    rows = BalanceLookup.objects.filter(api_key=record, account=account, looked_up_on=on)
    if not rows.update(lookups=F("lookups") + 1):
        try:
            with transaction.atomic():
                BalanceLookup.objects.create(api_key=record, account=account, looked_up_on=on)
        except IntegrityError:
            rows.update(lookups=F("lookups") + 1)
    if record.flagged_at is not None:
        return
    paid = Payment.objects.filter(api_request__api_key=record, received_on=on).values("account_id")
    unpaid = (
        BalanceLookup.objects.filter(api_key=record, looked_up_on=on)
        .exclude(account_id__in=paid)
        .count()
    )
    if unpaid >= record.unpaid_lookups_flag:
        reason = f"read the balance of {unpaid} accounts on {on} that paid nothing through it"
        ChannelApiKey.objects.filter(pk=record.pk, flagged_at__isnull=True).update(
            flagged_at=now, flag_reason=reason
        )
        record.flagged_at, record.flag_reason = now, reason
        logger.warning("channel API key %s (%s) flagged: %s", record.prefix, record.name, reason)


@transaction.atomic
def set_key_limits(
    *,
    prefix: str,
    requests_per_minute: int | None = None,
    unpaid_lookups_flag: int | None = None,
    clear_flag: bool = False,
) -> ChannelApiKey:
    """Change a key's rate limit or flag threshold, or clear its flag after a review."""
    record = ChannelApiKey.objects.select_for_update().filter(prefix=prefix).first()
    if record is None:
        raise RuleViolation(f"no API key with prefix {prefix!r}", field="prefix")
    for name, value in (
        ("requests_per_minute", requests_per_minute),
        ("unpaid_lookups_flag", unpaid_lookups_flag),
    ):
        if value is not None:
            if value < 1:
                raise RuleViolation("must be at least 1", field=name)
            setattr(record, name, value)
    if clear_flag:
        record.flagged_at, record.flag_reason = None, ""
    record.save()
    return record
