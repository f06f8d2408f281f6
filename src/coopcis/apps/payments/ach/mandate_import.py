"""Bank-draft mandates brought over from the co-op's previous system, already proven.

A CSV with a header row naming these columns (any order; ``bank_name`` may be left out):

    account,routing_number,bank_account_number,bank_account_type,holder_name,draft_day,
    signed_on,proven_on,source,bank_name

``proven_on`` is the day the previous system proved the bank details (its prenote cleared,
or its first live debit settled) and ``source`` where that is recorded (say, "CIS prenote
log 2019-2026"). Each row enrolls the account as ``coopcis ach enroll`` does, with the
proof recorded instead of a new prenote. The file is taken whole or not at all: every bad
row is reported by its line number and nothing is imported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from coopcis.apps.members.models import Account
from coopcis.apps.payments.ach.enrolment import PriorProof, enroll_bank_draft
from coopcis.core.errors import RuleViolation

REQUIRED = (
    "account",
    "routing_number",
    "bank_account_number",
    "bank_account_type",
    "holder_name",
    "draft_day",
    "signed_on",
    "proven_on",
    "source",
)


@dataclass
class MandateImport:
    imported: int = 0
    errors: list[str] = field(default_factory=list)


def _day(row: dict[str, str], name: str) -> date:
    try:
        return date.fromisoformat(row[name].strip())
    except ValueError:
        raise RuleViolation(
            f"{name} is not a date (YYYY-MM-DD): {row[name]!r}", field=name
        ) from None


def _row(row: dict[str, str], imported_on: date) -> None:
    number = row["account"].strip()
    account = Account.objects.filter(number=number).first()
    if account is None:
        raise RuleViolation(f"no account {number!r}", field="account")
    day = row["draft_day"].strip()
    if not day.isdigit():
        raise RuleViolation(f"draft_day is not a number: {day!r}", field="draft_day")
    enroll_bank_draft(
        account=account,
        routing_number=row["routing_number"],
        account_number=row["bank_account_number"],
        account_type=row["bank_account_type"].strip().upper(),
        holder_name=row["holder_name"],
        draft_day=int(day),
        signed_on=_day(row, "signed_on"),
        bank_name=row.get("bank_name") or "",
        prior_proof=PriorProof(
            proven_on=_day(row, "proven_on"), source=row["source"], imported_on=imported_on
        ),
    )


def import_mandates(text: str, *, imported_on: date) -> MandateImport:
    """Enroll every row's account with its prior proof, or (any row bad) none of them."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
    if missing:
        raise RuleViolation(f"line 1: the header lacks {', '.join(missing)}", field="file")
    result = MandateImport()
    seen: dict[str, int] = {}
    with transaction.atomic():
        for row in reader:
            line = reader.line_num
            if None in row or any(row[name] is None for name in REQUIRED):
                result.errors.append(f"line {line}: expected {len(reader.fieldnames or [])} fields")
                continue
            number = row["account"].strip()
            if number in seen:
                result.errors.append(
                    f"line {line}: account {number} is already on line {seen[number]}"
                )
                continue
            seen[number] = line
            try:
                with transaction.atomic():
                    _row(row, imported_on)
            except RuleViolation as refused:
                result.errors.append(f"line {line}: {refused.message}")
                continue
            result.imported += 1
        if result.errors:
            transaction.set_rollback(True)
            result.imported = 0
    return result
