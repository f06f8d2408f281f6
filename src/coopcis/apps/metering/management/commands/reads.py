"""``coopcis reads import|validate|exceptions|resolve``: meter reads in, VEE, the queue."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from tqdm import tqdm

from coopcis.apps.metering.importers import ImportReport, SkippedRow, import_reads
from coopcis.apps.metering.models import ExceptionStatus, ImportFormat, ReadException
from coopcis.apps.metering.vee import exception_as_dict, resolve_exception, validate_period
from coopcis.core.periods import Period, PeriodError
from coopcis.site.commands import CoopCommand

FORMATS = {
    "csv-register": ImportFormat.CSV_REGISTER,
    "csv-interval": ImportFormat.CSV_INTERVAL,
    "espi": ImportFormat.ESPI,
}
#: Files smaller than this import without a progress bar.
PROGRESS_BYTES = 1 << 20


class Command(CoopCommand):
    help = "Import meter reads, validate a month's reads (VEE), work the exception queue."
    read_only_actions = frozenset({"exceptions"})

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imports = sub.add_parser("import", help="import a CSV or Green Button (ESPI) file")
        imports.add_argument("file")
        imports.add_argument("--format", choices=sorted(FORMATS), help="default: from the file")
        imports.add_argument(
            "--meter", default="", help="meter serial for a one-meter file (ESPI UsagePoint)"
        )
        imports.add_argument("--json", action="store_true")
        validate = sub.add_parser("validate", help="run VEE over a month's reads")
        validate.add_argument("--period", required=True, help="YYYY-MM")
        validate.add_argument("--json", action="store_true")
        queue = sub.add_parser("exceptions", help="list the open exception queue")
        queue.add_argument("--json", action="store_true")
        resolve = sub.add_parser("resolve", help="accept or reject an open exception")
        resolve.add_argument("id", type=int)
        decision = resolve.add_mutually_exclusive_group(required=True)
        decision.add_argument("--accept", action="store_true")
        decision.add_argument("--reject", action="store_true")
        resolve.add_argument("--note", default="")

    def run(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import":
            self._import(options)
        elif action == "validate":
            self._validate(options)
        elif action == "exceptions":
            self._exceptions(options)
        else:
            self._resolve(options)

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no file {str(path)!r}")
        size = path.stat().st_size
        with tqdm(
            total=size,
            unit="B",
            unit_scale=True,
            desc=path.name,
            file=sys.stderr,
            disable=size < PROGRESS_BYTES,
        ) as bar:
            report = import_reads(
                path=path,
                format=FORMATS[options["format"]] if options["format"] else None,
                meter=options["meter"],
                progress=bar.update,
            )
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            self.stdout.write(_import_summary(report))

    def _validate(self, options: dict[str, Any]) -> None:
        try:
            month = Period.parse_month(options["period"])
        except PeriodError as error:
            raise CommandError(str(error)) from None
        summary = validate_period(month=month)
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict(), indent=2))
            return
        self.stdout.write(
            f"{month.start:%Y-%m}: {summary.meters_checked} meters checked, "
            f"{summary.reads_passed} reads passed, {len(summary.filed)} exceptions filed "
            f"({summary.already_filed} already filed), {len(summary.estimates)} estimated"
        )
        for exception in summary.filed:
            self.stdout.write(f"  #{exception.pk} {exception.kind}: {exception.detail}")

    def _exceptions(self, options: dict[str, Any]) -> None:
        queue = ReadException.objects.filter(status=ExceptionStatus.OPEN).select_related("meter")
        rows = [exception_as_dict(exception) for exception in queue]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not rows:
            self.stdout.write("No open read exceptions.")
        for row in rows:
            self.stdout.write(
                f"#{row['id']} {row['month']} {row['meter']} {row['channel']} {row['kind']}: "
                f"{row['detail']}"
            )

    def _resolve(self, options: dict[str, Any]) -> None:
        exception = ReadException.objects.filter(pk=options["id"]).first()
        if exception is None:
            raise CommandError(f"no read exception {options['id']}")
        status = ExceptionStatus.ACCEPTED if options["accept"] else ExceptionStatus.REJECTED
        resolved = resolve_exception(exception=exception, status=status, note=options["note"])
        self.stdout.write(f"Exception #{resolved.pk} {resolved.status}")


def _import_summary(report: ImportReport) -> str:
    if report.already_imported:
        return f"{report.file_name}: already imported (batch {report.batch_id}); nothing changed"
    lines = [
        f"{report.file_name}: {report.rows_read} rows read, {report.rows_stored} stored, "
        f"{len(report.skipped)} skipped"
        + (f", {report.estimates_replaced} estimates replaced" if report.estimates_replaced else "")
    ]
    lines.extend(_skipped_lines(report.skipped))
    return "\n".join(lines)


def _skipped_lines(skipped: list[SkippedRow]) -> list[str]:
    """One line per meter and reason (a year of hourly readings for a meter nobody
    registered is one line, not 8,760), in the order of their first line."""
    groups: dict[tuple[str, str], list[SkippedRow]] = {}
    for row in skipped:
        groups.setdefault((row.meter, row.reason), []).append(row)
    lines = []
    for (meter, reason), rows in groups.items():
        hint = ""
        if reason.startswith("unknown meter"):
            hint = f"; add it with `coopcis meter add {meter} --kind ...` and install it"
        if len(rows) == 1:
            lines.append(f"  skipped {rows[0]}{hint}")
            continue
        numbers = [row.line for row in rows if row.line is not None]
        where = f"lines {min(numbers)}-{max(numbers)}" if numbers else "file"
        who = f" meter {meter}" if meter else ""
        lines.append(f"  skipped {len(rows):,} rows ({where}){who}: {reason}{hint}")
    return lines
