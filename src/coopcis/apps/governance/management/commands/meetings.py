"""``coopcis meetings create|check-in|quorum|notice|question|adjourn|show``: members'
meetings by the bylaws (art. III)."""

from __future__ import annotations

import json
from datetime import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from coopcis.apps.governance import notices, services
from coopcis.apps.governance.management.commands import _args
from coopcis.apps.governance.models import CalledBy
from coopcis.site.commands import CoopCommand
from coopcis.site.jobs import (
    add_date_option,
    add_dry_run_option,
    dry_run,
    dry_run_heading,
    dry_run_mark,
    parse_day,
)


def _time(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        import argparse

        raise argparse.ArgumentTypeError(f"not a time (HH:MM): {text!r}") from None


class Command(CoopCommand):
    help = (
        "Meetings of the members (bylaws art. III). create: the annual meeting (in the "
        "bylaws' month) or a special one, with the trustee seats up by district; check-in: a "
        "member present in person, once per membership; quorum: 2%% of the members of record "
        "present; notice: the written notice, mailed 10 to 25 days before (PDF letters, and "
        "email to members with an address); question: a vote on another question; adjourn."
    )

    read_only_actions = frozenset({"quorum", "show"})

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="call a members' meeting")
        create.add_argument("--date", type=parse_day, required=True, metavar="YYYY-MM-DD")
        create.add_argument("--kind", choices=["annual", "special"], required=True)
        create.add_argument(
            "--seats",
            type=_args.seats,
            help="trustee seats up by district, e.g. NW=1,SE=2 (default for an annual meeting: "
            "the terms ending that year)",
        )
        create.add_argument("--place", default="")
        create.add_argument("--time", type=_time, help="HH:MM (default 18:00)")
        create.add_argument(
            "--called-by",
            choices=["board", "three_trustees", "president", "petition"],
            help="who calls a special meeting (art. III sec. 2; default board)",
        )
        create.add_argument(
            "--callers",
            type=_args.numbers,
            default=[],
            help="membership numbers of the three trustees or the petitioners",
        )
        create.add_argument("--purpose", default="")
        create.add_argument("--json", action="store_true")

        check_in = sub.add_parser("check-in", help="register a member present in person")
        check_in.add_argument("meeting", type=_args.meeting_id)
        check_in.add_argument("membership")

        quorum = sub.add_parser("quorum", help="members of record, present, required")
        quorum.add_argument("meeting", type=_args.meeting_id)
        quorum.add_argument("--json", action="store_true")

        notice = sub.add_parser("notice", help="print and email the meeting's written notice")
        notice.add_argument("meeting", type=_args.meeting_id)
        add_date_option(notice, "--mailed-on", help="the day the notice is mailed")
        notice.add_argument("--out", required=True, help="folder for the PDF letters")
        notice.add_argument(
            "--skip-email", action="store_true", help="print letters only (email none)"
        )
        notice.add_argument(
            "--resend",
            action="store_true",
            help="mail and send an already mailed notice to every member again (recorded "
            "in the minutes as a re-send; without it a second notice is refused)",
        )
        add_dry_run_option(notice)
        notice.add_argument("--json", action="store_true")

        question = sub.add_parser("question", help="record a vote on a question")
        question.add_argument("meeting", type=_args.meeting_id)
        question.add_argument("--text", required=True)
        question.add_argument("--for", dest="votes_for", type=_args.count, required=True)
        question.add_argument("--against", type=_args.count, required=True)

        adjourn = sub.add_parser("adjourn", help="adjourn (all a meeting without quorum may do)")
        adjourn.add_argument("meeting", type=_args.meeting_id)

        show = sub.add_parser("show", help="a meeting, its seats, candidates and minutes")
        show.add_argument("meeting", type=_args.meeting_id)
        show.add_argument("--json", action="store_true")

    def run(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        getattr(self, f"_{action}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        called_by = options["called_by"]
        meeting = services.create_meeting(
            on=options["date"],
            kind=options["kind"].upper(),
            place=options["place"],
            starts_at=options["time"],
            called_by=CalledBy[called_by.upper()] if called_by else None,
            callers=options["callers"],
            purpose=options["purpose"],
            seats=options["seats"],
        )
        seats = services.seats_of(meeting)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "meeting": meeting.pk,
                        "kind": meeting.kind.lower(),
                        "date": meeting.on.isoformat(),
                        "seats": seats,
                        "called_by": meeting.called_by.lower(),
                    }
                )
            )
            return
        self.stdout.write(str(meeting.pk))

    def _check_in(self, options: dict[str, Any]) -> None:
        entry = services.check_in(meeting_id=options["meeting"], number=options["membership"])
        standing = services.quorum(entry.meeting)
        self.stdout.write(
            f"checked in {options['membership']} ({entry.district or 'no district'}); "
            f"{standing.present} present, {standing.required} needed for a quorum"
        )

    def _quorum(self, options: dict[str, Any]) -> None:
        standing = services.quorum(services.find_meeting(options["meeting"]))
        figures = {
            "members_of_record": standing.members_of_record,
            "present": standing.present,
            "required": standing.required,
            "has_quorum": standing.has_quorum,
        }
        if options["json"]:
            self.stdout.write(json.dumps(figures))
            return
        self.stdout.write(
            f"{standing.present} present of {standing.members_of_record:,} members of record; "
            f"{standing.required} needed: {'quorum' if standing.has_quorum else 'no quorum'}"
        )

    def _notice(self, options: dict[str, Any]) -> None:
        with dry_run(options["dry_run"]):
            report = notices.send_notices(
                meeting_id=options["meeting"],
                mailed_on=options["mailed_on"],
                out=Path(options["out"]),
                email=not options["skip_email"],
                write_files=not options["dry_run"],
                resend=options["resend"],
            )
        if options["json"]:
            self.stdout.write(json.dumps({**report, **dry_run_mark(options["dry_run"])}))
            return
        if options["dry_run"]:
            self.stdout.write(dry_run_heading(True))
        self.stdout.write(
            f"meeting {options['meeting']}: {report['letters']:,} letters"
            f"{' written to ' + options['out'] if not options['dry_run'] else ''}, "
            f"{report['emails']:,} emails"
        )

    def _question(self, options: dict[str, Any]) -> None:
        question = services.record_question(
            meeting_id=options["meeting"],
            text=options["text"],
            votes_for=options["votes_for"],
            votes_against=options["against"],
        )
        self.stdout.write(
            f"{'carried' if question.carried else 'failed'}: "
            f"{question.votes_for} for, {question.votes_against} against"
        )

    def _adjourn(self, options: dict[str, Any]) -> None:
        meeting = services.adjourn(meeting_id=options["meeting"])
        self.stdout.write(f"meeting {meeting.pk} adjourned")

    def _show(self, options: dict[str, Any]) -> None:
        meeting = services.find_meeting(options["meeting"])
        ballot = services.candidates(meeting)
        data = {
            "meeting": meeting.pk,
            "kind": meeting.kind.lower(),
            "date": meeting.on.isoformat(),
            "place": meeting.place,
            "seats": services.seats_of(meeting),
            "candidates": {
                d: [
                    {
                        "candidate": p.candidate_number,
                        "name": p.candidate_name,
                        "address": p.candidate_address,
                    }
                    for p in found
                ]
                for d, found in ballot.items()
            },
            "notice_mailed_on": meeting.notice_mailed_on.isoformat()
            if meeting.notice_mailed_on
            else None,
            "notice_resent_on": meeting.notice_resent_on.isoformat()
            if meeting.notice_resent_on
            else None,
            "certified": meeting.certified_at is not None,
            "minutes": meeting.minutes,
        }
        if options["json"]:
            self.stdout.write(json.dumps(data))
            return
        self.stdout.write(json.dumps(data, indent=2))
