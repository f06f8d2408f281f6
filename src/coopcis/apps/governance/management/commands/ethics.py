"""``coopcis ethics``: the code of ethics (seed 000): disclosures, confidential reports,
district member lists for candidates and incumbents, the board's access-log review."""

from __future__ import annotations

import json
import sys
from datetime import datetime, time, timedelta
from typing import Any

from django.core.management.base import CommandParser

from coopcis.apps.governance import ethics
from coopcis.apps.governance.management.commands import _args
from coopcis.core import spreadsheet
from coopcis.core.periods import CO_OP_TIME_ZONE
from coopcis.site.commands import CoopCommand
from coopcis.site.jobs import parse_day, today


class Command(CoopCommand):
    help = (
        "The code of ethics. disclose: a conflict-of-interest statement (yearly, or for one "
        "decision, with a recusal); report: a suspected violation, kept confidential; "
        "member-list: names and addresses of a district's members for a candidate or "
        "incumbent, logged; access-summary: who read member data, for the board."
    )

    read_only_actions = frozenset({"access-summary"})

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        disclose = sub.add_parser("disclose", help="a conflict-of-interest disclosure")
        who = disclose.add_mutually_exclusive_group(required=True)
        who.add_argument("--membership", default="")
        who.add_argument("--employee", default="")
        disclose.add_argument("--kind", choices=["annual", "decision"], required=True)
        disclose.add_argument("--year", type=int, required=True)
        disclose.add_argument("--interests", required=True)
        disclose.add_argument("--competing-business", default="")
        disclose.add_argument("--decision", default="")
        disclose.add_argument("--board-meeting", type=int)
        disclose.add_argument("--recused", action="store_true")
        disclose.add_argument("--signed-on", type=parse_day, required=True)

        report = sub.add_parser("report", help="report a suspected violation")
        report.add_argument("--subject", required=True)
        report.add_argument("--text", required=True)
        report.add_argument("--standard", default="", help="A-F of the standards of conduct")

        listing = sub.add_parser("member-list", help="a district's member names and addresses")
        listing.add_argument("--district", type=_args.district, required=True)
        listing.add_argument("--for", dest="for_number", required=True, metavar="MEMBERSHIP_NUMBER")
        listing.add_argument("--out", default="-", help="CSV file ('-' for stdout)")

        summary = sub.add_parser("access-summary", help="who read member data, for the board")
        summary.add_argument("--from", dest="since", type=parse_day, required=True)
        summary.add_argument(
            "--to", dest="until", type=parse_day, required=True, help="the latest day included"
        )

    def run(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"].replace("-", "_"))(options)

    def _disclose(self, options: dict[str, Any]) -> None:
        disclosure = ethics.disclose(
            kind=options["kind"].upper(),
            year=options["year"],
            interests=options["interests"],
            signed_on=options["signed_on"],
            membership_number=options["membership"],
            employee=options["employee"],
            competing_business=options["competing_business"],
            decision=options["decision"],
            board_meeting_id=options["board_meeting"],
            recused=options["recused"],
        )
        self.stdout.write(f"disclosure {disclosure.pk} by {disclosure.person_name} recorded")

    def _report(self, options: dict[str, Any]) -> None:
        report = ethics.report_violation(
            subject=options["subject"],
            text=options["text"],
            standard=options["standard"],
            received_on=today(),
        )
        self.stdout.write(f"report {report.pk} received; it is kept confidential")

    def _member_list(self, options: dict[str, Any]) -> None:
        request, rows = ethics.district_member_list(
            district=options["district"], for_number=options["for_number"], on=today()
        )
        if options["out"] == "-":
            writer = spreadsheet.writer(sys.stdout)
            writer.writerow(["name", "address"])
            writer.writerows(rows)
            return
        with open(options["out"], "w", newline="", encoding="utf-8") as handle:
            writer = spreadsheet.writer(handle)
            writer.writerow(["name", "address"])
            writer.writerows(rows)
        self.stdout.write(
            f"{len(rows):,} members of {request.district} for {request.for_name} "
            f"({request.role.lower()}) written to {options['out']}; request logged"
        )

    def _access_summary(self, options: dict[str, Any]) -> None:
        since = datetime.combine(options["since"], time.min, tzinfo=CO_OP_TIME_ZONE)
        until = datetime.combine(
            options["until"] + timedelta(days=1), time.min, tzinfo=CO_OP_TIME_ZONE
        )
        self.stdout.write(json.dumps(ethics.access_summary(since=since, until=until), indent=2))
