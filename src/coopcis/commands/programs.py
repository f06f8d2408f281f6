"""``coopcis rebates`` and ``coopcis loans``: the programs' catalog and quotes, pure.

``coopcis rebates list [--json]`` lists the efficiency rebate measures in force;
``coopcis rebates quote MEASURE --cost X [--quantity N] [--size S] [--json]`` prints the
rebate (``{"measure", "rebate"}``). ``coopcis loans quote --amount A [--months N]
[--aid X] [--json]`` prints an aid-to-construction loan's terms (``{"months", "payment",
"final_payment", "total_interest", "approval"}``). Neither needs the database. Amounts are
read by the one money parser (``coopcis.core.money.parse_amount``); errors are one line on
stderr and exit 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import NoReturn

from coopcis.catalog.rebates import load_rebate_catalog
from coopcis.core.errors import RuleViolation
from coopcis.core.loans.terms import quote_loan
from coopcis.core.money import parse_amount, parse_decimal
from coopcis.core.periods import CO_OP_TIME_ZONE
from coopcis.core.rebates.measures import quote_rebate

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad command-line input: one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def _count(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a whole number of 1 or more, not {text!r}")
    return int(text)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _today() -> date:
    return datetime.now(CO_OP_TIME_ZONE).date()


def _rebates_parser() -> _Parser:
    parser = _Parser(
        prog="coopcis rebates",
        description="Energy-efficiency rebate measures. Claims need the database: coopcis "
        "rebates claim|inspect|approve|deny|claims|budget|report --help.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    listing = sub.add_parser("list", help="the measures in force: code, description, rule")
    listing.add_argument("--on", type=_day, help="YYYY-MM-DD (default: today)")
    listing.add_argument("--json", action="store_true")
    quote = sub.add_parser("quote", help="the rebate for a purchase")
    quote.add_argument("measure")
    quote.add_argument("--cost", required=True, help="what the member paid, e.g. 1250.00")
    quote.add_argument("--quantity", type=_count, default=None, help="units or rooms")
    quote.add_argument("--size", help="for measures rebated by size (e.g. cu ft)")
    quote.add_argument("--on", type=_day, help="YYYY-MM-DD (default: today)")
    quote.add_argument("--json", action="store_true")
    return parser


def _profile() -> str:
    return os.environ.get("COOPCIS_PROFILE", "ocec")


def _rebates(args: argparse.Namespace) -> None:
    catalog = load_rebate_catalog(_profile(), on=args.on or _today())
    if args.command == "list":
        rows = [
            {
                "code": m.code,
                "description": m.description,
                "category": m.category,
                "rule": m.rule_text(),
                "energy_star_proof": m.energy_star,
                "inspection": m.inspection,
            }
            for m in catalog.measures.values()
        ]
        if args.json:
            print(
                json.dumps(
                    {
                        "effective_from": catalog.effective_from.isoformat(),
                        "source": catalog.source,
                        "measures": rows,
                    },
                    indent=2,
                )
            )
            return
        width = max(len(code) for code in catalog.measures)
        for row in rows:
            proof = " (ENERGY STAR proof)" if row["energy_star_proof"] else ""
            print(f"{row['code']:<{width}}  {row['rule']:<28}  {row['description']}{proof}")
        return
    measure = catalog.measures.get(args.measure)
    if measure is None:
        raise RuleViolation(
            f"no measure {args.measure!r} (coopcis rebates list shows them)", field="measure"
        )
    cost = parse_amount(args.cost, field="--cost").amount
    size = (
        parse_decimal(args.size, field="--size", places=2, largest=Decimal(100000))
        if args.size is not None
        else None
    )
    rebate = quote_rebate(measure, cost=cost, quantity=args.quantity or 1, size=size)
    if args.json:
        print(json.dumps({"measure": measure.code, "rebate": str(rebate)}))
    else:
        print(f"{measure.description}: rebate ${rebate:,} ({measure.rule_text()})")


def _loans_parser() -> _Parser:
    parser = _Parser(
        prog="coopcis loans",
        description="Aid-to-construction loans. The loan's steps need the database: coopcis "
        "loans apply|approve|disburse|payoff-quote|payoff|schedule --help.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    quote = sub.add_parser("quote", help="a loan's term, payments and who approves it")
    quote.add_argument("--amount", required=True, help="the loan, e.g. 10000.00")
    quote.add_argument("--months", type=_count, help="a shorter term than the longest allowed")
    quote.add_argument("--aid", help="the aid-to-construction (the loan is at most 80% of it)")
    quote.add_argument("--json", action="store_true")
    return parser


def _loans(args: argparse.Namespace) -> None:
    amount = parse_amount(args.amount, field="--amount").amount
    aid = parse_amount(args.aid, field="--aid").amount if args.aid is not None else None
    quote = quote_loan(amount, months=args.months, aid=aid)
    if args.json:
        print(json.dumps({k: v for k, v in quote.as_json().items() if k != "amount"}))
        return
    approval = "the board" if quote.approval == "board" else "the general manager"
    print(
        f"${quote.amount:,} over {quote.months} months: {quote.months - 1} payments of "
        f"${quote.payment:,} and a final payment of ${quote.final_payment:,}; interest "
        f"${quote.total_interest:,}; approved by {approval}"
    )


def _main(parser: _Parser, run: Callable[[argparse.Namespace], None], argv: list[str]) -> int:
    try:
        args = parser.parse_args(argv)
        run(args)
        return 0
    except SystemExit as exit_:  # --help
        return exit_.code if isinstance(exit_.code, int) else 0
    except UsageError as error:
        message = str(error)
    except RuleViolation as error:
        message = f"{parser.prog}: {error}"
    print(" ".join(message.split("\n")), file=sys.stderr)
    return EXIT_USAGE


def rebates_main(argv: list[str]) -> int:
    return _main(_rebates_parser(), _rebates, argv)


def loans_main(argv: list[str]) -> int:
    return _main(_loans_parser(), _loans, argv)
