"""``coopcis alerts run [--date D] [--dry-run] [--json]``: the daily high-usage check.

Checks one local day (default yesterday, America/Denver; ``--date`` may not be after
today: :mod:`coopcis.site.jobs`) for every account whose member set a threshold, and
raises one alert per account per day over it; running it again adds nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import CommandParser

from coopcis.apps.usage.alerts import run_alerts
from coopcis.site.commands import CoopCommand
from coopcis.site.jobs import add_daily_job_options, dry_run, today, write_json_report


class Command(CoopCommand):
    help = "High-usage alerts: check a day's use against members' thresholds."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser(
            "run",
            help="the daily check",
            description="Check one day's use (default yesterday) against every member's "
            "daily threshold and raise one alert per account and day over it. --date may "
            "not be after today (America/Denver).",
        )
        add_daily_job_options(
            run, "--date", help="the day to check (default yesterday)", required=False
        )

    def run(self, *args: Any, **options: Any) -> None:
        day = options["date"] or today() - timedelta(days=1)
        with dry_run(options["dry_run"]):
            report = run_alerts(day=day)
            result = report.as_dict()
        if write_json_report(self.stdout.write, result, options):
            return
        self.stdout.write(
            f"{day}: {report.checked} account(s) checked, {len(report.raised)} alert(s) raised, "
            f"{report.already} already raised, {len(report.no_data)} without interval data"
        )
        for alert in result["raised"]:  # type: ignore[attr-defined]
            amount = f", about ${alert['estimated_amount']}" if alert["estimated_amount"] else ""
            self.stdout.write(
                f"  {alert['account']}: {alert['kwh']} kWh{amount} (over {alert['over']})"
            )
        if report.unpriced:
            self.stdout.write(
                f"  no bill to price the day for: {', '.join(report.unpriced)} "
                "(their dollar threshold was not checked)"
            )
