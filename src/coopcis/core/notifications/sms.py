"""What a member texts back, and how an SMS provider signs what it forwards to us.

Keywords follow the US carriers' rules (CTIA) as Twilio applies them: STOP and its
synonyms end every text from the number; START (or YES, UNSTOP) resumes them; HELP (or
INFO) asks who is texting and how to stop. The Spanish words a member in New Mexico may
send (PARAR, ALTO; AYUDA) count too. A keyword is the whole message, any case, spaces
and a closing full stop or exclamation mark ignored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from enum import StrEnum


class Keyword(StrEnum):
    STOP = "STOP"
    START = "START"
    HELP = "HELP"


_KEYWORDS: dict[str, Keyword] = {
    **dict.fromkeys(
        ("STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT",
         "REVOKE", "PARAR", "ALTO"),
        Keyword.STOP,
    ),
    **dict.fromkeys(("START", "YES", "UNSTOP", "OPTIN"), Keyword.START),
    **dict.fromkeys(("HELP", "INFO", "AYUDA"), Keyword.HELP),
}  # fmt: skip


def keyword(body: str) -> Keyword | None:
    """The keyword a text message is, or None for any other message."""
    word = " ".join(body.split()).strip(" .!¡").upper()
    return _KEYWORDS.get(word)


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """``X-Twilio-Signature``: base64 of HMAC-SHA1, keyed by the auth token, of the full
    URL requested followed by each POST parameter's name and value, sorted by name."""
    payload = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def is_signed(auth_token: str, url: str, params: Iterable[tuple[str, str]], signature: str) -> bool:
    """Whether ``signature`` is the provider's for this request (compared in constant time)."""
    if not auth_token or not signature:
        return False
    expected = twilio_signature(auth_token, url, params)
    return hmac.compare_digest(expected.encode(), signature.encode())
