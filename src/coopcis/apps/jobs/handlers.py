"""The batch handlers: an app registers the function that does one batch of its job kind.

Jobs cannot import the apps above it (billing): billing registers ``bill-run`` in its
``AppConfig.ready``. A handler runs inside the transaction that records the batch as done:
it must not commit on its own.

An app may also register a *settler* for its kind: called once, by the worker that does
the job's last batch, in the transaction that records that batch and the job as
FINISHED (only when no batch failed). It records the job's outcome (a bill run finished)
so the job settles even when its follower (the CLI process waiting for it) is gone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coopcis.apps.jobs.models import Job

#: (job params, batch payload) -> the batch's result (JSON-able counts).
Handler = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]

#: (the job, its batches all done) -> None; records the job's outcome.
Settler = Callable[["Job"], None]

_HANDLERS: dict[str, Handler] = {}
_SETTLERS: dict[str, Settler] = {}


def register(kind: str, handler: Handler, settle: Settler | None = None) -> None:
    _HANDLERS[kind] = handler
    if settle is not None:
        _SETTLERS[kind] = settle
    else:
        _SETTLERS.pop(kind, None)


def settler_for(kind: str) -> Settler | None:
    return _SETTLERS.get(kind)


def handler_for(kind: str) -> Handler:
    try:
        return _HANDLERS[kind]
    except KeyError:
        raise LookupError(f"no handler for job kind {kind!r}") from None
