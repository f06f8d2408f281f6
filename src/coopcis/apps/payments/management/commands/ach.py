"""``coopcis ach ...``: automatic bank draft, returns, returned checks and late fees.

    coopcis ach originator --destination 102000021 --destination-name "FIRST BANK" ...
    coopcis ach enroll ACCOUNT --routing 102000021 --account-number 12345678 --type CHECKING \\
        --holder "ANA GARCIA" --day 3 --signed-on 2026-10-01
    coopcis ach enroll ACCOUNT ... --proven-on 2024-05-08 --proof "old CIS prenote log"
    coopcis ach import-mandates MANDATES.csv   (mandates the previous system already proved)
    coopcis ach draft --date 2026-11-03 --out nov03.ach [--dry-run]
    coopcis ach sent FILE_ID
    coopcis ach returns RETURNS_FILE [--on 2026-11-06]
    coopcis ach returned-check PAYMENT_ID --on 2026-11-06 [--reason "NSF"]
    coopcis ach late-fees --as-of 2026-11-15 [--dry-run] [--json]

Rules: docs/domain/bank-draft.md. No date option may be after today
(:mod:`coopcis.site.jobs`), except ``draft --date``, which may name the next draft day: the
file is made ahead and sent one business day before the effective date.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from coopcis.apps.members.models import Account
from coopcis.apps.payments.ach.drafts import (
    fed_holidays,
    make_draft_file,
    mark_file_sent,
    set_originator,
)
from coopcis.apps.payments.ach.enrolment import PriorProof, enroll_bank_draft
from coopcis.apps.payments.ach.mandate_import import import_mandates
from coopcis.apps.payments.ach.models import AchFile
from coopcis.apps.payments.ach.returns import import_returns
from coopcis.apps.payments.late_fees import charge_late_fees
from coopcis.apps.payments.models import Payment
from coopcis.apps.payments.returned_checks import return_check
from coopcis.core.money import Money
from coopcis.site.commands import CoopCommand
from coopcis.site.jobs import (
    add_daily_job_options,
    add_date_option,
    add_dry_run_option,
    dry_run,
    dry_run_heading,
)

DRAFT_DAYS = (3, 25)

DRAFT_HELP = (
    "Write the NACHA file for the draft of the 3rd or the 25th and post its payments "
    "(dated the effective date, as the bank will settle them). --date is the draft day, and "
    "is the one date in these jobs that may be after today: the file is made ahead and "
    "sent one business day before the effective date. It may be the next draft day (the "
    "first 3rd or 25th from today) and no later: charges billed after the file is made are "
    "not in it, so a file made further ahead would miss a whole cycle's bills."
)


def next_draft_day(on: date) -> date:
    """The first draft day (the 3rd or the 25th) on or after ``on``."""
    for day in DRAFT_DAYS:
        if on.day <= day:
            return on.replace(day=day)
    year, month = (on.year + 1, 1) if on.month == 12 else (on.year, on.month + 1)
    return date(year, month, DRAFT_DAYS[0])


def next_draft_day_only(day: date, today: date) -> str | None:
    """A future ``--date`` is allowed when it is the next draft day."""
    return "the next draft day, made ahead" if day == next_draft_day(today) else None


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _dollars(cents: int) -> str:
    return Money(cents).amount.scaleb(-2).to_eng_string()


class Command(CoopCommand):
    help = "Automatic bank draft (NACHA files), ACH returns, returned checks and late fees."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        origin = sub.add_parser("originator", help="the co-op's ACH set-up with its bank")
        for flag, dest in (
            ("--destination", "immediate_destination"),
            ("--destination-name", "destination_name"),
            ("--origin", "immediate_origin"),
            ("--origin-name", "origin_name"),
            ("--company-name", "company_name"),
            ("--company-id", "company_identification"),
            ("--odfi", "originating_dfi"),
        ):
            origin.add_argument(flag, dest=dest, required=True)
        origin.add_argument("--description", dest="entry_description", default="ELEC BILL")

        enroll = sub.add_parser("enroll", help="sign an account up for bank draft")
        enroll.add_argument("account")
        enroll.add_argument("--routing", required=True)
        enroll.add_argument("--account-number", required=True)
        enroll.add_argument("--type", choices=["CHECKING", "SAVINGS"], required=True)
        enroll.add_argument("--holder", required=True)
        enroll.add_argument("--day", type=int, choices=[3, 25], required=True)
        enroll.add_argument("--signed-on", type=_date, required=True)
        enroll.add_argument("--bank-name", default="")
        enroll.add_argument(
            "--proven-on", type=_date, help="the day the previous system proved the bank details"
        )
        enroll.add_argument("--proof", default="", help="where that proof is recorded")

        imported = sub.add_parser(
            "import-mandates", help="mandates the previous system already proved, from a CSV"
        )
        imported.add_argument("file", type=Path)

        draft = sub.add_parser(
            "draft", help="write the NACHA file for the 3rd or the 25th", description=DRAFT_HELP
        )
        add_date_option(
            draft,
            "--date",
            help="the draft day (3rd or 25th); after today only if it is the next draft day",
            allow_future=next_draft_day_only,
        )
        draft.add_argument("--out", type=Path, required=True)
        add_dry_run_option(draft)

        sent = sub.add_parser("sent", help="record that a file went to the bank")
        sent.add_argument("file_id", type=int)

        returns = sub.add_parser("returns", help="post an ACH returns file from the bank")
        returns.add_argument("file", type=Path)
        add_date_option(
            returns, "--on", help="posting date (default today)", required=False, default=None
        )

        check = sub.add_parser("returned-check", help="post a check the bank returned")
        check.add_argument("payment_id", type=int)
        add_date_option(check, "--on", help="the day the bank returned it")
        check.add_argument("--reason", default="")

        late = sub.add_parser(
            "late-fees",
            help="charge this month's late fees",
            description="Charge the month's late fees on balances past due before --as-of. "
            "--as-of may not be after today (America/Denver): fees are posted on that day.",
        )
        add_daily_job_options(late, "--as-of", help="the day the fees are charged")

    def run(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        getattr(self, f"_{action}")(options)

    def _originator(self, options: dict[str, Any]) -> None:
        fields = {
            name: options[name]
            for name in (
                "immediate_destination",
                "destination_name",
                "immediate_origin",
                "origin_name",
                "company_name",
                "company_identification",
                "originating_dfi",
                "entry_description",
            )
        }
        originator = set_originator(**fields)
        self.stdout.write(
            f"ACH originator set: {originator.company_name} via ODFI {originator.originating_dfi}"
        )

    def _enroll(self, options: dict[str, Any]) -> None:
        account = Account.objects.filter(number=options["account"]).first()
        if account is None:
            raise CommandError(f"no account {options['account']!r}")
        proof = None
        if options["proven_on"] is not None or options["proof"]:
            if options["proven_on"] is None:
                raise CommandError("--proof needs --proven-on (the day it was proven)")
            proof = PriorProof(
                proven_on=options["proven_on"],
                source=options["proof"],
                imported_on=timezone.localdate(),
            )
        mandate = enroll_bank_draft(
            account=account,
            routing_number=options["routing"],
            account_number=options["account_number"],
            account_type=options["type"],
            holder_name=options["holder"],
            draft_day=options["day"],
            signed_on=options["signed_on"],
            bank_name=options["bank_name"],
            prior_proof=proof,
        )
        pending = mandate.prenotes.filter(status="PENDING").exists()  # type: ignore[attr-defined]
        self.stdout.write(
            f"Account {account.number} drafts on the {mandate.draft_day}"
            + ("; a prenote goes with the next file" if pending else "")
        )

    def _import_mandates(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no file {path}")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not a UTF-8 CSV file") from None
        result = import_mandates(text, imported_on=timezone.localdate())
        for error in result.errors:
            self.stderr.write(f"  {error}")
        if result.errors:
            raise CommandError(
                f"{path.name}: {len(result.errors)} bad lines, nothing imported (fix and rerun)"
            )
        self.stdout.write(
            f"{path.name}: {result.imported} mandates imported as proven; they draft from "
            "the next file"
        )

    def _draft(self, options: dict[str, Any]) -> None:
        draft_on: date = options["date"]
        out: Path = options["out"]
        if out.exists():
            raise CommandError(f"{out} exists: choose a new file name")
        rehearsal = options["dry_run"]
        with dry_run(rehearsal), transaction.atomic():
            run = make_draft_file(
                draft_on=draft_on,
                created_at=timezone.localtime(),
                holidays=fed_holidays(draft_on.year),
            )
            if rehearsal:
                self.stdout.write(dry_run_heading(True))
            if run.file is None:
                self.stdout.write(
                    f"Nothing to draft for {draft_on}: no prenote pending, no account due"
                )
                return
            if rehearsal:
                for entry in run.file.entries.select_related("account").order_by("id"):  # type: ignore[attr-defined]
                    kind = "prenote" if entry.prenote else f"debit ${entry.amount}"
                    self.stdout.write(f"  {entry.account.number}: {kind}")
            else:
                partial = out.with_name(f".{out.name}.partial")
                partial.write_text(run.file.text, encoding="ascii")
                os.replace(partial, out)
        target = f"would go to {out} (not written)" if rehearsal else f"-> {out}"
        self.stdout.write(
            f"ACH file {run.file.pk} for the draft of {draft_on}: effective "
            f"{run.schedule.effective_on}, send by {run.schedule.send_on}; {run.prenotes} "
            f"prenotes, {run.debits} debits, ${_dollars(run.file.total_cents)} {target} "
            f"(sha256 {run.file.sha256[:12]})"
        )

    def _sent(self, options: dict[str, Any]) -> None:
        ach_file = AchFile.objects.get(pk=options["file_id"])
        mark_file_sent(ach_file=ach_file, sent_at=timezone.now())
        self.stdout.write(f"ACH file {ach_file.pk} marked sent")

    def _returns(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no file {path}")
        try:
            text = path.read_text(encoding="ascii")
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not an ACH text file") from None
        result = import_returns(
            text=text, name=path.name, imported_on=options["on"] or timezone.localdate()
        )
        for line in result.lines:
            self.stdout.write(f"  {line}")
        if result.created:
            self.stdout.write(f"{path.name}: {result.summary()}")
        else:
            self.stdout.write(f"{path.name}: already imported, nothing posted")

    def _returned_check(self, options: dict[str, Any]) -> None:
        payment = Payment.objects.get(pk=options["payment_id"])
        done = return_check(payment=payment, on=options["on"], reason=options["reason"])
        self.stdout.write(f"Returned check on account {payment.account.number}: {'; '.join(done)}")

    def _late_fees(self, options: dict[str, Any]) -> None:
        with dry_run(options["dry_run"]):
            fees = charge_late_fees(as_of=options["as_of"])
        if options["dry_run"] and not options["json"]:
            self.stdout.write(dry_run_heading(True))
        if options["json"]:
            rows = [
                {
                    "account": fee.account_number,
                    "past_due": str(fee.past_due),
                    "fee": str(fee.fee),
                    "charged": fee.charged,
                }
                for fee in fees
            ]
            self.stdout.write(json.dumps(rows, indent=2))
            return
        charged = [fee for fee in fees if fee.charged]
        for fee in charged:
            self.stdout.write(f"  {fee.account_number}: ${fee.fee} on ${fee.past_due} past due")
        total = sum((fee.fee for fee in charged), start=Money.zero().amount)
        self.stdout.write(
            f"Late fees as of {options['as_of']}: {len(charged)} charged, ${total}; "
            f"{len(fees) - len(charged)} already charged this month"
        )
