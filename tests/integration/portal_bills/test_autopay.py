"""Autopay by recurring card: enrolled with the processor's token, charged on the due date
by ``coopcis autopay charge`` once per bill, stopped; bank draft and card exclude each
other; every change in the audit trail."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.audit.models import AuditEvent
from coopcis.apps.ledger.services import member_balance
from coopcis.apps.members.models import BankDraftMandate
from coopcis.apps.payments.ach.enrolment import enroll_bank_draft
from coopcis.apps.payments.autopay import enroll_recurring_card, stop_recurring_card
from coopcis.apps.payments.models import Payment, RecurringCard
from coopcis.cli import main

pytestmark = pytest.mark.django_db


def coopcis(capsys, *argv: str) -> tuple[int, str, str]:
    """Run ``coopcis`` in-process: the exit code, stdout and stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


DUE = "2026-10-30"  # the October bill's due date


def enroll(gateway, account, number: str = "4242424242424242"):
    token = gateway.tokenize_card(
        number=number, expiry_month=11, expiry_year=2027, cvc="123", name="Ana Garcia"
    )
    return enroll_recurring_card(
        account=account, card=token, holder_name="Ana Garcia", gateway_name="simulator",
        on=date(2026, 10, 12),
    )  # fmt: skip


def test_the_card_is_charged_the_amount_due_on_the_due_date_once(billed, gateway, capsys):
    home = billed.home
    card = enroll(gateway, home)
    assert RecurringCard.objects.get().token == card.token and card.last4 == "4242"
    home.refresh_from_db()
    assert home.autopay

    code, out, _ = coopcis(capsys, "autopay", "charge", "--date", "2026-10-29")
    assert code == 0 and "charged 0" in out  # nothing due that day

    code, out, _ = coopcis(capsys, "autopay", "charge", "--date", DUE)
    assert code == 0 and "charged 1 ($183.89)" in out
    payment = Payment.objects.get()
    assert (payment.channel, payment.tender, payment.amount) == (
        "RECURRING_CARD", "CARD", Decimal("183.89"),
    )  # fmt: skip
    assert member_balance(home) == Decimal("0.00")

    code, out, _ = coopcis(capsys, "autopay", "charge", "--date", DUE)
    assert "skipped 1" in out and Payment.objects.count() == 1 and gateway.charges_made == 1


def test_a_dry_run_asks_the_processor_nothing(billed, gateway, capsys):
    enroll(gateway, billed.home)

    code, out, _ = coopcis(capsys, "autopay", "charge", "--date", DUE, "--dry-run")

    assert code == 0 and out.startswith("DRY RUN") and "would charge 1 ($183.89)" in out
    assert not Payment.objects.exists() and gateway.charges_made == 0


def test_a_declined_card_is_reported_and_posts_nothing(billed, gateway, capsys):
    enroll(gateway, billed.home, "4000000000000002")

    code, out, _ = coopcis(capsys, "autopay", "charge", "--date", DUE, "--json")

    assert code == 0 and '"reason": "card declined"' in out
    assert not Payment.objects.exists()


def test_a_date_after_today_is_refused_in_one_line(billed, capsys, freeze_today):
    freeze_today(date(2026, 10, 20))
    code, _, err = coopcis(capsys, "autopay", "charge", "--date", DUE)
    assert code == 2 and "--date" in err and "after today" in err


def test_card_and_bank_draft_exclude_each_other_and_stopping_is_audited(billed, gateway):
    home = billed.home
    enroll_bank_draft(
        account=home, routing_number="102000021", account_number="12345678",
        account_type="CHECKING", holder_name="Ana Garcia", draft_day=3,
        signed_on=date(2026, 10, 1),
    )  # fmt: skip
    enroll(gateway, home)
    assert not BankDraftMandate.objects.get(account=home).active

    assert stop_recurring_card(account=home, on=date(2026, 10, 13), reason="member stopped it")
    home.refresh_from_db()
    assert not home.autopay
    assert RecurringCard.objects.get().stopped_on == date(2026, 10, 13)
    reasons = set(AuditEvent.objects.filter(account_id=home.pk).values_list("reason", flat=True))
    assert {"recurring card autopay enrolled", "member stopped it"} <= reasons
    assert not AuditEvent.objects.filter(changes__icontains="tok_").exists()
