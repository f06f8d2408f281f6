"""ACH returns and returned checks: reversal, the $40 fee, a flag, autopay ended on repeat."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.billing.run import run_billing
from coopcis.apps.ledger import reports
from coopcis.apps.members.models import BankDraftMandate
from coopcis.apps.payments.ach.models import (
    AccountFlag,
    AchDraftEntry,
    AchEntryStatus,
    AchReturn,
    AchReturnFile,
    Prenote,
    PrenoteStatus,
)
from coopcis.apps.payments.models import Payment, PaymentStatus
from coopcis.apps.payments.services import receive_payment
from coopcis.apps.receivables.models import ItemStatus, ReceivableItem
from tests.integration.ach.helpers import balance, coopcis, enroll, returns_file

pytestmark = pytest.mark.django_db
D = Decimal


def _drafted_home(small_coop, capsys, tmp_path) -> AchDraftEntry:
    """Home enrolled on the 3rd, prenote in October, 183.89 drafted on 3 November."""
    enroll(small_coop.home, day=3)
    assert coopcis(capsys, "ach", "draft", "--date", "2026-10-03", "--out", tmp_path / "a")[0] == 0
    run_billing(period_label="2026-10")
    assert coopcis(capsys, "ach", "draft", "--date", "2026-11-03", "--out", tmp_path / "b")[0] == 0
    return AchDraftEntry.objects.get(account=small_coop.home, prenote=False)


def _fees(account):
    return list(
        ReceivableItem.objects.filter(account=account, fee_code="returned_check").values_list(
            "amount", flat=True
        )
    )


def test_a_returns_file_reverses_charges_the_fee_and_flags_and_is_posted_once(
    small_coop, originator, capsys, tmp_path
):
    home = small_coop.home
    draft = _drafted_home(small_coop, capsys, tmp_path)
    path = tmp_path / "returns-1105.ach"
    path.write_text(returns_file((draft.trace_number, "R01", 18389, home.number)))

    code, out, err = coopcis(capsys, "ach", "returns", path, "--on", "2026-11-05")
    assert code == 0, err
    assert "R01" in out and "1 returns read, 1 posted" in out

    draft.refresh_from_db()
    payment = draft.payment
    assert draft.status == AchEntryStatus.RETURNED and draft.return_code == "R01"
    assert payment.status == PaymentStatus.REVERSED and payment.return_code == "R01"
    assert ReceivableItem.objects.get(bill__account=home).status == ItemStatus.OPEN
    assert _fees(home) == [D("40.00")]
    assert balance(home) == D("223.89") and reports.trial_balance().balanced
    (flag,) = AccountFlag.objects.filter(account=home)
    assert flag.kind == "RETURNED_PAYMENT" and "R01 (Insufficient funds)" in flag.detail
    assert BankDraftMandate.objects.get(account=home).active  # one return: still enrolled

    # the same file again: nothing new
    code, out, _ = coopcis(capsys, "ach", "returns", path, "--on", "2026-11-06")
    assert code == 0 and "already imported, nothing posted" in out
    assert _fees(home) == [D("40.00")] and AccountFlag.objects.count() == 1
    assert AchReturnFile.objects.count() == 1 and AchReturn.objects.count() == 1


def test_the_second_return_in_twelve_months_ends_autopay(
    small_coop, originator, capsys, tmp_path, freeze_today
):
    freeze_today(date(2026, 12, 7))
    home = small_coop.home
    first = _drafted_home(small_coop, capsys, tmp_path)
    (tmp_path / "r1").write_text(returns_file((first.trace_number, "R01", 18389, home.number)))
    assert coopcis(capsys, "ach", "returns", tmp_path / "r1", "--on", "2026-11-05")[0] == 0

    # the returned bill is not drafted again; the fee (posted 5 November) is, on 3 December
    assert coopcis(capsys, "ach", "draft", "--date", "2026-12-03", "--out", tmp_path / "c")[0] == 0
    second = AchDraftEntry.objects.get(account=home, draft_on=date(2026, 12, 3))
    assert second.amount == D("40.00")
    (tmp_path / "r2").write_text(
        returns_file((second.trace_number, "R09", 4000, home.number), created_on=date(2026, 12, 7))
    )
    code, out, _ = coopcis(capsys, "ach", "returns", tmp_path / "r2", "--on", "2026-12-07")
    assert code == 0 and "autopay ended" in out

    home.refresh_from_db()
    assert not home.autopay and not BankDraftMandate.objects.get(account=home).active
    assert _fees(home) == [D("40.00"), D("40.00")]
    kinds = sorted(AccountFlag.objects.filter(account=home).values_list("kind", flat=True))
    assert kinds == ["AUTOPAY_ENDED", "RETURNED_PAYMENT", "RETURNED_PAYMENT"]
    assert balance(home) == D("263.89")  # 183.89 + two fees of 40
    # no more drafts for this account
    freeze_today(date(2026, 12, 26))  # the 3 January file is made after the 25th's
    code, out, _ = coopcis(capsys, "ach", "draft", "--date", "2027-01-03", "--out", tmp_path / "d")
    assert code == 0 and out.startswith("Nothing to draft")


def test_an_unauthorized_return_ends_autopay_at_once_without_a_fee(
    small_coop, originator, capsys, tmp_path
):
    home = small_coop.home
    draft = _drafted_home(small_coop, capsys, tmp_path)
    (tmp_path / "r").write_text(returns_file((draft.trace_number, "R10", 18389, home.number)))
    assert coopcis(capsys, "ach", "returns", tmp_path / "r", "--on", "2026-11-20")[0] == 0
    home.refresh_from_db()
    assert not home.autopay and _fees(home) == []
    assert balance(home) == D("183.89")


def test_a_returned_prenote_ends_the_enrolment_without_a_fee(
    small_coop, originator, capsys, tmp_path
):
    home = small_coop.home
    enroll(home, day=3)
    assert coopcis(capsys, "ach", "draft", "--date", "2026-10-03", "--out", tmp_path / "a")[0] == 0
    prenote_entry = AchDraftEntry.objects.get(account=home, prenote=True)
    (tmp_path / "r").write_text(returns_file((prenote_entry.trace_number, "R03", 0, home.number)))
    assert coopcis(capsys, "ach", "returns", tmp_path / "r", "--on", "2026-10-07")[0] == 0
    home.refresh_from_db()
    assert not home.autopay and Prenote.objects.get().status == PrenoteStatus.RETURNED
    assert _fees(home) == [] and not Payment.objects.exists()
    assert set(AccountFlag.objects.values_list("kind", flat=True)) == {
        "PRENOTE_RETURNED",
        "AUTOPAY_ENDED",
    }


def test_a_returns_file_with_a_bad_control_total_posts_nothing(
    small_coop, originator, capsys, tmp_path
):
    home = small_coop.home
    draft = _drafted_home(small_coop, capsys, tmp_path)
    lines = returns_file((draft.trace_number, "R01", 18389, home.number)).splitlines()
    assert lines[4].startswith("8200")
    lines[4] = lines[4][:20] + "000000018390" + lines[4][32:]  # batch debit total off by 1 cent
    (tmp_path / "bad").write_text("\n".join(lines) + "\n")

    code, _, err = coopcis(capsys, "ach", "returns", tmp_path / "bad", "--on", "2026-11-05")
    assert code == 1
    assert err.strip() == (
        "coopcis ach: error: file: bad: line 5: batch control total debit (cents) is 18390 "
        "but the records add up to 18389"
    )
    draft.refresh_from_db()
    assert draft.status == AchEntryStatus.DRAFTED and draft.payment.status == PaymentStatus.POSTED
    assert not AchReturnFile.objects.exists() and not AccountFlag.objects.exists()
    assert _fees(home) == [] and balance(home) == D("0.00")


def test_a_return_for_a_different_amount_refuses_the_whole_file(
    small_coop, originator, capsys, tmp_path
):
    draft = _drafted_home(small_coop, capsys, tmp_path)
    (tmp_path / "r").write_text(
        returns_file((draft.trace_number, "R01", 18000, small_coop.home.number))
    )
    code, _, err = coopcis(capsys, "ach", "returns", tmp_path / "r", "--on", "2026-11-05")
    assert code == 1 and "line 3: return of" in err and "18000 cents" in err
    assert not AchReturnFile.objects.exists()


def _check_payment(account, amount, reference):
    return receive_payment(
        account=account,
        amount=D(amount),
        channel="MAIL",
        tender="CHECK",
        received_on=date(2026, 10, 20),
        reference=reference,
    ).payment


def test_returned_checks_charge_the_fee_and_the_second_ends_autopay(small_coop, capsys):
    home = small_coop.home
    enroll(home, day=25)
    run_billing(period_label="2026-10")
    first = _check_payment(home, "100.00", "chk 1042")
    code, out, err = coopcis(
        capsys, "ach", "returned-check", first.pk, "--on", "2026-10-27", "--reason", "NSF"
    )
    assert code == 0, err
    first.refresh_from_db()
    assert first.status == PaymentStatus.REVERSED
    assert _fees(home) == [D("40.00")] and balance(home) == D("223.89")
    home.refresh_from_db()
    assert home.autopay

    second = _check_payment(home, "50.00", "chk 1043")
    code, out, _ = coopcis(capsys, "ach", "returned-check", second.pk, "--on", "2026-11-02")
    assert code == 0 and "autopay ended" in out
    home.refresh_from_db()
    assert not home.autopay and _fees(home) == [D("40.00"), D("40.00")]
    assert reports.trial_balance().balanced and reports.receivables_difference() == 0

    # a check already returned, and a card payment, are refused with the field
    code, _, err = coopcis(capsys, "ach", "returned-check", second.pk, "--on", "2026-11-03")
    assert code == 1 and "payment: payment" in err and "not posted" in err
    card = receive_payment(
        account=home,
        amount=D("5.00"),
        channel="ONLINE",
        tender="CARD",
        received_on=date(2026, 11, 1),
    ).payment
    code, _, err = coopcis(capsys, "ach", "returned-check", card.pk, "--on", "2026-11-03")
    assert code == 1 and "not by check" in err


def test_returns_of_entries_not_ours_post_nothing_and_say_so(originator, capsys, tmp_path):
    # given a bank's returns file for two entries no draft of ours has the trace of,
    # every record trimmed of its trailing blanks, as banks send them
    text = returns_file(
        ("091000019999001", "R01", 5000, "X1"), ("091000019999002", "R03", 700, "X2")
    )
    path = tmp_path / "not-ours.ach"
    path.write_text("\n".join(line.rstrip() for line in text.splitlines()) + "\n")
    assert min(len(line) for line in path.read_text().splitlines()) < 94
    # when
    code, out, err = coopcis(capsys, "ach", "returns", path, "--on", "2026-11-05")
    # then
    assert code == 0, err
    assert out.splitlines()[-1] == (
        "not-ours.ach: 2 returns read, 0 posted, 2 name no draft of ours (nothing posted)"
    )
    assert AchReturn.objects.filter(entry__isnull=True).count() == 2


def test_a_zero_file_is_read_as_no_returns(originator, capsys, tmp_path):
    # given a processor's zero file: a file header and a file control, nothing between
    header = "101 011000015 0110000152611050600A094101OTERO COUNTY ELECTRIC  FIRST NATIONAL BANK"
    control = "9000000000001000000000000000000000000000000000000000000"
    path = tmp_path / "zero.ach"
    path.write_text("\n".join([header, control] + ["9" * 94] * 8) + "\n")
    # when
    code, out, err = coopcis(capsys, "ach", "returns", path, "--on", "2026-11-05")
    # then
    assert code == 0, err
    assert out.strip() == "zero.ach: no returns in the file; nothing posted"
