"""Who is acting: a staff member on the web, a CLI command, a job.

Held in a context variable so model-level audit hooks can read it without every
call passing a user through.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    user: Any  # a django.contrib.auth user, or None for the system
    label: str


SYSTEM = Actor(None, "system")
_current_actor: ContextVar[Actor | None] = ContextVar("coopcis_actor", default=None)


def current_actor() -> Actor:
    """Who is acting now; "system" when no one said."""
    return _current_actor.get() or SYSTEM


@contextmanager
def acting_as(*, user: Any = None, label: str) -> Iterator[Actor]:
    token = _current_actor.set(Actor(user, label))
    try:
        yield current_actor()
    finally:
        _current_actor.reset(token)
