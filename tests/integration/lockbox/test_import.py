"""Lockbox files in: matched items applied oldest first, the rest in suspense, each once."""

from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.ledger import reports
from coopcis.apps.ledger.models import JournalEntry, JournalLine
from coopcis.apps.members.models import AccountStatus
from coopcis.apps.payments.lockbox.importing import (
    import_lockbox_file,
    refund_suspense,
    resolve_suspense,
)
from coopcis.apps.payments.lockbox.models import LockboxFile, SuspenseItem, SuspenseStatus
from coopcis.apps.payments.models import Payment, PaymentApplication
from coopcis.apps.receivables.models import ItemStatus, ReceivableItem
from coopcis.core.billing.scan_line import make_scan_line
from coopcis.core.errors import RuleViolation
from coopcis.core.money import Money
from tests.integration.lockbox.conftest import DEPOSIT_DAY, stub
from tests.unit.lockbox.files import Item, Row, bai2, line_of, lockbox_csv

pytestmark = pytest.mark.django_db
D = Decimal


def gl(number):
    """Net debit balance of a GL account."""
    lines = JournalLine.objects.filter(gl_account_id=number)
    return sum((line.debit_amount - line.credit_amount for line in lines), D("0.00"))


def balance(account):
    return reports.member_balances().get(account.pk, D("0.00"))


def misread(scan_line):
    digits = scan_line.replace(" ", "")
    return digits[:-1] + str((int(digits[-1]) + 1) % 10)


def load(text, name="lockbox-1015.csv", **options):
    return import_lockbox_file(content=text.encode(), name=name, **options)


def counts():
    return (
        LockboxFile.objects.count(),
        Payment.objects.count(),
        SuspenseItem.objects.count(),
        JournalEntry.objects.count(),
    )


def test_matched_items_are_applied_oldest_first_and_posted(billed):
    home, lights = billed.home, billed.lights
    owed_lights = balance(lights)
    text = lockbox_csv(
        DEPOSIT_DAY,
        [Row("1", "1", stub(home), "200.00", "1042"), Row("1", "2", stub(lights), "10.00", "7")],
    )
    result = load(text)
    assert (result.matched, result.suspense, result.matched_amount) == (2, 0, D("210.00"))

    payment = Payment.objects.get(account=home)
    assert (payment.channel, payment.tender, payment.reference) == ("LOCKBOX", "CHECK", "1042")
    assert payment.received_on == DEPOSIT_DAY
    assert payment.idempotency_key == f"lockbox:csv:{DEPOSIT_DAY}:1:1"
    # the fee (due 25 Oct) before the bill (due 30 Oct)
    applied = {a.item.category: a.amount for a in payment.applications.all()}
    assert applied == {"FEE": D("40.00"), "ELECTRIC": D("160.00")}
    lines = {
        line.gl_account_id: (line.debit_amount, line.credit_amount)
        for line in payment.journal_entry.lines.all()
    }
    assert lines == {
        "131": (D("200.00"), D("0")),
        "142.1": (D("0"), D("160.00")),
        "142.2": (D("0"), D("40.00")),
    }
    assert balance(home) == D("23.89")
    assert balance(lights) == owed_lights - D("10.00")
    assert gl("131") == D("210.00") and gl("242.2") == D("0.00")
    assert reports.receivables_difference() == 0 and reports.trial_balance().balanced
    record = LockboxFile.objects.get()
    assert (record.item_count, record.total_amount, record.matched_count) == (2, D("210.00"), 2)


def test_unmatched_items_go_to_suspense_with_the_reason_and_cash_still_ties(billed):
    home, mill = billed.home, billed.mill
    mill.status, mill.closed_on = AccountStatus.CLOSED, date(2026, 10, 10)
    mill.save()
    unknown = make_scan_line(
        account_number="987654321", bill_number="202610-00000001", amount_due=Money("10.00")
    )
    text = lockbox_csv(
        DEPOSIT_DAY,
        [
            Row("1", "1", misread(stub(home)), "183.89", "11"),
            Row("1", "2", unknown, "10.00", "12"),
            Row("1", "3", stub(mill), "500.00", "13"),
            Row("1", "4", "", "25.00", "14", "NO STUB"),
            Row("1", "5", f"ACCT {home.number}", "30.00", "15"),
        ],
    )
    result = load(text)
    assert (result.matched, result.suspense, result.suspense_amount) == (1, 4, D("718.89"))
    reasons = dict(SuspenseItem.objects.values_list("line", "reason"))
    assert reasons == {
        2: "scan line check digit does not match",
        3: "no account 987654321",
        4: f"account {mill.number} is closed",
        5: "no scan line or account number",
    }
    # the remitter wrote the account number: matched by text and applied (fee first)
    assert Payment.objects.get().applications.get().item.category == "FEE"
    assert gl("131") == D("748.89")  # every check is in the bank
    assert gl("242.2") == D("-718.89")  # 242.2 holds what is not yet anyone's
    assert balance(home) == D("193.89")
    assert reports.receivables_difference() == 0 and reports.trial_balance().balanced


def test_resolving_a_suspense_item_moves_it_to_the_member(billed):
    home = billed.home
    load(lockbox_csv(DEPOSIT_DAY, [Row("1", "1", misread(stub(home)), "223.89", "11")]))
    item = SuspenseItem.objects.get()
    assert balance(home) == D("223.89")

    resolved = resolve_suspense(
        item=item, account=home, note="stub torn; name on check", on=date(2026, 10, 17)
    )
    assert resolved.status == SuspenseStatus.RESOLVED and resolved.resolved_account == home
    payment = resolved.payment
    assert payment.received_on == DEPOSIT_DAY and payment.unapplied_amount == 0
    assert payment.journal_entry.posted_on == date(2026, 10, 17)
    lines = sorted(
        (line.gl_account_id, line.debit_amount, line.credit_amount)
        for line in payment.journal_entry.lines.all()
    )
    assert lines == [
        ("142.1", D("0"), D("183.89")),
        ("142.2", D("0"), D("40.00")),
        ("242.2", D("223.89"), D("0")),
    ]
    assert balance(home) == D("0.00") and gl("242.2") == D("0.00") and gl("131") == D("223.89")
    assert set(ReceivableItem.objects.filter(account=home).values_list("status", flat=True)) == {
        ItemStatus.PAID
    }
    with pytest.raises(RuleViolation, match="already applied to a member"):
        resolve_suspense(item=item, account=home, note="again", on=date(2026, 10, 17))


def test_refunding_a_suspense_item_takes_the_cash_back_out(billed):
    load(lockbox_csv(DEPOSIT_DAY, [Row("1", "1", "", "25.00", "14", "UNKNOWN PAYER")]))
    item = SuspenseItem.objects.get()
    with pytest.raises(RuleViolation, match="say how"):
        refund_suspense(item=item, note=" ", on=date(2026, 10, 20))
    refund_suspense(item=item, note="returned to sender", on=date(2026, 10, 20))
    item.refresh_from_db()
    assert item.status == SuspenseStatus.REFUNDED
    assert gl("131") == D("0.00") and gl("242.2") == D("0.00")


def test_the_same_file_twice_posts_nothing_new_even_renamed_or_re_sent(billed):
    home = billed.home
    text = lockbox_csv(
        DEPOSIT_DAY,
        [Row("1", "1", stub(home), "100.00", "1"), Row("1", "2", "", "5.00", "2", "X")],
    )
    first = load(text)
    assert (first.matched, first.suspense) == (1, 1)
    before, owed = counts(), balance(home)

    again = load(text, name="renamed.csv")
    assert again.duplicate and again.file.pk == first.file.pk
    assert counts() == before

    # re-sent with other bytes (CRLF line ends): a new file record, but every item is known
    resent = load(text.replace("\n", "\r\n"), name="resent.csv")
    assert not resent.duplicate and (resent.matched, resent.suspense, resent.already) == (0, 0, 2)
    assert counts()[1:] == before[1:] and balance(home) == owed


def test_a_re_sent_item_with_another_amount_is_refused(billed):
    load(lockbox_csv(DEPOSIT_DAY, [Row("1", "1", stub(billed.home), "100.00", "1")]))
    changed = lockbox_csv(DEPOSIT_DAY, [Row("1", "1", stub(billed.home), "101.00", "1")])
    with pytest.raises(RuleViolation, match="used for a different payment"):
        load(changed, name="changed.csv")
    assert LockboxFile.objects.count() == 1


def test_a_wrong_control_total_refuses_the_file_naming_the_line_and_nothing_posts(billed):
    text = lockbox_csv(
        DEPOSIT_DAY,
        [Row("1", "1", stub(billed.home), "100.00", "1"), Row("1", "2", "", "5.00", "2")],
        total="104.00",
    )
    before = counts()
    with pytest.raises(RuleViolation) as refusal:
        load(text)
    assert str(refusal.value) == (
        "file: lockbox-1015.csv: line 4: control record says 104.00, the items add up to 105.00"
    )
    assert counts() == before and not PaymentApplication.objects.exists()


def test_a_malformed_line_refuses_the_whole_file(billed):
    text = lockbox_csv(
        DEPOSIT_DAY,
        [Row("1", "1", stub(billed.home), "100.00", "1"), Row("1", "2", "", "-5.00", "2")],
    )
    before = counts()
    with pytest.raises(RuleViolation, match=r"line 3: amount -5.00 must be more than zero"):
        load(text)
    assert counts() == before


def test_a_bai2_file_posts_its_items_and_refuses_a_broken_control(billed):
    home, lights = billed.home, billed.lights
    text = bai2(
        DEPOSIT_DAY,
        [
            (
                "D1",
                [
                    Item("B1", "1042", "223.89", stub(home)),
                    Item("B2", "1043", "12.00", f"ACCT {lights.number}"),
                    Item("B3", "1044", "8.00", misread(stub(home))),
                ],
            )
        ],
    )
    # 73167 = the 03 summary + the 115 deposit + its items (3 x 243.89)
    broken = text.replace("\n49,73167,", "\n49,73166,")
    assert broken != text
    with pytest.raises(RuleViolation) as refusal:
        load(broken, name="bank.bai")
    assert f"line {line_of(broken, '49,')}: account control total" in str(refusal.value)
    assert counts() == (0, 0, 0, counts()[3])

    result = load(text, name="bank.bai")
    assert (result.file.format, result.matched, result.suspense) == ("BAI2", 2, 1)
    assert balance(home) == D("0.00")
    key = Payment.objects.get(account=home).idempotency_key
    assert key == f"lockbox:bai2:4400123456:{DEPOSIT_DAY}:B1"
    assert SuspenseItem.objects.get().reason == "scan line check digit does not match"
    assert gl("131") == D("243.89") and gl("242.2") == D("-8.00")
