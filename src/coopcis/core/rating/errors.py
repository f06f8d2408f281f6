"""Errors of the rating engine, each naming what is wrong in the co-op's words."""

from __future__ import annotations

from collections.abc import Iterable


class TariffError(ValueError):
    """A tariff file or mapping that cannot be a tariff; the message names the field."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field


class MissingDeterminantError(ValueError):
    """A tariff needs a billing determinant the caller did not supply.

    The message reads like ``ocec-gs needs demand_kw``; ``missing`` holds the
    determinant names so a caller (the CLI) can map them to its own options.
    """

    def __init__(self, tariff_code: str, missing: Iterable[str]) -> None:
        self.tariff_code = tariff_code
        self.missing = tuple(missing)
        super().__init__(f"{tariff_code} needs {', '.join(self.missing)}")
