"""Mandates a co-op brings from its previous system, already proven there: imported with
the day and source of the proof, they draft from the first file, with no new prenote."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.billing.run import run_billing
from coopcis.apps.members.models import BankDraftMandate
from coopcis.apps.payments.ach.enrolment import PriorProof
from coopcis.apps.payments.ach.models import Prenote, PrenoteStatus
from coopcis.apps.receivables.models import ReceivableItem
from coopcis.core.errors import RuleViolation
from coopcis.core.payments.nacha import read_ach_file
from tests.integration.ach.helpers import coopcis, enroll
from tests.unit.nacha.achlens_check import assert_achlens_valid

pytestmark = pytest.mark.django_db
D = Decimal
PROOF = PriorProof(
    proven_on=date(2024, 3, 8), source="CIS prenote log 2019-2026", imported_on=date(2026, 10, 1)
)


def proven(account, *, proof=PROOF, **kwargs):
    from coopcis.apps.payments.ach.enrolment import enroll_bank_draft

    return enroll_bank_draft(
        account=account,
        routing_number=kwargs.get("routing", "011000015"),
        account_number=kwargs.get("number", "123456789"),
        account_type=kwargs.get("kind", "CHECKING"),
        holder_name="Ana García",
        draft_day=kwargs.get("day", 25),
        signed_on=date(2024, 3, 1),
        prior_proof=proof,
    )


def _entries(path):
    text = path.read_text()
    assert_achlens_valid(text)
    return {
        e.individual_id: (e.transaction_code, e.amount_cents) for e in read_ach_file(text).entries
    }


def test_an_imported_proven_mandate_is_debited_in_the_first_file(
    small_coop, originator, capsys, tmp_path
):
    home, mill = small_coop.home, small_coop.mill
    run_billing(period_label="2026-10")  # bills dated 10 October; home owes 183.89
    mandate = proven(home)
    enroll(mill, day=25, routing="021000021", number="99887766")  # new: prenote first

    proof = Prenote.objects.get(mandate=mandate)
    assert (proof.status, proof.proven_on, proof.source, proof.entry) == (
        PrenoteStatus.IMPORTED,
        date(2024, 3, 8),
        "CIS prenote log 2019-2026",
        None,
    )
    code, out, err = coopcis(
        capsys, "ach", "draft", "--date", "2026-10-25", "--out", tmp_path / "oct25.ach"
    )
    assert code == 0, err
    assert "1 prenotes, 1 debits" in out
    mill_bill = ReceivableItem.objects.get(bill__account=mill)
    assert _entries(tmp_path / "oct25.ach") == {
        home.number: (27, 18389),  # no prenote: the previous system proved these details
        mill.number: (28, 0),  # its bill is not drafted until its prenote clears
    }
    assert mill_bill.open_amount > 0
    # the proof stays the mandate's: it is not sent again, and re-signing the same details
    # queues nothing
    proven(home, proof=None)
    assert not Prenote.objects.filter(mandate=mandate, status=PrenoteStatus.PENDING).exists()


def test_new_bank_details_after_the_import_need_a_prenote(small_coop, originator, capsys, tmp_path):
    home = small_coop.home
    run_billing(period_label="2026-10")
    mandate = proven(home)
    enroll(home, day=25, routing="021000021", number="55512345", on=date(2026, 10, 15))
    assert Prenote.objects.get(mandate=mandate, status=PrenoteStatus.PENDING)
    code, _, err = coopcis(
        capsys, "ach", "draft", "--date", "2026-10-25", "--out", tmp_path / "oct25.ach"
    )
    assert code == 0, err
    assert _entries(tmp_path / "oct25.ach") == {home.number: (28, 0)}


@pytest.mark.parametrize(
    ("proof", "field"),
    [
        (PriorProof(date(2024, 3, 8), "  ", date(2026, 10, 1)), "source"),
        (PriorProof(date(2026, 10, 2), "CIS prenote log", date(2026, 10, 1)), "proven_on"),
    ],
)
def test_a_proof_without_source_or_from_the_future_is_refused(small_coop, proof, field):
    with pytest.raises(RuleViolation) as refusal:
        proven(small_coop.home, proof=proof)
    assert refusal.value.field == field
    assert not BankDraftMandate.objects.exists() and not Prenote.objects.exists()


def test_cli_enroll_records_the_proof(small_coop, capsys):
    code, out, err = coopcis(
        capsys, "ach", "enroll", small_coop.home.number, "--routing", "011000015",
        "--account-number", "123456789", "--type", "CHECKING", "--holder", "Ana Garcia",
        "--day", "3", "--signed-on", "2024-03-01", "--proven-on", "2024-03-08",
        "--proof", "CIS prenote log",
    )  # fmt: skip
    assert code == 0, err
    assert "prenote" not in out
    assert Prenote.objects.get().status == PrenoteStatus.IMPORTED

    code, _, err = coopcis(
        capsys, "ach", "enroll", small_coop.mill.number, "--routing", "011000015",
        "--account-number", "123456789", "--type", "CHECKING", "--holder", "Mill",
        "--day", "3", "--signed-on", "2024-03-01", "--proof", "CIS prenote log",
    )  # fmt: skip
    assert code == 1
    assert err.strip() == "coopcis ach: error: --proof needs --proven-on (the day it was proven)"


HEADER = (
    "account,routing_number,bank_account_number,bank_account_type,holder_name,draft_day,"
    "signed_on,proven_on,source,bank_name\n"
)


def test_cli_imports_a_file_of_proven_mandates(small_coop, capsys, tmp_path):
    home, mill = small_coop.home, small_coop.mill
    path = tmp_path / "mandates.csv"
    path.write_text(
        HEADER + f"{home.number},011000015,123456789,CHECKING,Ana Garcia,3,2024-03-01,2024-03-08,"
        "CIS prenote log,First Bank\n"
        + f"{mill.number},021000021,99887766,savings,Mill Inc,25,2023-01-10,2023-01-18,"
        "CIS prenote log,\n"
    )
    code, out, err = coopcis(capsys, "ach", "import-mandates", path)
    assert code == 0, err
    assert (
        out.strip() == "mandates.csv: 2 mandates imported as proven; they draft from the next file"
    )
    assert set(Prenote.objects.values_list("mandate__account__number", "status", "proven_on")) == {
        (home.number, "IMPORTED", date(2024, 3, 8)),
        (mill.number, "IMPORTED", date(2023, 1, 18)),
    }
    assert BankDraftMandate.objects.get(account=mill).bank_account_type == "SAVINGS"


def test_a_bad_file_names_each_bad_line_and_imports_nothing(small_coop, capsys, tmp_path):
    home, mill = small_coop.home, small_coop.mill
    path = tmp_path / "mandates.csv"
    path.write_text(
        HEADER
        + f"{home.number},011000015,123456789,CHECKING,Ana Garcia,3,2024-03-01,2024-03-08,log,\n"
        + "X-404,011000015,123456789,CHECKING,Nobody,3,2024-03-01,2024-03-08,log,\n"
        + f"{mill.number},011000016,99887766,CHECKING,Mill Inc,3,2024-03-01,2024-03-08,log,\n"
        + f"{small_coop.lights.number},011000015,1234,CHECKING,Town,3,2024-03-01,someday,log,\n"
        + f"{home.number},011000015,123456789,CHECKING,Ana Garcia,3,2024-03-01,2024-03-08,log,\n"
    )
    code, _, err = coopcis(capsys, "ach", "import-mandates", path)
    assert code == 1
    lines = [line.strip() for line in err.strip().splitlines()]
    assert lines[0].startswith("line 3: no account 'X-404'")
    assert lines[1].startswith("line 4: routing number '011000016' is not valid")
    assert lines[2].startswith("line 5: proven_on is not a date")
    assert lines[3].startswith(f"line 6: account {home.number} is already on line 2")
    assert (
        lines[-1]
        == "coopcis ach: error: mandates.csv: 4 bad lines, nothing imported (fix and rerun)"
    )
    assert not BankDraftMandate.objects.exists() and not Prenote.objects.exists()


def test_a_file_without_the_needed_columns_is_refused_in_one_line(small_coop, capsys, tmp_path):
    path = tmp_path / "mandates.csv"
    path.write_text("account,routing_number\n1,011000015\n")
    code, _, err = coopcis(capsys, "ach", "import-mandates", path)
    assert code == 1
    assert err.strip().startswith("coopcis ach: error: file: line 1: the header lacks bank_account")
    assert len(err.strip().splitlines()) == 1
