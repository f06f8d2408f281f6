"""Signed links mailed to members: email verification and invitations.

Each token is Django's signing (HMAC with the secret key, its own salt) of the row it
names, with the time it was made: older than its lifetime, it is refused as expired.
Verification is idempotent and an invitation is accepted once, so a link used twice does
nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing

VERIFY_SALT = "coopcis.portal.verify-email"
INVITE_SALT = "coopcis.portal.invitation"
#: How long a verification link works.
VERIFY_LIFETIME = timedelta(days=3)
#: How long an invitation link works.
INVITE_LIFETIME = timedelta(days=14)


class BadLink(Exception):
    """A link that does not verify; ``expired`` if it did once."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


@dataclass(frozen=True)
class Verification:
    user_id: int
    email: str


def verification_token(user_id: int, email: str) -> str:
    return signing.dumps({"u": user_id, "e": email}, salt=VERIFY_SALT, compress=True)


def read_verification(token: str) -> Verification:
    data = _load(token, VERIFY_SALT, VERIFY_LIFETIME)
    try:
        return Verification(int(data["u"]), str(data["e"]))
    except (KeyError, TypeError, ValueError):
        raise BadLink(expired=False) from None


def invitation_token(invitation_id: int, email: str) -> str:
    return signing.dumps({"i": invitation_id, "e": email}, salt=INVITE_SALT, compress=True)


def read_invitation(token: str) -> tuple[int, str]:
    data = _load(token, INVITE_SALT, INVITE_LIFETIME)
    try:
        return int(data["i"]), str(data["e"])
    except (KeyError, TypeError, ValueError):
        raise BadLink(expired=False) from None


def _load(token: str, salt: str, lifetime: timedelta) -> dict[str, object]:
    try:
        data = signing.loads(token, salt=salt, max_age=lifetime)
    except signing.SignatureExpired:
        raise BadLink(expired=True) from None
    except signing.BadSignature:
        raise BadLink(expired=False) from None
    if not isinstance(data, dict):
        raise BadLink(expired=False)
    return data
