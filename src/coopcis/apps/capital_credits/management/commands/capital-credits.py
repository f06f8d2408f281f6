"""``coopcis capital-credits``: patronage, allocation, retirement, estates, assignments,
unclaimed checks and the dissolution report (bylaws art. VIII;
docs/domain/capital-credits.md).

Commands that post (``allocate``, ``retire``, ``estate``, ``assign``, ``claim``,
``gift-unclaimed``) take their date through :mod:`coopcis.site.jobs` (not after today)
and ``--dry-run`` where they post in bulk.
"""

from __future__ import annotations

import csv
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from coopcis.apps.audit.context import current_actor
from coopcis.apps.capital_credits import documents, queries
from coopcis.apps.capital_credits.allocate import AllocationResult, allocate_year
from coopcis.apps.capital_credits.assignments import assign_credits
from coopcis.apps.capital_credits.distributed import ACCOUNTS_PER_BATCH, allocate_on_workers
from coopcis.apps.capital_credits.estates import retire_estate
from coopcis.apps.capital_credits.models import Allocation, CapitalCredit, Payout, Retirement
from coopcis.apps.capital_credits.notices import email_notices
from coopcis.apps.capital_credits.params import OPERATING, rules
from coopcis.apps.capital_credits.patronage import year_patronage
from coopcis.apps.capital_credits.retire import Approval, BalanceSheet, retire_general
from coopcis.apps.capital_credits.unclaimed import claim_check, gift_unclaimed, unclaimed
from coopcis.apps.members.models import Account
from coopcis.apps.members.services import add_joint_member, record_joint_death
from coopcis.core.capital_credits.retirement import METHODS
from coopcis.site.commands import CoopCommand, amount
from coopcis.site.jobs import (
    add_daily_job_options,
    add_date_option,
    add_dry_run_option,
    dry_run,
    dry_run_heading,
    dry_run_mark,
    job_progress,
    parse_day,
    refuse_dry_run_on_workers,
    today,
)


def _account(number: str) -> Account:
    found = Account.objects.select_related("party").filter(number=number).first()
    if found is None:
        raise CommandError(f"no account {number}")
    return found


def _year(text: str) -> int:
    if not text.isascii() or not text.isdigit() or not 1900 <= int(text) <= 2999:
        raise ValueError(text)
    return int(text)


class Command(CoopCommand):
    help = (
        "Capital credits (bylaws art. VIII): a year's patronage, its allocation to patrons, "
        "general and estate retirements, assignments, unclaimed checks, dissolution."
    )
    read_only_actions = frozenset(
        {"patronage", "history", "register", "notice", "unclaimed", "dissolution"}
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        pat = sub.add_parser("patronage", help="each patron's patronage in a fiscal year")
        pat.add_argument("--year", type=_year, required=True)
        pat.add_argument("--json", action="store_true")

        alloc = sub.add_parser(
            "allocate",
            help="allocate a year's margins over its patronage",
            description="Split a fiscal year's margins over each patron's patronage to the "
            "cent (largest remainder), post them to patronage capital (Dr 201.2, Cr 201.1) and "
            "notice every patron. A year and pool is allocated once.",
        )
        alloc.add_argument("--year", type=_year, required=True)
        alloc.add_argument("--margins", type=amount, required=True)
        alloc.add_argument("--pool", default=OPERATING, help="operating, or a G&T's pool")
        add_date_option(alloc, "--on", help="the allocation's date (default today)", required=False)
        add_dry_run_option(alloc)
        alloc.add_argument("--json", action="store_true")
        alloc.add_argument(
            "--workers",
            action="store_true",
            help="sum the patronage in batches on `coopcis worker` processes (PostgreSQL and "
            "COOPCIS_BROKER_URL); the margins are still split once over all patrons",
        )
        alloc.add_argument(
            "--batch-size",
            type=int,
            default=ACCOUNTS_PER_BATCH,
            help="accounts per batch with --workers",
        )

        send = sub.add_parser(
            "send-notices",
            help="email the allocation notices to paperless members",
            description="Email each paperless member their capital credit for the year through "
            "the notify app (once per year, pool and account: running it again sends nothing "
            "twice); a member it cannot reach is noticed by letter instead.",
        )
        send.add_argument("--year", type=_year, required=True)
        send.add_argument("--pool", default=OPERATING)
        add_dry_run_option(send)

        ret = sub.add_parser("retire", help="a general retirement the board approved")
        ret.add_argument("--approved", type=amount, required=True, help="the board's approval")
        ret.add_argument("--amount", type=amount, help="retire this much now (default: all)")
        ret.add_argument("--method", choices=METHODS, help="default: the profile's")
        ret.add_argument("--pool", default=OPERATING)
        ret.add_argument("--gt-cash", type=amount, help="cash the G&T paid (its pool only)")
        ret.add_argument("--resolution", required=True, help="the board's resolution")
        ret.add_argument("--approved-on", type=parse_day, required=True, metavar="YYYY-MM-DD")
        add_date_option(ret, "--on", help="the retirement's date (default today)", required=False)
        ret.add_argument("--equity", type=amount, help="the balance sheet's equity before")
        ret.add_argument("--assets", type=amount, help="the balance sheet's total assets before")
        ret.add_argument("--first-check", type=int, help="first check number")
        ret.add_argument("--register", help="write the check register (.csv or .pdf)")
        add_dry_run_option(ret)
        ret.add_argument("--json", action="store_true")

        est = sub.add_parser("estate", help="retire a deceased patron's credits early")
        est.add_argument("account")
        add_date_option(est, "--on", help="the retirement's date (default today)", required=False)
        est.add_argument("--resolution", default="", help="the request and its authority")
        est.add_argument(
            "--deceased", help="a joint membership: the holder who died (profile joint_estate)"
        )

        joint = sub.add_parser(
            "joint",
            help="a membership's joint members, and a joint member's death",
            description="List the people holding an account's membership jointly; --add one, "
            "or record one's --died (with --on). The membership's own holder's death is "
            "recorded on the membership.",
        )
        joint.add_argument("account")
        action = joint.add_mutually_exclusive_group()
        action.add_argument("--add", metavar="NAME", help="a joint member to record")
        action.add_argument("--died", metavar="NAME", help="a joint member who died")
        add_date_option(joint, "--on", help="the day the joint member died", required=False)
        joint.add_argument("--json", action="store_true")
        add_dry_run_option(est)
        est.add_argument("--json", action="store_true")

        asg = sub.add_parser("assign", help="assign credits to a successor at the premises")
        asg.add_argument("account")
        asg.add_argument("--to", required=True)
        asg.add_argument("--successor", choices=["interest", "occupancy"], required=True)
        asg.add_argument("--instructions", required=True, help="the written instructions")
        add_date_option(asg, "--received-on", help="the day the instructions came")

        gift = sub.add_parser("gift-unclaimed", help="the daily job: unclaimed checks to gifts")
        add_daily_job_options(gift, "--as-of", help="the day the job runs for")

        claim = sub.add_parser("claim", help="a patron claimed (cashed) a retirement check")
        claim.add_argument("check", type=int)
        add_date_option(claim, "--on", help="the day it was claimed")

        unc = sub.add_parser("unclaimed", help="checks mailed and not yet claimed")
        unc.add_argument("--search", default="")
        unc.add_argument("--json", action="store_true")

        hist = sub.add_parser("history", help="an account's capital credits")
        hist.add_argument("account")
        hist.add_argument("--json", action="store_true")

        reg = sub.add_parser("register", help="a retirement's check register")
        reg.add_argument("retirement", type=int)
        reg.add_argument("--out", required=True, help=".csv or .pdf ('-': CSV to stdout)")

        notice = sub.add_parser("notice", help="write a patron's allocation notice PDF")
        notice.add_argument("account")
        notice.add_argument("--year", type=_year, required=True)
        notice.add_argument("--pool", default=OPERATING)
        notice.add_argument("--out", required=True)

        dis = sub.add_parser("dissolution", help="pro-rata retirement of all credits")
        dis.add_argument("--available", type=amount, help="what is left after all debts")
        dis.add_argument("--json", action="store_true")
        dis.add_argument("--out", help="CSV file")

    def run(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"].replace("-", "_"))(options)

    def _print_json(self, data: object, options: dict[str, Any]) -> None:
        if isinstance(data, dict):
            data = data | dry_run_mark(options.get("dry_run", False))
        self.stdout.write(json.dumps(data, indent=2))

    def _patronage(self, options: dict[str, Any]) -> None:
        found = year_patronage(options["year"])
        numbers = dict(Account.objects.filter(pk__in=found).values_list("id", "number"))
        rows = sorted((numbers[pk], value) for pk, value in found.items())
        if options["json"]:
            self._print_json(
                {
                    "year": options["year"],
                    "basis": rules().basis.lower(),
                    "patrons": [{"account": n, "patronage": str(v)} for n, v in rows],
                },
                options,
            )
            return
        total = sum((v for _, v in rows), Decimal(0))
        self.stdout.write(f"{options['year']}: {len(rows):,} patrons, patronage {total:,}")

    def _allocate(self, options: dict[str, Any]) -> None:
        if options["workers"]:
            result = self._allocate_on_workers(options)
        else:
            with dry_run(options["dry_run"]):
                result = allocate_year(
                    year=options["year"],
                    margins=options["margins"],
                    pool=options["pool"],
                    on=options["on"] or today(),
                )
        if options["json"]:
            self._print_json(result.as_json(), options)
            return
        if options["dry_run"]:
            self.stdout.write(dry_run_heading(True))
        emails = sum(1 for p in result.patrons if p.notice_method == "EMAIL")
        self.stdout.write(
            f"allocated {result.allocation.margins_amount:,.2f} of {result.allocation.year} "
            f"({result.allocation.pool}) to {len(result.patrons):,} patrons; notices: "
            f"{len(result.patrons) - emails:,} by mail, {emails:,} by email (send them with "
            "`coopcis capital-credits send-notices`)"
        )

    def _allocate_on_workers(self, options: dict[str, Any]) -> AllocationResult:
        refuse_dry_run_on_workers(options)
        with job_progress("patronage", unit="acct") as bar:
            return allocate_on_workers(
                year=options["year"],
                margins=options["margins"],
                pool=options["pool"],
                on=options["on"] or today(),
                batch_size=options["batch_size"],
                operator=current_actor().label,
                progress=bar.update,
                total=bar.total,
            )

    def _send_notices(self, options: dict[str, Any]) -> None:
        allocation = Allocation.objects.filter(year=options["year"], pool=options["pool"]).first()
        if allocation is None:
            raise CommandError(f"{options['year']} is not allocated for the {options['pool']} pool")
        with dry_run(options["dry_run"]):
            sent = email_notices(allocation)
        if options["dry_run"]:
            self.stdout.write(dry_run_heading(True))
        self.stdout.write(
            f"{sent:,} capital-credit notices for {allocation.year} ({allocation.pool}) by email"
        )

    def _retire(self, options: dict[str, Any]) -> None:
        sheet = None
        if (options["equity"] is None) != (options["assets"] is None):
            raise CommandError("give both --equity and --assets, or neither")
        if options["equity"] is not None:
            sheet = BalanceSheet(options["equity"], options["assets"])
        with dry_run(options["dry_run"]):
            result = retire_general(
                approval=Approval(
                    options["approved"], options["approved_on"], options["resolution"]
                ),
                amount=options["amount"],
                method=options["method"],
                pool=options["pool"],
                on=options["on"] or today(),
                gt_cash=options["gt_cash"],
                sheet=sheet,
                first_check=options["first_check"],
            )
            if options["register"] and not options["dry_run"]:
                self._write_register(result.retirement, options["register"])
        for warning in result.warnings:
            sys.stderr.write(f"coopcis capital-credits: warning: {warning}\n")
        if options["json"]:
            self._print_json(result.as_json(), options)
            return
        if options["dry_run"]:
            self.stdout.write(dry_run_heading(True))
        data = result.as_json()
        self.stdout.write(
            f"retirement {data['retirement']}: retired {data['retired']} of {data['approved']} "
            f"approved ({data['method']}, {data['pool']}): checks {data['checks']}, bill "
            f"credits {data['bill_credits']}, carried forward {data['carried_forward']}, "
            f"{data['payouts']} payouts"
        )

    def _write_register(self, retirement: Retirement, out: str) -> None:
        if out == "-":
            sys.stdout.write(documents.register_csv(retirement))
        elif out.endswith(".pdf"):
            Path(out).write_bytes(documents.register_pdf(retirement))
        elif out.endswith(".csv"):
            Path(out).write_text(documents.register_csv(retirement), encoding="utf-8")
        else:
            raise CommandError(f"the register is a .csv or .pdf file: {out}")

    def _estate(self, options: dict[str, Any]) -> None:
        with dry_run(options["dry_run"]):
            result = retire_estate(
                account=_account(options["account"]),
                on=options["on"] or today(),
                resolution=options["resolution"],
                deceased=options["deceased"],
            )
        if options["json"]:
            self._print_json(result.as_json(), options)
            return
        if options["dry_run"]:
            self.stdout.write(dry_run_heading(True))
        data = result.as_json()
        self.stdout.write(
            f"estate of {options['account']}: face {data['face']}, present value "
            f"{data['present_value']}, debts deducted "
            f"{sum(result.debts.values(), Decimal(0)):.2f}, check {data['check']}"
        )

    def _joint(self, options: dict[str, Any]) -> None:
        account = _account(options["account"])
        membership = getattr(account.party, "membership", None)
        if membership is None:
            raise CommandError(f"account {options['account']} has no membership")
        if options["add"]:
            add_joint_member(membership=membership, name=options["add"])
        elif options["died"]:
            if options["on"] is None:
                raise CommandError("give the day the joint member died: --on YYYY-MM-DD")
            record_joint_death(membership=membership, name=options["died"], on=options["on"])
        holders = [
            {"name": membership.party.display_name, "died_on": (
                membership.ended_on.isoformat()
                if membership.status == "DECEASED" and membership.ended_on else None
            )},
            *[
                {"name": j.name, "died_on": j.died_on.isoformat() if j.died_on else None}
                for j in membership.joint_members.all()
            ],
        ]  # fmt: skip
        if options["json"]:
            self._print_json(
                {"membership": membership.number, "holders": holders, "rule": rules().joint_estate},
                options,
            )
            return
        for holder in holders:
            died = f"  died {holder['died_on']}" if holder["died_on"] else ""
            self.stdout.write(f"{holder['name']}{died}")

    def _assign(self, options: dict[str, Any]) -> None:
        done = assign_credits(
            from_account=_account(options["account"]),
            to_account=_account(options["to"]),
            successor=options["successor"].upper(),
            instructions=options["instructions"],
            received_on=options["received_on"],
        )
        self.stdout.write(
            f"assigned {done.amount:.2f} of capital credits from {options['account']} to "
            f"{options['to']} (successor in {options['successor']})"
        )

    def _gift_unclaimed(self, options: dict[str, Any]) -> None:
        with dry_run(options["dry_run"]):
            gifted = gift_unclaimed(as_of=options["as_of"])
            rows = [
                {"check": p.check_number, "account": p.account.number, "amount": f"{p.amount:.2f}"}
                for p in gifted
            ]
        total = sum((p.amount for p in gifted), Decimal(0))
        if options["json"]:
            self._print_json(
                {"as_of": options["as_of"].isoformat(), "gifts": rows, "total": f"{total:.2f}"},
                options,
            )
            return
        if options["dry_run"]:
            self.stdout.write(dry_run_heading(True))
        self.stdout.write(
            f"{len(rows)} unclaimed checks ({total:.2f}) became gifts to the educational and "
            "charitable fund"
        )

    def _claim(self, options: dict[str, Any]) -> None:
        payout = Payout.objects.filter(check_number=options["check"]).first()
        if payout is None:
            raise CommandError(f"no capital credit check {options['check']}")
        done = claim_check(payout=payout, on=options["on"])
        self.stdout.write(
            f"check {done.check_number} ({done.amount:.2f}) claimed on {done.claimed_on}"
        )

    def _unclaimed(self, options: dict[str, Any]) -> None:
        rows = [
            {
                "check": p.check_number,
                "account": p.account.number,
                "payee": p.payee,
                "amount": f"{p.amount:.2f}",
                "mailed_on": p.mailed_on.isoformat() if p.mailed_on else None,
            }
            for p in unclaimed(options["search"])
        ]
        if options["json"]:
            self._print_json(rows, options)
            return
        for row in rows:
            self.stdout.write(
                f"{row['check']:>8}  {row['account']:<10} {row['payee'][:40]:<40} "
                f"{row['amount']:>10}  mailed {row['mailed_on']}"
            )

    def _history(self, options: dict[str, Any]) -> None:
        found = queries.credit_history(_account(options["account"]))
        if options["json"]:
            self._print_json(
                {
                    "account": options["account"],
                    "allocated": f"{found['allocated']:.2f}",
                    "retired": f"{found['retired']:.2f}",
                    "open": f"{found['open']:.2f}",
                    "credits": [
                        {
                            "year": c.year,
                            "pool": c.pool,
                            "amount": f"{c.amount:.2f}",
                            "retired": f"{c.retired:.2f}",
                            "open": f"{c.open:.2f}",
                        }
                        for c in found["credits"]
                    ],
                },
                options,
            )
            return
        for c in found["credits"]:
            self.stdout.write(f"{c.year} {c.pool:<12} {c.amount:>10.2f} retired {c.retired:>10.2f}")
        self.stdout.write(f"open {found['open']:.2f}")

    def _register(self, options: dict[str, Any]) -> None:
        retirement = Retirement.objects.filter(pk=options["retirement"]).first()
        if retirement is None:
            raise CommandError(f"no retirement {options['retirement']}")
        self._write_register(retirement, options["out"])

    def _notice(self, options: dict[str, Any]) -> None:
        credit = (
            CapitalCredit.objects.select_related("allocation", "account__party")
            .filter(
                account__number=options["account"],
                allocation__year=options["year"],
                allocation__pool=options["pool"],
            )
            .first()
        )
        if credit is None:
            raise CommandError(
                f"account {options['account']} has no {options['year']} credit in {options['pool']}"
            )
        Path(options["out"]).write_bytes(documents.notice_pdf(credit))
        self.stdout.write(f"wrote {options['out']}")

    def _dissolution(self, options: dict[str, Any]) -> None:
        rows = queries.dissolution_report(options["available"])
        data = [
            {
                "account": r.account,
                "name": r.name,
                "outstanding": f"{r.outstanding:.2f}",
                "retired": f"{r.retired:.2f}",
            }
            for r in rows
        ]
        if options["out"]:
            with open(options["out"], "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(
                    handle, fieldnames=["account", "name", "outstanding", "retired"]
                )
                writer.writeheader()
                writer.writerows(data)
        outstanding = sum((r.outstanding for r in rows), Decimal(0))
        retired = sum((r.retired for r in rows), Decimal(0))
        if options["json"]:
            self._print_json(
                {"outstanding": f"{outstanding:.2f}", "retired": f"{retired:.2f}", "patrons": data},
                options,
            )
            return
        self.stdout.write(
            f"{len(rows):,} patrons: outstanding {outstanding:,.2f}, retired pro rata {retired:,.2f}"
        )
