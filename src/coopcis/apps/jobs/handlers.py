"""The batch handlers: an app registers the function that does one batch of its job kind.

Jobs cannot import the apps above it (billing): billing registers ``bill-run`` in its
``AppConfig.ready``. A handler runs inside the transaction that records the batch as done:
it must not commit on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: (job params, batch payload) -> the batch's result (JSON-able counts).
Handler = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]

_HANDLERS: dict[str, Handler] = {}


def register(kind: str, handler: Handler) -> None:
    _HANDLERS[kind] = handler


def handler_for(kind: str) -> Handler:
    try:
        return _HANDLERS[kind]
    except KeyError:
        raise LookupError(f"no handler for job kind {kind!r}") from None
