"""Tariff catalog: one TOML file per schedule version, ``tariffs/<code>/<YYYY-MM-DD>.toml``.

Reading files is I/O, so it lives here, outside the pure core. TOML numbers are
parsed as ``Decimal`` (``parse_float=Decimal``): a rate written ``0.1371`` is
exactly 0.1371, never a binary float. Each file's directory must match its
``code`` and its name its ``effective_date``.
"""

from __future__ import annotations

import hashlib
import tomllib
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from coopcis.core.rating.errors import TariffError
from coopcis.core.rating.tariff import Tariff, parse_tariff

__all__ = [
    "TariffError",
    "UnknownTariffError",
    "catalog_digest",
    "load_tariff",
    "load_tariff_versions",
    "tariff_codes",
]


class UnknownTariffError(LookupError):
    """A tariff code not in the catalog; the message lists the valid codes."""

    def __init__(self, code: str, valid: list[str]) -> None:
        self.code = code
        self.valid = tuple(valid)
        super().__init__(f"unknown tariff {code!r}; valid codes: {', '.join(valid)}")

    def __str__(self) -> str:
        return str(self.args[0])


def _root() -> Traversable:
    return resources.files("coopcis.catalog").joinpath("tariffs")


@cache
def tariff_codes() -> list[str]:
    """Every schedule code in the catalog, sorted."""
    return sorted(
        entry.name
        for entry in _root().iterdir()
        if entry.is_dir() and any(f.name.endswith(".toml") for f in entry.iterdir())
    )


@cache
def catalog_digest() -> str:
    """SHA-256 over every schedule file's name and bytes: it changes when a version is
    added or edited (what is computed from the tariffs can be cached under it)."""
    digest = hashlib.sha256()
    for code in tariff_codes():
        for entry in sorted(_root().joinpath(code).iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".toml"):
                digest.update(f"{code}/{entry.name}\0".encode())
                digest.update(entry.read_bytes())
    return digest.hexdigest()


def parse_tariff_file(text: str, *, name: str) -> Tariff:
    """Parse one catalog file's text; errors name the file and the field."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
        return parse_tariff(data)
    except tomllib.TOMLDecodeError as error:
        raise TariffError(f"{name}: not valid TOML: {error}") from None
    except TariffError as error:
        raise TariffError(f"{name}: {error}") from None


@cache
def _versions(code: str) -> tuple[Tariff, ...]:
    if code not in tariff_codes():
        raise UnknownTariffError(code, tariff_codes())
    versions = []
    for entry in sorted(_root().joinpath(code).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        name = f"tariffs/{code}/{entry.name}"
        tariff = parse_tariff_file(entry.read_text(encoding="utf-8"), name=name)
        if tariff.code != code or f"{tariff.effective_date.isoformat()}.toml" != entry.name:
            raise TariffError(
                f"{name}: file must be {tariff.code}/{tariff.effective_date.isoformat()}.toml"
            )
        versions.append(tariff)
    return tuple(sorted(versions, key=lambda tariff: tariff.effective_date))


def load_tariff_versions(code: str) -> list[Tariff]:
    """All versions of schedule ``code``, oldest first (:class:`UnknownTariffError` if none)."""
    return list(_versions(code))


def load_tariff(code: str, *, on: date | None = None) -> Tariff:
    """The version of ``code`` in effect on ``on`` (the latest version if ``on`` is None)."""
    versions = _versions(code)
    if on is None:
        return versions[-1]
    in_effect = [tariff for tariff in versions if tariff.effective_date <= on]
    if not in_effect:
        raise TariffError(
            f"no version of {code} in effect on {on} (the first is effective "
            f"{versions[0].effective_date})"
        )
    return in_effect[-1]
