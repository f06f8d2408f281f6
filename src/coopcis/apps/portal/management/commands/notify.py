"""``coopcis notify reminders [--as-of D] [--dry-run] [--json]``: the daily bill reminders;
``coopcis notify retry [--limit N] [--json]``: send again the messages whose sending failed
(the mail server or the SMS provider was down) and those a stopped process left queued,
each at most once (a message is claimed before it is sent).

Sends the "due soon" and "past due" messages of one day (default today; ``--as-of`` may
not be after today, America/Denver: :mod:`coopcis.site.jobs`) to members by their choice
of email or text, in their language (:mod:`coopcis.apps.portal.reminders`); running it
again sends nothing more.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser

from coopcis.apps.notify.models import MessageStatus
from coopcis.apps.notify.services import retry_failed
from coopcis.apps.portal.reminders import send_reminders
from coopcis.core.errors import RuleViolation
from coopcis.site.commands import CoopCommand
from coopcis.site.jobs import add_daily_job_options, dry_run, today, write_json_report


class Command(CoopCommand):
    help = "Member notifications sent by a daily job: bill reminders."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        reminders = sub.add_parser(
            "reminders",
            help="the day's due-soon and past-due messages",
            description="Tell members whose bill is due within a few days, or has just gone "
            "past due, by their choice of email or text, once per account and due date. "
            "--as-of may not be after today (America/Denver).",
        )
        add_daily_job_options(
            reminders,
            "--as-of",
            help="the day the reminders are for (default today)",
            required=False,
        )
        retry = sub.add_parser(
            "retry",
            help="send again the messages that failed",
            description="Send again the messages whose sending failed and those a stopped "
            "process left queued, oldest first; each is sent at most once.",
        )
        retry.add_argument("--limit", type=int, default=500, help="at most this many (default 500)")
        retry.add_argument("--json", action="store_true")

    def run(self, *args: Any, **options: Any) -> None:
        if options["action"] == "retry":
            self._retry(options["limit"], as_json=options["json"])
            return
        as_of = options["as_of"] or today()
        with dry_run(options["dry_run"]):
            report = send_reminders(as_of=as_of)
            result = report.as_dict()
        if write_json_report(self.stdout.write, result, options):
            return
        self.stdout.write(
            f"{as_of}: {result['due_soon']} due-soon and {result['past_due']} past-due "
            f"message(s) sent, {len(report.not_sent)} not sent (turned off or no address), "
            f"{report.already} already sent, {report.paid} paid meanwhile"
        )
        for reminder in report.sent + report.not_sent:
            self.stdout.write(
                f"  {reminder.account} {reminder.kind} ${reminder.amount:,.2f} due "
                f"{reminder.due_date}: {reminder.channel} {reminder.status}"
            )

    def _retry(self, limit: int, *, as_json: bool) -> None:
        if not 1 <= limit <= 100_000:
            raise RuleViolation(f"--limit must be 1-100000, got {limit}", field="--limit")
        tried = retry_failed(limit=limit)
        sent = [m for m in tried if m.status == MessageStatus.SENT]
        failed = [m for m in tried if m.status == MessageStatus.FAILED]
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "tried": len(tried),
                        "sent": len(sent),
                        "failed": [
                            {"id": m.pk, "kind": m.kind, "channel": m.channel, "error": m.error}
                            for m in failed
                        ],
                    }
                )
            )
            return
        self.stdout.write(
            f"{len(tried)} message(s) tried: {len(sent)} sent, {len(failed)} failed again"
        )
        for message in failed:
            self.stdout.write(f"  {message.pk} {message.kind} {message.channel}: {message.error}")
