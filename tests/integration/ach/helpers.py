"""Shared set-up: the co-op's bank, enrolments, running ``coopcis ach`` in-process."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from coopcis.apps.ledger import reports
from coopcis.apps.payments.ach.drafts import set_originator
from coopcis.apps.payments.ach.enrolment import enroll_bank_draft
from coopcis.cli import main
from coopcis.core.payments import nacha

ODFI_ROUTING = "102000021"


@pytest.fixture
def originator(db):
    return set_originator(
        immediate_destination=ODFI_ROUTING,
        destination_name="FIRST NATIONAL BANK",
        immediate_origin="1850123456",
        origin_name="OTERO COUNTY ELECTRIC",
        company_name="OTERO CO ELEC",
        company_identification="1850123456",
        originating_dfi=ODFI_ROUTING[:8],
        entry_description="ELEC BILL",
    )


def enroll(account, *, day=3, routing="011000015", number="123456789", kind="CHECKING", on=None):
    return enroll_bank_draft(
        account=account,
        routing_number=routing,
        account_number=number,
        account_type=kind,
        holder_name="Ana García",
        draft_day=day,
        signed_on=on or date(2026, 10, 1),
    )


def coopcis(capsys, *argv: str) -> tuple[int, str, str]:
    """Run ``coopcis`` in-process; returns the exit code, stdout and stderr."""
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def balance(account) -> Decimal:
    return reports.member_balances().get(account.pk, Decimal("0.00"))


def returns_file(*returned: tuple[str, str, int, str], created_on=date(2026, 11, 5)) -> str:
    """A returns file from the co-op's bank: (original trace, reason code, cents, member
    account number) per returned entry, each a code-26 entry with its 99 addenda."""
    entries = tuple(
        nacha.Entry(
            transaction_code=26,
            routing_number=ODFI_ROUTING,
            account_number="123456789",
            amount_cents=cents,
            individual_id=account_number,
            individual_name="ANA GARCIA",
            trace_number=nacha.trace_number("01100001", sequence),
            addenda=(
                nacha.ReturnAddenda(
                    return_reason_code=code,
                    original_trace_number=trace,
                    original_receiving_dfi="01100001",
                    information="",
                ),
            ),
        )
        for sequence, (trace, code, cents, account_number) in enumerate(returned, start=1)
    )
    header = nacha.FileHeader(
        ODFI_ROUTING, "011000015", "OTERO COUNTY ELECTRIC", "FIRST NATIONAL BANK",
        created_on, time(6, 0), "A",
    )  # fmt: skip
    batch = nacha.BatchHeader(
        "OTERO CO ELEC", "1850123456", "ELEC BILL", created_on, "01100001", service_class_code=200
    )
    return nacha.write_ach_file(nacha.AchFile(header, (nacha.Batch(batch, entries),)))
