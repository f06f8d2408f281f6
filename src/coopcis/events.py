"""Announcements between the Django apps: an app says what happened, the apps that care react.

An app that must make another one act (a payment posted makes collections order the
reconnection) would otherwise import it, and the other one imports it back: an import
circle. Instead the announcing app defines a small frozen event (``PaymentPosted`` in
``payments/events.py``) and calls :func:`announce`; the reacting app subscribes a handler
in its ``AppConfig.ready()``. The announcer never imports the reactor (docs/adr/0006).

- :func:`announce` delivers the event once the transaction that made the change commits
  (``transaction.on_commit``). If that transaction rolls back, nothing is delivered. A
  handler runs in its own transaction; one that fails is logged and does not undo the
  change that was announced (the daily jobs catch up, as they do for bulk posting).
  Outside any transaction the event is delivered at once.
- :func:`announce_in_transaction` delivers now, inside the caller's transaction, for a
  reaction that belongs to the same bookkeeping and must commit or roll back with it
  (a new charge taking up the member's credit balance).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from django.db import transaction

log = logging.getLogger(__name__)

Event = TypeVar("Event")
Handler = Callable[[Any], None]

_handlers: dict[type, list[Handler]] = defaultdict(list)


def subscribe(kind: type[Event], handler: Callable[[Event], None]) -> None:
    """Call ``handler(event)`` for every ``kind`` of event announced (once per handler)."""
    if handler not in _handlers[kind]:
        _handlers[kind].append(handler)


def handlers(kind: type) -> list[Handler]:
    """The handlers subscribed to ``kind``, in subscription order."""
    return list(_handlers.get(kind, ()))


def _deliver(event: object, *, robust: bool) -> None:
    for handler in handlers(type(event)):
        if not robust:
            handler(event)
            continue
        try:
            handler(event)
        except Exception:  # the announced change stands; the daily job catches up
            log.exception(
                "%s failed to handle %r", getattr(handler, "__qualname__", handler), event
            )


def announce(event: object, *, using: str | None = None) -> None:
    """Deliver ``event`` to its handlers after the current transaction commits."""
    transaction.on_commit(partial(_deliver, event, robust=True), using=using)


def announce_in_transaction(event: object) -> None:
    """Deliver ``event`` now, inside the caller's transaction (a failure rolls it back)."""
    _deliver(event, robust=False)
