"""The demo co-op's bank-draft members came proven from its previous system: after the
demo and a bill run, the next draft files debit every one of them whose bill is open."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.management import call_command
from django.db.models import Max

from coopcis.apps.billing.models import Bill
from coopcis.apps.members.models import BankDraftMandate
from coopcis.apps.payments.ach.models import Prenote, PrenoteStatus
from coopcis.apps.receivables.models import ItemStatus, ReceivableItem
from coopcis.cli import main
from coopcis.core.payments.nacha import read_ach_file
from tests.unit.nacha.achlens_check import assert_achlens_valid


def _next_day_of_month(after: date, day: int) -> date:
    candidate = after + timedelta(days=1)
    while candidate.day != day:
        candidate += timedelta(days=1)
    return candidate


def _owed(draft_on: date) -> dict[str, int]:
    """Cents each account drafting on this day owes in bills posted by then."""
    owed: dict[str, int] = {}
    mandates = BankDraftMandate.objects.filter(
        active=True, draft_day=draft_on.day, account__autopay=True
    ).select_related("account")
    for mandate in mandates:
        items = ReceivableItem.objects.filter(
            account=mandate.account, status=ItemStatus.OPEN, posted_on__lte=draft_on
        )
        cents = int(sum((item.open_amount for item in items), Decimal(0)) * 100)
        if cents > 0:
            owed[mandate.account.number] = cents
    return owed


def test_every_demo_member_on_draft_with_an_open_bill_is_debited(demo_coop, tmp_path, capsys):
    mandates = BankDraftMandate.objects.count()
    assert mandates > 0
    # each mandate came with its proof from the previous system
    proofs = Prenote.objects.filter(status=PrenoteStatus.IMPORTED)
    assert proofs.count() == mandates
    assert not Prenote.objects.exclude(status=PrenoteStatus.IMPORTED).exists()
    assert all(p.proven_on and p.proven_on >= p.mandate.signed_on for p in proofs)

    call_command("bill-run", "--period", "2025-08", verbosity=0)
    latest_bill = Bill.objects.aggregate(latest=Max("bill_date"))["latest"]
    drafted: set[str] = set()
    for day in (3, 25):
        draft_on = _next_day_of_month(latest_bill, day)
        expected = _owed(draft_on)
        assert expected, f"no member drafting on the {day} owes anything"
        out = tmp_path / f"draft-{draft_on}.ach"
        assert main(["ach", "draft", "--date", str(draft_on), "--out", str(out)]) == 0
        text = out.read_text()
        assert_achlens_valid(text)
        entries = read_ach_file(text).entries
        assert all(entry.transaction_code in (27, 37) for entry in entries)  # no prenote
        assert {entry.individual_id: entry.amount_cents for entry in entries} == expected
        drafted |= expected.keys()
    capsys.readouterr()
    # together the two files drafted every member on draft whose bill was open: none is left
    assert drafted
    assert not ReceivableItem.objects.filter(
        account__bank_draft__active=True, account__autopay=True, status=ItemStatus.OPEN
    ).exists()
