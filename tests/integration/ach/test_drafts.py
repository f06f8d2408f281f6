"""Enrolment, prenotes and the draft file for the 3rd or the 25th, checked by achlens."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.billing.run import run_billing
from coopcis.apps.ledger import reports
from coopcis.apps.members.models import BankDraftMandate
from coopcis.apps.payments.ach.models import (
    AchDraftEntry,
    AchEntryStatus,
    AchFile,
    Prenote,
    PrenoteStatus,
)
from coopcis.apps.payments.models import Payment, PaymentStatus
from coopcis.apps.receivables.models import ItemStatus, ReceivableItem
from coopcis.core.errors import RuleViolation
from coopcis.core.payments.nacha import read_ach_file
from tests.integration.ach.helpers import balance, coopcis, enroll
from tests.unit.nacha.achlens_check import assert_achlens_valid

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"routing": "011000016"}, "routing_number"),  # check digit off by one
        ({"routing": "01100001"}, "routing_number"),
        ({"number": "123"}, "bank_account_number"),
        ({"number": "12A456"}, "bank_account_number"),
        ({"number": "1" * 18}, "bank_account_number"),
        ({"kind": "BROKERAGE"}, "bank_account_type"),
        ({"day": 15}, "draft_day"),
    ],
)
def test_enrolment_refusals_name_the_field(small_coop, change, field):
    with pytest.raises(RuleViolation) as refusal:
        enroll(small_coop.home, **change)
    assert refusal.value.field == field
    assert not BankDraftMandate.objects.exists() and not Prenote.objects.exists()
    small_coop.home.refresh_from_db()
    assert not small_coop.home.autopay


def test_cli_refuses_a_malformed_routing_number_in_one_line(small_coop, capsys):
    code, _, err = coopcis(
        capsys, "ach", "enroll", small_coop.home.number, "--routing", "011000016",
        "--account-number", "123456789", "--type", "CHECKING", "--holder", "Ana Garcia",
        "--day", "3", "--signed-on", "2026-10-01",
    )  # fmt: skip
    assert code == 1
    assert err.startswith("coopcis ach: error: routing_number: routing number '011000016'")
    assert len(err.strip().splitlines()) == 1


def test_cli_refuses_a_date_that_is_not_a_draft_date(originator, capsys, tmp_path):
    code, _, err = coopcis(capsys, "ach", "draft", "--date", "2026-11-04", "--out", tmp_path / "x")
    assert code == 1
    assert err.strip() == (
        "coopcis ach: error: date: 2026-11-04 is not a draft date: drafts run on the 3rd and the 25th"
    )
    assert not (tmp_path / "x").exists()


def _draft(capsys, path, day: str):
    code, out, err = coopcis(capsys, "ach", "draft", "--date", day, "--out", path)
    assert code == 0, err
    return out


def test_prenote_first_then_debits_and_a_second_run_adds_nothing(
    small_coop, originator, capsys, tmp_path
):
    home, mill, tou_home = small_coop.home, small_coop.mill, small_coop.tou_home
    enroll(home, day=3)
    enroll(mill, day=25, routing="021000021", number="99887766", kind="SAVINGS")

    # 3 October 2026 is a Saturday: effective Monday the 5th; prenotes only, nothing is owed
    out = _draft(capsys, tmp_path / "oct03.ach", "2026-10-03")
    assert "effective 2026-10-05, send by 2026-10-02; 2 prenotes, 0 debits, $0.00" in out
    october = (tmp_path / "oct03.ach").read_text()
    assert_achlens_valid(october)
    assert {
        (e.individual_id, e.transaction_code, e.amount_cents)
        for e in read_ach_file(october).entries
    } == {
        (home.number, 28, 0),  # checking prenote
        (mill.number, 38, 0),  # savings prenote
    }
    assert set(Prenote.objects.values_list("status", flat=True)) == {PrenoteStatus.SENT}

    run_billing(period_label="2026-10")  # bills dated 10 October, home owes 183.89
    mill_bill = ReceivableItem.objects.get(bill__account=mill)
    enroll(tou_home, day=3, on=date(2026, 10, 20))  # new details: prenote in the next file

    out = _draft(capsys, tmp_path / "oct25.ach", "2026-10-25")  # Sunday -> Monday 26th
    oct25 = read_ach_file((tmp_path / "oct25.ach").read_text())
    assert_achlens_valid((tmp_path / "oct25.ach").read_text())
    assert oct25.batches[0].header.effective_on == date(2026, 10, 26)
    by_id = {entry.individual_id: entry for entry in oct25.entries}
    assert by_id[mill.number].transaction_code == 37
    assert by_id[mill.number].amount_cents == int(mill_bill.amount * 100)
    assert by_id[tou_home.number].transaction_code == 28  # its prenote
    assert home.number not in by_id  # home drafts on the 3rd

    lights = small_coop.lights
    enroll(lights, day=3, routing="021000021", number="4455", on=date(2026, 10, 28))
    out = _draft(capsys, tmp_path / "nov03.ach", "2026-11-03")
    text = (tmp_path / "nov03.ach").read_text()
    assert_achlens_valid(text)
    by_id = {entry.individual_id: entry for entry in read_ach_file(text).entries}
    assert {number: (e.transaction_code, e.amount_cents) for number, e in by_id.items()} == {
        home.number: (27, 18389),
        # its prenote took effect on 26 October, 6 business days before 3 November: cleared
        tou_home.number: (27, int(ReceivableItem.objects.get(bill__account=tou_home).amount * 100)),
        lights.number: (28, 0),  # enrolled on the 28th: a prenote now, debits later
    }
    entry = by_id[home.number]
    assert entry.routing_number == "011000015" and entry.account_number == "123456789"
    assert "1 prenotes, 2 debits" in out

    payment = Payment.objects.get(ach_entry__trace_number=entry.trace_number)
    assert (payment.channel, payment.tender, payment.amount) == ("BANK_DRAFT", "ACH", D("183.89"))
    assert payment.received_on == date(2026, 11, 3) and payment.status == PaymentStatus.POSTED
    assert ReceivableItem.objects.get(bill__account=home).status == ItemStatus.PAID
    assert balance(home) == D("0.00") and reports.trial_balance().balanced

    # the same date again: nothing new, and no file written
    entries, payments = AchDraftEntry.objects.count(), Payment.objects.count()
    out = _draft(capsys, tmp_path / "again.ach", "2026-11-03")
    assert out.startswith("Nothing to draft for 2026-11-03")
    assert not (tmp_path / "again.ach").exists()
    assert (AchDraftEntry.objects.count(), Payment.objects.count()) == (entries, payments)
    # the earlier files' entries are settled: their return window passed
    assert set(
        AchDraftEntry.objects.filter(file__draft_on=date(2026, 10, 3)).values_list(
            "status", flat=True
        )
    ) == {AchEntryStatus.SETTLED}


def test_trace_numbers_are_unique_across_files(small_coop, originator, capsys, tmp_path):
    for account in (small_coop.home, small_coop.tou_home, small_coop.lights):
        enroll(account, day=3)
    run_billing(period_label="2026-10")
    _draft(capsys, tmp_path / "a.ach", "2026-10-03")
    _draft(capsys, tmp_path / "b.ach", "2026-11-03")
    traces = [
        entry.trace_number
        for name in ("a.ach", "b.ach")
        for entry in read_ach_file((tmp_path / name).read_text()).entries
    ]
    assert len(traces) == 6 and len(set(traces)) == 6
    assert AchFile.objects.count() == 2
    # recording that a file went to the bank, once
    first = AchFile.objects.order_by("id").first()
    assert coopcis(capsys, "ach", "sent", first.pk)[0] == 0
    first.refresh_from_db()
    assert first.status == "SENT" and first.sent_at is not None
    code, _, err = coopcis(capsys, "ach", "sent", first.pk)
    assert code == 1 and "already sent" in err


def test_changing_bank_details_needs_a_new_prenote_before_drafting(
    small_coop, originator, capsys, tmp_path
):
    home = small_coop.home
    enroll(home, day=3)
    _draft(capsys, tmp_path / "a.ach", "2026-10-03")
    run_billing(period_label="2026-10")
    enroll(home, day=3, number="55554444", on=date(2026, 10, 30))  # new account
    text = _draft(capsys, tmp_path / "b.ach", "2026-11-03") and (tmp_path / "b.ach").read_text()
    (entry,) = read_ach_file(text).entries
    assert entry.transaction_code == 28 and entry.account_number == "55554444"
    # only changing the draft day keeps the proven details: no new prenote
    enroll(home, day=25, number="55554444", on=date(2026, 11, 5))
    assert Prenote.objects.filter(status=PrenoteStatus.PENDING).count() == 0
