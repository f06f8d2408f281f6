"""Suite-wide test setup."""

from __future__ import annotations

import os

import pytest
from django.core.management.commands import flush
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from coopcis.apps.ledger.guard import ledger_maintenance
from coopcis.site.commands import CoopCommand
from tests import shared_build

_original_flush = flush.Command.handle


def _flush_with_ledger_maintenance(self, *args, **options):  # type: ignore[no-untyped-def]
    # Transactional tests empty the database with Django's flush after each test; the
    # ledger refuses deletes (it is append-only) except in this maintenance mode.
    with ledger_maintenance():
        return _original_flush(self, *args, **options)


flush.Command.handle = _flush_with_ledger_maintenance

# Property tests judge the code, not the machine: on a busy CI host, drawing examples can
# be slow and an example can take longer than Hypothesis's 200 ms default deadline; the
# number of examples and what they check are unchanged.
hypothesis_settings.register_profile(
    "coopcis", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("coopcis")
# Commands run in-process by tests must not close the test transaction's connection.
CoopCommand.close_connections_after_command_line = False


#: Commands that change data name a staff sign-in (coopcis.apps.staff.operators); the
#: suite runs them as this one, a manager made in every test that has a database.
TEST_OPERATOR = "operator"
os.environ["COOPCIS_OPERATOR"] = TEST_OPERATOR


def ensure_operator() -> None:
    """The operator sign-in (a manager), made if missing."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, created = get_user_model().objects.get_or_create(
        username=TEST_OPERATOR, defaults={"is_staff": True}
    )
    if created:
        user.groups.add(Group.objects.get(name="Manager"))


@pytest.fixture(autouse=True)
def _django_db_marker(request):
    """pytest-django's own (it opens a ``django_db``-marked test's transaction before any
    other fixture runs), after building the shared data the test uses
    (``tests.shared_build``): that must happen outside the test's transaction."""
    shared_build.prepare(request)
    if request.node.get_closest_marker("django_db"):
        request.getfixturevalue("_django_db_helper")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    shared_build.close_unless_shared_by(item)


@pytest.fixture(scope="session")
def _shared_build_database(request, django_db_setup, django_db_blocker):
    """The test database, for the shared builds: the one open is rolled back before the
    database is torn down."""
    yield django_db_blocker
    shared_build.close(request.config)


@pytest.fixture(autouse=True)
def _command_operator(request):
    """The operator sign-in, in every test that has a database."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db"}:
        return
    transactional = "transactional_db" in names or bool(marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    ensure_operator()


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Each test its own empty in-memory cache: the site's file cache (VAR_DIR/cache) would
    outlive a test, and SQLite gives the next test's rows the same ids again."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def chart():
    from coopcis.catalog.chart import load_chart

    return load_chart()


@pytest.fixture
def freeze_today():
    """``freeze_today(date(...))`` makes the jobs' "today" (``coopcis.site.jobs.today``,
    which date options may not be after) that day until the test ends."""
    from contextlib import ExitStack

    from coopcis.site.jobs import frozen_today

    with ExitStack() as stack:
        yield lambda day: stack.enter_context(frozen_today(day))


class Mailbox:
    """What a real local SMTP server received (the ``smtp_server`` fixture): each message
    parsed (``email.message.EmailMessage``), in arrival order."""

    def __init__(self, host: str, port: int) -> None:
        import threading

        self.host = host
        self.port = port
        self.messages: list = []
        self._arrived = threading.Condition()

    def deliver(self, message) -> None:
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list:
        """Wait until ``count`` messages have arrived (a browser test's mail is sent by the
        live server's thread); the messages, or AssertionError after ``timeout`` seconds."""
        with self._arrived:
            arrived = self._arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        assert arrived, f"{len(self.messages)} message(s) arrived, expected {count}"
        return list(self.messages)

    def to(self, address: str) -> list:
        return [m for m in self.messages if address.lower() in m.get("To", "").lower()]

    @staticmethod
    def body(message) -> str:
        part = message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part is not None else message.get_content()

    def links(self, message) -> list[str]:
        import re

        return re.findall(r"https?://\S+", self.body(message))


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a free local port, with Django's email settings
    pointed at it: mail in these tests really goes over SMTP. Yields a :class:`Mailbox`."""
    import email
    import email.policy
    import socket

    from aiosmtpd.controller import Controller

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))  # a free port, chosen by the system
    listener.listen()
    mailbox = Mailbox("127.0.0.1", listener.getsockname()[1])

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            mailbox.deliver(message)
            return "250 Message accepted for delivery"

    class ListeningController(Controller):
        def _create_server(self):  # type: ignore[no-untyped-def]
            return self.loop.create_server(self._factory_invoker, sock=listener)

    controller = ListeningController(Handler(), hostname=mailbox.host, port=mailbox.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = mailbox.host
    settings.EMAIL_PORT = mailbox.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield mailbox
    finally:
        controller.stop()
