"""Fixtures: a member with an account, the SMS simulator's outbox, a real SMTP server."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.smtp import SMTP

from coopcis.apps.notify.sms import SIMULATOR_OUTBOX, SimulatedText
from tests.factories import AccountFactory, PartyFactory


@pytest.fixture
def member(db):
    """Maria Baca, account 3100417, email maria@example.com, English."""
    party = PartyFactory(first_name="Maria", last_name="Baca", email="maria@example.com")
    return AccountFactory(party=party, number="3100417")


@pytest.fixture
def texts() -> Iterator[list[SimulatedText]]:
    """What the SMS simulator sent during the test."""
    SIMULATOR_OUTBOX.clear()
    yield SIMULATOR_OUTBOX
    SIMULATOR_OUTBOX.clear()


@dataclass
class _Inbox:
    messages: list[EmailMessage]

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_inbox(settings) -> Iterator[list[EmailMessage]]:
    """A real SMTP server on a free local port, Django's SMTP backend pointed at it; the
    messages it received."""
    inbox = _Inbox([])
    loop = asyncio.new_event_loop()
    # port 0: the system picks a free port (aiosmtpd's Controller cannot be told so)
    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(inbox, hostname="localhost"), "127.0.0.1", 0)
    )
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.sockets[0].getsockname()[1]
        settings.EMAIL_USE_TLS = False
        settings.DEFAULT_FROM_EMAIL = "billing@ocec-inc.com"
        yield inbox.messages
    finally:
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        loop.close()
