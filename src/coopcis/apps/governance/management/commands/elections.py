"""``coopcis elections petition|vote|tally|coin-toss|certify``: trustees elected by district
(bylaws art. IV sec. 2-3)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser

from coopcis.apps.governance import services
from coopcis.apps.governance.management.commands import _args
from coopcis.site.commands import CoopCommand
from coopcis.site.jobs import add_date_option, parse_day


class Command(CoopCommand):
    help = (
        "Trustee elections (bylaws art. IV). petition: record a nominating petition, valid or "
        "not, with its problems; vote: a member present casts the ballot of their district; "
        "tally: the count by district; coin-toss: settle a tie; certify: freeze the result "
        "with the minutes and seat the elected."
    )

    read_only_actions = frozenset({"tally"})

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        petition = sub.add_parser("petition", help="record a nominating petition")
        petition.add_argument("meeting", type=_args.meeting_id)
        petition.add_argument("--district", type=_args.district, required=True)
        petition.add_argument("--candidate", required=True, metavar="MEMBERSHIP_NUMBER")
        petition.add_argument("--signers", type=_args.numbers, required=True, metavar="N,N,...")
        petition.add_argument("--filed-on", type=parse_day, required=True, metavar="YYYY-MM-DD")
        petition.add_argument("--json", action="store_true")

        vote = sub.add_parser("vote", help="a member present casts their district's ballot")
        vote.add_argument("meeting", type=_args.meeting_id)
        vote.add_argument("membership")
        vote.add_argument(
            "--for", dest="choices", type=_args.numbers, required=True, metavar="N[,N]"
        )

        tally = sub.add_parser("tally", help="the count by district")
        tally.add_argument("meeting", type=_args.meeting_id)
        tally.add_argument("--json", action="store_true")

        toss = sub.add_parser("coin-toss", help="settle a tie by the toss of a coin")
        toss.add_argument("meeting", type=_args.meeting_id)
        toss.add_argument("--district", type=_args.district, required=True)
        toss.add_argument("--winner", required=True, metavar="MEMBERSHIP_NUMBER")
        toss.add_argument("--called-by", required=True, help="who called the toss")
        toss.add_argument("--call", choices=["heads", "tails"], default="")
        toss.add_argument("--result", choices=["heads", "tails"], default="")
        toss.add_argument(
            "--chair", default="", help="who set the toss's rules (not a tied candidate)"
        )
        toss.add_argument("--rules", default="", help="the rules the chair set")

        certify = sub.add_parser("certify", help="certify the result, kept with the minutes")
        certify.add_argument("meeting", type=_args.meeting_id)
        add_date_option(certify, "--on", help="the day of certification", required=False)
        certify.add_argument("--json", action="store_true")

    def run(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"].replace("-", "_"))(options)

    def _petition(self, options: dict[str, Any]) -> None:
        petition = services.file_petition(
            meeting_id=options["meeting"],
            district=options["district"],
            candidate_number=options["candidate"],
            signers=options["signers"],
            filed_on=options["filed_on"],
        )
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "petition": petition.pk,
                        "valid": petition.valid,
                        "valid_signatures": petition.valid_signatures,
                        "problems": petition.problems,
                        "struck": [{"membership": n, "reason": r} for n, r in petition.struck],
                        "eligibility": petition.eligibility,
                    }
                )
            )
            return
        verdict = "valid" if petition.valid else "INVALID (candidate kept off the ballot)"
        self.stdout.write(
            f"petition {petition.pk} for {petition.candidate_number} in {petition.district}: "
            f"{verdict}, {petition.valid_signatures} valid signatures"
        )
        for problem in petition.problems:
            self.stdout.write(f"  - {problem}")

    def _vote(self, options: dict[str, Any]) -> None:
        ballot = services.cast_vote(
            meeting_id=options["meeting"],
            number=options["membership"],
            choices=options["choices"],
        )
        self.stdout.write(f"ballot cast in {ballot.district} by {options['membership']}")

    def _tally(self, options: dict[str, Any]) -> None:
        counted = services.tally(services.find_meeting(options["meeting"]))
        if options["json"]:
            self.stdout.write(json.dumps(counted))
            return
        for district, result in counted["districts"].items():
            self.stdout.write(f"{district} ({result['seats']} seat(s)):")
            for row in result["results"]:
                mark = (
                    "elected"
                    if row["candidate"] in result["elected"]
                    else ("TIED" if row["candidate"] in result["tied"] else "")
                )
                self.stdout.write(
                    f"  {row['candidate']:>8} {row['name']:<30} {row['votes']:>6} {mark}"
                )

    def _coin_toss(self, options: dict[str, Any]) -> None:
        toss = services.record_coin_toss(
            meeting_id=options["meeting"],
            district=options["district"],
            winner=options["winner"],
            called_by=options["called_by"],
            call=options["call"],
            result=options["result"],
            chair=options["chair"],
            toss_rules=options["rules"],
        )
        self.stdout.write(f"coin toss in {toss.district}: {toss.winner} takes the seat")

    def _certify(self, options: dict[str, Any]) -> None:
        from coopcis.site.jobs import today

        meeting = services.certify(meeting_id=options["meeting"], on=options["on"] or today())
        if options["json"]:
            self.stdout.write(json.dumps(meeting.certified_results))
            return
        self.stdout.write(f"meeting {meeting.pk} certified by {meeting.certified_by}")
