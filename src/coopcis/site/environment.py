"""Where coopcis gets its secrets: the environment in production, kept files in development.

Three secrets, each its own setting (none is derived from another):

- ``COOPCIS_SECRET_KEY``: Django's secret key (sessions, CSRF, password reset links);
  50 or more random characters.
- ``COOPCIS_GATEWAY_SECRET``: the HMAC secret shared with the payment processor, which
  signs its callbacks with it; 32 or more characters.
- ``COOPCIS_FIELD_KEY``: the key that encrypts bank account numbers in the database: a
  Fernet key (the URL-safe base64 of 32 random bytes, 44 characters). Several keys,
  comma-separated, rotate it: the first encrypts, every one of them decrypts.

With ``COOPCIS_ENV=production`` a missing or malformed secret stops the program with one
line naming each. Otherwise (development) a secret not in the environment is generated
once and kept in the var folder (``secret-key``, ``gateway-secret``, ``field-key``,
readable by their owner only), so every installation has its own and nothing public is
ever used as a key.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PRODUCTION = "production"
DEVELOPMENT = "development"
FIELD_KEY_BYTES = 32


class MissingSecrets(ImproperlyConfigured):
    """Production mode without its secrets: one line per missing or malformed one."""


@dataclass(frozen=True)
class Secret:
    variable: str
    kept_as: str
    meaning: str
    generate: Callable[[], str]
    problem: Callable[[str], str]


def new_field_key() -> str:
    """A fresh Fernet key: the URL-safe base64 of 32 random bytes."""
    return base64.urlsafe_b64encode(os.urandom(FIELD_KEY_BYTES)).decode()


def parse_field_keys(value: str) -> list[str]:
    """``COOPCIS_FIELD_KEY`` as a list of keys, the encrypting one first."""
    return [key.strip() for key in value.split(",") if key.strip()]


def _field_key_problem(value: str) -> str:
    keys = parse_field_keys(value)
    if not keys:
        return "is empty"
    for number, key in enumerate(keys, start=1):
        try:
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raw = b""
        if len(raw) != FIELD_KEY_BYTES:
            return f"key {number} is not a Fernet key (URL-safe base64 of 32 bytes)"
    return ""


def _secret_key_problem(value: str) -> str:
    if len(value) < 50 or len(set(value)) < 5 or value.startswith("django-insecure-"):
        return "is too weak (50 or more random characters)"
    return ""


def _gateway_secret_problem(value: str) -> str:
    return "is too short (32 or more characters)" if len(value) < 32 else ""


SECRETS = (
    Secret(
        "COOPCIS_SECRET_KEY",
        "secret-key",
        "Django's secret key, 50+ random characters",
        lambda: secrets.token_urlsafe(50),
        _secret_key_problem,
    ),
    Secret(
        "COOPCIS_GATEWAY_SECRET",
        "gateway-secret",
        "the payment processor's callback signing secret, 32+ characters",
        lambda: secrets.token_urlsafe(32),
        _gateway_secret_problem,
    ),
    Secret(
        "COOPCIS_FIELD_KEY",
        "field-key",
        "Fernet key(s) encrypting bank account numbers, comma-separated, first encrypts",
        new_field_key,
        _field_key_problem,
    ),
)


def keep_in_var(path: Path, generate: Callable[[], str]) -> str:
    """The value kept at ``path``, generated and written (mode 0600) the first time.

    Two processes starting at once (gunicorn workers) agree on one value: the file is
    written under a temporary name and linked into place, which fails if it exists.
    """
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(generate() + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path.read_text().strip()


def load_secrets(*, mode: str, var_dir: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """Every secret by variable name; see the module docstring for where each comes from."""
    values: dict[str, str] = {}
    problems: list[str] = []
    for secret in SECRETS:
        value = environ.get(secret.variable, "").strip()
        if not value and mode == PRODUCTION:
            problems.append(f"{secret.variable} is not set ({secret.meaning})")
            continue
        if not value:
            value = keep_in_var(var_dir / secret.kept_as, secret.generate)
        problem = secret.problem(value)
        if problem and (mode == PRODUCTION or secret.variable == "COOPCIS_FIELD_KEY"):
            problems.append(f"{secret.variable} {problem} ({secret.meaning})")
        values[secret.variable] = value
    if problems:
        raise MissingSecrets(
            f"{mode} mode refuses to start without its secrets:\n" + "\n".join(problems)
        )
    return values


def read_mode(environ: Mapping[str, str]) -> str:
    """``COOPCIS_ENV``: ``production`` or ``development`` (the default)."""
    mode = environ.get("COOPCIS_ENV", DEVELOPMENT).strip().lower() or DEVELOPMENT
    if mode not in (PRODUCTION, DEVELOPMENT):
        raise ImproperlyConfigured(
            f"COOPCIS_ENV must be {PRODUCTION!r} or {DEVELOPMENT!r}, not {mode!r}"
        )
    return mode
