"""``COOPCIS_EMAIL_URL``: where the site sends email, as one URL.

- ``smtp://host:port``: plain SMTP (a relay on the same machine or network);
- ``smtp+tls://user:password@host:587``: SMTP with STARTTLS, signed in;
- ``smtps://user:password@host:465`` (or ``smtp+ssl://``): SMTP over TLS from the start;
- ``console:``: print each message on standard error (development's default; standard
  output is left to the commands' own results, ``--json`` included).

User name and password may be percent-encoded (``%40`` for ``@``). A query may add
``?timeout=SECONDS`` (default 10). The result is the settings of Django's SMTP backend
(``EMAIL_*``), so nothing else in the project reads the URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

from coopcis.core.errors import RuleViolation

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE_BACKEND = "coopcis.site.mail.ConsoleEmailBackend"
DEFAULT_TIMEOUT_SECONDS = 10
FIELD = "COOPCIS_EMAIL_URL"

_DEFAULT_PORTS = {"smtp": 25, "smtp+tls": 587, "smtps": 465, "smtp+ssl": 465}


@dataclass(frozen=True)
class MailSettings:
    backend: str
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    timeout: int = DEFAULT_TIMEOUT_SECONDS


def parse_mail_url(url: str) -> MailSettings:
    """Read ``url`` (see module); a malformed one is refused naming ``COOPCIS_EMAIL_URL``."""
    text = url.strip()
    if text in ("console:", "console://"):
        return MailSettings(backend=CONSOLE_BACKEND)
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        known = ", ".join(f"{name}://" for name in _DEFAULT_PORTS)
        raise RuleViolation(
            f"unknown scheme {parts.scheme or text!r}; use {known} or console:", field=FIELD
        )
    if not parts.hostname:
        raise RuleViolation(f"no host in {_redacted(parts)!r}", field=FIELD)
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        raise RuleViolation(f"bad port in {_redacted(parts)!r}", field=FIELD) from None
    query = parse_qs(parts.query)
    timeout = DEFAULT_TIMEOUT_SECONDS
    if "timeout" in query:
        raw = query["timeout"][-1]
        if not raw.isascii() or not raw.isdigit() or int(raw) == 0:
            raise RuleViolation(f"timeout must be whole seconds, not {raw!r}", field=FIELD)
        timeout = int(raw)
    return MailSettings(
        backend=SMTP_BACKEND,
        host=parts.hostname,
        port=port,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=scheme == "smtp+tls",
        use_ssl=scheme in ("smtps", "smtp+ssl"),
        timeout=timeout,
    )


def _redacted(parts: SplitResult) -> str:
    """The URL with its password left out, for an error message."""
    netloc = parts.netloc
    if "@" in netloc:
        credentials, host = netloc.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        netloc = f"{user}:***@{host}" if ":" in credentials else f"{user}@{host}"
    return f"{parts.scheme}://{netloc}{parts.path}"
