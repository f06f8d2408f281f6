"""Text messages through a provider, chosen by ``COOPCIS_SMS_URL``.

- ``simulator:`` (the default) keeps each message in :data:`SIMULATOR_OUTBOX` and, with
  ``simulator:?print=1``, prints it to stderr: for development and tests.
- ``twilio://ACCOUNT_SID:AUTH_TOKEN@FROM`` sends through Twilio's Messages API over
  HTTPS; ``FROM`` is the co-op's number in E.164 (``+15755550100``) or a Messaging
  Service SID (``MG...``). ``?api=URL`` points it elsewhere (a test's fake server).

Each provider also checks the signature of what it forwards to our inbound webhook
(:meth:`SmsProvider.is_signed`): Twilio signs with the auth token; the simulator with a
key derived from the site's secret key, so tests and development can sign too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol
from urllib.error import HTTPError, URLError
from urllib.parse import parse_qs, unquote, urlencode, urlsplit
from urllib.request import Request, urlopen

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from coopcis.core.notifications import sms as sms_rules

#: Twilio's error for a number that has texted STOP to the sending number.
TWILIO_UNSUBSCRIBED = 21610


class SmsError(Exception):
    """The provider refused or could not be reached; ``opted_out`` when the provider says
    the number has texted STOP."""

    def __init__(self, message: str, *, opted_out: bool = False) -> None:
        super().__init__(message)
        self.opted_out = opted_out


class SmsProvider(Protocol):
    name: str

    def send(self, *, to: str, body: str) -> str:
        """Send ``body`` to ``to`` (E.164); the provider's id for the message."""
        ...

    def is_signed(self, url: str, params: Iterable[tuple[str, str]], signature: str) -> bool:
        """Whether an inbound request to ``url`` with ``params`` carries its signature."""
        ...


@dataclass(frozen=True)
class SimulatedText:
    to: str
    body: str
    sid: str


#: Every text the simulator "sent", in order (tests read and clear it).
SIMULATOR_OUTBOX: list[SimulatedText] = []


class SimulatorProvider:
    """Sends nothing: records the message, and prints it when asked."""

    name = "simulator"

    def __init__(self, *, echo: bool = False) -> None:
        self.echo = echo

    @property
    def auth_token(self) -> str:
        return hmac.new(
            str(settings.SECRET_KEY).encode(), b"coopcis sms simulator", hashlib.sha256
        ).hexdigest()

    def send(self, *, to: str, body: str) -> str:
        sid = f"SIM{uuid.uuid4().hex}"
        SIMULATOR_OUTBOX.append(SimulatedText(to=to, body=body, sid=sid))
        if self.echo:
            print(f"SMS to {to} ({sid}): {body}", file=sys.stderr)
        return sid

    def is_signed(self, url: str, params: Iterable[tuple[str, str]], signature: str) -> bool:
        return sms_rules.is_signed(self.auth_token, url, params, signature)

    def sign(self, url: str, params: Iterable[tuple[str, str]]) -> str:
        """The signature a simulated inbound message carries (as Twilio computes it)."""
        return sms_rules.twilio_signature(self.auth_token, url, params)


class TwilioProvider:
    """Twilio's Programmable Messaging: ``POST /2010-04-01/Accounts/{SID}/Messages.json``
    with ``To``, ``From`` (or ``MessagingServiceSid``) and ``Body``, HTTP basic auth with
    the account SID and auth token; the answer's ``sid`` identifies the message."""

    name = "twilio"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        sender: str,
        api: str = "https://api.twilio.com",
        timeout: float = 15,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.sender = sender
        self.api = api.rstrip("/")
        self.timeout = timeout

    def send(self, *, to: str, body: str) -> str:
        sender_field = "MessagingServiceSid" if self.sender.startswith("MG") else "From"
        form = urlencode({"To": to, sender_field: self.sender, "Body": body}).encode()
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode())
        request = Request(
            f"{self.api}/2010-04-01/Accounts/{self.account_sid}/Messages.json",
            data=form,
            method="POST",
            headers={
                "Authorization": f"Basic {credentials.decode()}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        try:
            with urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read() or b"{}")
        except HTTPError as error:
            raise _twilio_error(error) from None
        except (URLError, TimeoutError, OSError) as error:
            raise SmsError(f"Twilio could not be reached: {error}") from None
        sid = answer.get("sid")
        if not sid:
            raise SmsError(f"Twilio answered without a message sid: {answer!r}"[:300])
        return str(sid)

    def is_signed(self, url: str, params: Iterable[tuple[str, str]], signature: str) -> bool:
        return sms_rules.is_signed(self.auth_token, url, params, signature)


def _twilio_error(error: HTTPError) -> SmsError:
    try:
        answer = json.loads(error.read() or b"{}")
    except ValueError:
        answer = {}
    code = answer.get("code")
    message = answer.get("message") or error.reason
    return SmsError(
        f"Twilio refused the message (HTTP {error.code}, error {code}): {message}"[:480],
        opted_out=code == TWILIO_UNSUBSCRIBED,
    )


def provider_from_url(url: str) -> SmsProvider:
    """The provider ``COOPCIS_SMS_URL`` names (see the module's docstring)."""
    parts = urlsplit(url)
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    if parts.scheme == "simulator":
        return SimulatorProvider(echo=query.get("print") == "1")
    if parts.scheme == "twilio":
        credentials, _, sender = parts.netloc.rpartition("@")
        sid, _, token = credentials.partition(":")
        if not (sid and token and sender):
            raise ImproperlyConfigured(
                "COOPCIS_SMS_URL: write twilio://ACCOUNT_SID:AUTH_TOKEN@+15755550100"
            )
        return TwilioProvider(
            account_sid=unquote(sid),
            auth_token=unquote(token),
            sender=unquote(sender),
            api=query.get("api", "https://api.twilio.com"),
        )
    raise ImproperlyConfigured(
        f"COOPCIS_SMS_URL: no SMS provider {parts.scheme!r} (simulator: or twilio://...)"
    )


@lru_cache(maxsize=4)
def _provider_for(url: str) -> SmsProvider:
    return provider_from_url(url)


def sms_provider() -> SmsProvider:
    """The configured provider (``settings.COOPCIS_SMS_URL``)."""
    return _provider_for(getattr(settings, "COOPCIS_SMS_URL", "") or "simulator:")
