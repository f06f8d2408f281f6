"""``coopcis board``: trustees, officers, board meetings and attendance, removal and
vacancies (bylaws art. IV-VI)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser

from coopcis.apps.governance import board
from coopcis.apps.governance.management.commands import _args
from coopcis.apps.governance.models import Office
from coopcis.site.commands import CoopCommand
from coopcis.site.jobs import parse_day


class Command(CoopCommand):
    help = (
        "The board of trustees (bylaws art. IV-VI). list; seat: record a sitting trustee; "
        "officers: the yearly election; meeting: a regular or special board meeting (5 days' "
        "notice); attendance: mark who was present (3 consecutive unexcused absences flag a "
        "trustee for removal); remove: remove a flagged trustee; fill: fill a vacancy for the "
        "rest of the term; charges / decide: members' charges with a 10%% petition."
    )

    read_only_actions = frozenset({"list"})

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="the sitting board and its officers")
        listing.add_argument("--json", action="store_true")

        seat = sub.add_parser("seat", help="record a sitting trustee")
        seat.add_argument("membership")
        seat.add_argument("--district", type=_args.district, required=True)
        seat.add_argument("--term-ends", type=int, required=True, metavar="YEAR")
        seat.add_argument("--since", type=parse_day, required=True, metavar="YYYY-MM-DD")

        officers = sub.add_parser("officers", help="elect the officers (yearly)")
        officers.add_argument("--on", type=parse_day, required=True, metavar="YYYY-MM-DD")
        for office in Office:
            officers.add_argument(
                f"--{office.value.lower().replace('_', '-')}",
                required=True,
                metavar="MEMBERSHIP_NUMBER",
                dest=office.value,
            )

        meeting = sub.add_parser("meeting", help="a board meeting")
        meeting.add_argument("--date", type=parse_day, required=True, metavar="YYYY-MM-DD")
        meeting.add_argument("--kind", choices=["regular", "special"], required=True)
        meeting.add_argument("--notice-on", type=parse_day, metavar="YYYY-MM-DD")
        meeting.add_argument("--purpose", default="")

        attendance = sub.add_parser("attendance", help="who was at a board meeting")
        attendance.add_argument("board_meeting", type=int)
        attendance.add_argument("--present", type=_args.numbers, default=[])
        attendance.add_argument("--excused", type=_args.numbers, default=[])
        attendance.add_argument("--json", action="store_true")

        remove = sub.add_parser("remove", help="remove a trustee flagged for absences")
        remove.add_argument("membership")
        remove.add_argument("--board-meeting", type=int, required=True)
        remove.add_argument("--on", type=parse_day, required=True, metavar="YYYY-MM-DD")

        fill = sub.add_parser("fill", help="fill a vacancy for the rest of the term")
        fill.add_argument("membership")
        fill.add_argument("--district", type=_args.district, required=True)
        fill.add_argument("--on", type=parse_day, required=True, metavar="YYYY-MM-DD")

        charges = sub.add_parser("charges", help="members' charges against a trustee or officer")
        charges.add_argument("membership")
        charges.add_argument("--meeting", type=_args.meeting_id, required=True)
        charges.add_argument("--charges", required=True)
        charges.add_argument("--signers", type=_args.numbers, required=True)
        charges.add_argument("--filed-on", type=parse_day, required=True)
        charges.add_argument("--informed-on", type=parse_day, required=True)
        charges.add_argument("--office", choices=[o.value.lower() for o in Office])

        decide = sub.add_parser("decide", help="the hearing and the members' vote on charges")
        decide.add_argument("case", type=int)
        decide.add_argument("--hearing", required=True)
        decide.add_argument("--for", dest="votes_for", type=_args.count, required=True)
        decide.add_argument("--against", type=_args.count, required=True)

    def run(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"])(options)

    def _list(self, options: dict[str, Any]) -> None:
        holders = {t.pk: office for office, t in board.officers().items()}
        rows = [
            {
                "membership": t.membership.number,
                "name": t.name,
                "district": t.district,
                "term_ends": t.term_ends_year,
                "appointed": t.appointed,
                "office": holders.get(t.pk, ""),
                "flagged_for_removal": t.flagged_for_removal,
            }
            for t in board.sitting()
        ]
        if options["json"]:
            self.stdout.write(json.dumps({"trustees": rows}))
            return
        for row in rows:
            flag = "  FLAGGED: 3 unexcused absences" if row["flagged_for_removal"] else ""
            self.stdout.write(
                f"{row['district']} {row['membership']:>8} {row['name']:<30} "
                f"to {row['term_ends']} {row['office']}{flag}"
            )

    def _seat(self, options: dict[str, Any]) -> None:
        trustee = board.seat_trustee(
            number=options["membership"],
            district=options["district"],
            term_ends_year=options["term_ends"],
            started_on=options["since"],
        )
        self.stdout.write(
            f"{trustee.name}: trustee for {trustee.district} to {trustee.term_ends_year}"
        )

    def _officers(self, options: dict[str, Any]) -> None:
        terms = board.elect_officers(
            on=options["on"], offices={o.value: options[o.value] for o in Office}
        )
        self.stdout.write("; ".join(f"{t.get_office_display()}: {t.trustee.name}" for t in terms))

    def _meeting(self, options: dict[str, Any]) -> None:
        meeting = board.call_board_meeting(
            on=options["date"],
            kind=options["kind"].upper(),
            notice_given_on=options["notice_on"],
            purpose=options["purpose"],
        )
        self.stdout.write(str(meeting.pk))

    def _attendance(self, options: dict[str, Any]) -> None:
        has_quorum, flagged = board.record_attendance(
            board_meeting_id=options["board_meeting"],
            present=options["present"],
            excused=options["excused"],
        )
        numbers = [t.membership.number for t in flagged]
        if options["json"]:
            self.stdout.write(
                json.dumps({"has_quorum": has_quorum, "flagged_for_removal": numbers})
            )
            return
        self.stdout.write(
            f"{'quorum' if has_quorum else 'no quorum'}; flagged for removal: "
            f"{', '.join(numbers) or 'none'}"
        )

    def _remove(self, options: dict[str, Any]) -> None:
        trustee = board.remove_for_absences(
            number=options["membership"],
            on=options["on"],
            board_meeting_id=options["board_meeting"],
        )
        self.stdout.write(f"{trustee.name} removed; {trustee.district} has a vacancy")

    def _fill(self, options: dict[str, Any]) -> None:
        trustee = board.fill_vacancy(
            district=options["district"], number=options["membership"], on=options["on"]
        )
        self.stdout.write(
            f"{trustee.name} appointed for {trustee.district} to {trustee.term_ends_year}"
        )

    def _charges(self, options: dict[str, Any]) -> None:
        case = board.bring_charges(
            number=options["membership"],
            meeting_id=options["meeting"],
            charges=options["charges"],
            signers=options["signers"],
            filed_on=options["filed_on"],
            informed_on=options["informed_on"],
            office=(options["office"] or "").upper(),
        )
        self.stdout.write(
            f"charges {case.pk}: {case.valid_signatures} valid signatures "
            f"of {case.required_signatures} needed"
        )

    def _decide(self, options: dict[str, Any]) -> None:
        case = board.decide_charges(
            case_id=options["case"],
            hearing=options["hearing"],
            votes_for=options["votes_for"],
            votes_against=options["against"],
        )
        self.stdout.write("removed" if case.removed else "not removed")
