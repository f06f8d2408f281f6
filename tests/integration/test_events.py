"""Announcements between apps (coopcis.events): delivered once the change commits, never
after a rollback; the apps are wired at start-up without importing each other."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest
from django.db import transaction

from coopcis.apps.billing.events import BillCancelled, BillsPosted
from coopcis.apps.collections.reactions import reconnect_after_payment
from coopcis.apps.payments.events import PaymentPosted
from coopcis.apps.payments.reactions import (
    apply_credit_to_charge,
    apply_credits_to_bills,
    release_cancelled_bill,
)
from coopcis.apps.receivables.events import ChargePosted
from coopcis.events import announce, announce_in_transaction, handlers, subscribe


@dataclass(frozen=True)
class Happened:
    number: int


@dataclass(frozen=True)
class Broke:
    number: int


seen: list[object] = []
subscribe(Happened, seen.append)


def _fail(event: Broke) -> None:
    raise RuntimeError(f"cannot handle {event.number}")


subscribe(Broke, _fail)


@pytest.fixture(autouse=True)
def _clear():
    seen.clear()


@pytest.mark.django_db(transaction=True)
def test_announce_delivers_after_commit_and_not_after_a_rollback():
    with transaction.atomic():
        announce(Happened(1))
        assert seen == []  # not before the change is committed
    assert seen == [Happened(1)]

    with pytest.raises(RuntimeError), transaction.atomic():
        announce(Happened(2))
        raise RuntimeError("the change fails")
    assert seen == [Happened(1)]  # a rolled-back change announces nothing


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_event_is_delivered_at_once():
    announce(Happened(3))
    assert seen == [Happened(3)]


@pytest.mark.django_db(transaction=True)
def test_a_failing_reaction_is_logged_and_does_not_undo_the_change(caplog):
    with caplog.at_level(logging.ERROR, logger="coopcis.events"), transaction.atomic():
        announce(Broke(4))
    assert "cannot handle 4" in caplog.text


def test_in_transaction_delivery_is_immediate_and_a_failure_reaches_the_caller():
    announce_in_transaction(Happened(5))
    assert seen == [Happened(5)]
    with pytest.raises(RuntimeError, match="cannot handle 6"):
        announce_in_transaction(Broke(6))


def test_the_apps_subscribe_when_django_starts():
    # payments announces, collections reacts (reconnection after a payment, policy 421)
    assert reconnect_after_payment in handlers(PaymentPosted)
    # receivables announces a new charge, payments applies the credit balance to it
    assert apply_credit_to_charge in handlers(ChargePosted)
    # billing announces new and cancelled bills, payments applies or gives back credit
    assert apply_credits_to_bills in handlers(BillsPosted)
    assert release_cancelled_bill in handlers(BillCancelled)
