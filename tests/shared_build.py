"""Fixtures whose data is built once and shared by the tests of a module that ask for it.

A co-op billed for a month takes seconds to build; dozens of tests read it and each
writes a little of its own. ``@shared_fixture`` turns a build function into a fixture
that builds once for consecutive tests of one module and hands each test a fresh copy:

    @shared_fixture
    def billed(small_coop):          # arguments: other shared fixtures only
        run_billing(period_label="2026-10")
        return small_coop

How: before the first such test, the build runs inside a transaction of its own that is
never committed; each test then runs in the usual pytest-django transaction, nested in
it as a savepoint and rolled back at its end, so what one test writes never reaches the
next, exactly as when every test built its own. Each test gets a deep copy of the built
objects (as Django's ``setUpTestData`` does), so changes to them in memory do not leak
either. The outer transaction is rolled back before any test that does not ask for the
same build (another module's, a test without it), so no other test ever sees the data.

A test that cannot run inside that transaction builds its own copy, as before: a
transactional test (``transactional_db``, ``live_server``, ``django_db(transaction=True)``)
and a ``django_db``-marked test that would have to start the build (pytest-django opens
its transaction before any fixture runs). ``@pytest.mark.build_per_test`` asks for that
too, for a test whose setup must run before the build (one that changes settings or the
clock the build reads).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

#: the attribute a shared fixture's function carries: its build function
_BUILD = "_shared_build"
#: the item stash key of a test's copy of the built values
_VALUES = pytest.StashKey[dict[str, Any]]()
#: fixtures that make a test transactional (it cannot run inside the shared transaction)
_TRANSACTIONAL = {
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def shared_fixture(build: Callable[..., Any]) -> Any:
    """A function-scoped fixture, named after ``build``, whose value ``build`` makes once
    for consecutive tests of a module (see the module's docstring). ``build``'s arguments
    name other shared fixtures; it runs with the database open."""
    parameters = list(inspect.signature(build).parameters)

    def fixture(request: pytest.FixtureRequest, db: None, **_: Any) -> Any:
        return _values_for(request)[build.__name__]

    fixture.__name__ = build.__name__
    fixture.__doc__ = build.__doc__
    fixture.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD)
            for name in ("request", "db")
        ]
        + [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY) for name in parameters]
    )
    setattr(fixture, _BUILD, build)
    return pytest.fixture(name=build.__name__)(fixture)


@dataclass
class _Open:
    """The build in the open outer transaction: which one, and what it made."""

    key: tuple[Any, ...]
    values: dict[str, Any]
    atomics: list[Any] = field(default_factory=list)


_open: _Open | None = None


def _builds(item: pytest.Item) -> dict[str, Callable[..., Any]]:
    """The shared fixtures ``item`` uses (as it resolves them), by name."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return {}
    found = {}
    for name in info.names_closure:
        definitions = info.name2fixturedefs.get(name)
        if definitions:
            build = getattr(definitions[-1].func, _BUILD, None)
            if build is not None:
                found[name] = build
    return found


def _key(item: pytest.Item) -> tuple[Any, ...] | None:
    """What a test's shared data is: its module and the builds it uses; None when the test
    uses none or cannot share them."""
    builds = _builds(item)
    if not builds or item.get_closest_marker("build_per_test"):
        return None
    if _TRANSACTIONAL & set(item.fixturenames):  # type: ignore[attr-defined]
        return None
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction")
        or marker.kwargs.get("reset_sequences")
        or marker.kwargs.get("serialized_rollback")
        or marker.kwargs.get("databases") not in (None, ["default"], ("default",), "default")
    ):
        return None
    module = item.nodeid.split("::", 1)[0]
    return (module, *sorted((name, id(build)) for name, build in builds.items()))


def _build_all(builds: dict[str, Callable[..., Any]]) -> dict[str, Any]:
    """Run the builds, each after the shared fixtures it takes."""
    values: dict[str, Any] = {}

    def make(name: str) -> Any:
        if name not in values:
            build = builds.get(name)
            if build is None:
                raise TypeError(f"a shared fixture may take only shared fixtures, not {name!r}")
            arguments = {arg: make(arg) for arg in inspect.signature(build).parameters}
            values[name] = build(**arguments)
        return values[name]

    for name in builds:
        make(name)
    return values


def _quiet_build(builds: dict[str, Callable[..., Any]]) -> dict[str, Any]:
    """The builds, with the test's operator sign-in and a throwaway in-memory cache (the
    site's file cache would outlive the build)."""
    from django.test import override_settings

    from tests.conftest import ensure_operator

    ensure_operator()
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=locmem):
        return _build_all(builds)


def prepare(request: pytest.FixtureRequest) -> None:
    """Before a test's own transaction starts: make sure the shared data it uses is built
    (in the outer transaction) if it can share it. Called first thing in every test."""
    global _open
    item = request.node
    key = _key(item)
    if key is None or (_open is not None and _open.key == key):
        return
    close(request.config)
    from django.db import connection, transaction

    blocker = request.getfixturevalue("_shared_build_database")  # tests/conftest.py
    with blocker.unblock():
        if connection.in_atomic_block:  # a django_db marker's transaction is already open
            return
        atomic = transaction.atomic(using="default")
        atomic._from_testcase = True  # type: ignore[attr-defined]  # durable blocks allowed inside
        atomic.__enter__()
        opened = _Open(key, {}, [atomic])
        _open = opened
        try:
            opened.values = _quiet_build(_builds(item))
        except BaseException:
            close(request.config)
            raise


def close(config: pytest.Config) -> None:
    """Roll back the open shared build, if any."""
    global _open
    if _open is None:
        return
    opened, _open = _open, None
    from django.db import transaction
    from pytest_django.plugin import blocking_manager_key

    with config.stash[blocking_manager_key].unblock():
        for atomic in reversed(opened.atomics):
            transaction.set_rollback(True, using="default")
            atomic.__exit__(None, None, None)


def close_unless_shared_by(item: pytest.Item) -> None:
    """Before a test is set up: roll back a shared build it does not share."""
    if _open is not None and _key(item) != _open.key:
        close(item.config)


def _values_for(request: pytest.FixtureRequest) -> dict[str, Any]:
    """This test's values of every shared fixture it uses: a deep copy of the shared
    build's, or its own build when it cannot share."""
    item = request.node
    values = item.stash.get(_VALUES, None)
    if values is None:
        key = _key(item)
        if _open is not None and key is not None and _open.key == key:
            values = copy.deepcopy(_open.values)
        else:
            values = _build_all(_builds(item))
        item.stash[_VALUES] = values
    return values
