"""Import meter reads from files: CSV register reads, CSV interval data, Green Button ESPI.

``import_reads`` is the one entry point (the CLI and any job call it). A file is imported
once: its SHA-256 is a unique ``ReadImportBatch`` key, and the batch is created in the same
transaction as the rows, so a second import of the same bytes reports "already imported"
and changes nothing, even when two run at once. A malformed file raises
:class:`ImportFormatError` before anything is written; bad rows are skipped and reported.
A file of which no row is kept is not recorded, so it can be imported again once its
meters are registered.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.db import IntegrityError, transaction

from coopcis.apps.audit.context import current_actor
from coopcis.apps.metering.importers.common import (
    ImportFormatError,
    Parsed,
    Progress,
    SkippedRow,
    meter_windows,
)
from coopcis.apps.metering.importers.csv_files import parse_interval_csv, parse_register_csv
from coopcis.apps.metering.importers.espi import parse_espi
from coopcis.apps.metering.importers.store import store_interval_rows, store_register_rows
from coopcis.apps.metering.models import ImportFormat, ReadImportBatch

__all__ = ["ImportFormatError", "ImportReport", "SkippedRow", "detect_format", "import_reads"]

_PARSERS = {
    ImportFormat.CSV_REGISTER: parse_register_csv,
    ImportFormat.CSV_INTERVAL: parse_interval_csv,
    ImportFormat.ESPI: parse_espi,
}
_SOURCES = {
    ImportFormat.CSV_REGISTER: "CSV",
    ImportFormat.CSV_INTERVAL: "CSV",
    ImportFormat.ESPI: "ESPI",
}


@dataclass
class ImportReport:
    """What an import did: rows read, stored and skipped (with line and reason)."""

    file_name: str
    format: str
    already_imported: bool = False
    batch_id: int | None = None
    rows_read: int = 0
    rows_stored: int = 0
    estimates_replaced: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file_name,
            "format": self.format,
            "already_imported": self.already_imported,
            "batch_id": self.batch_id,
            "rows_read": self.rows_read,
            "rows_stored": self.rows_stored,
            "estimates_replaced": self.estimates_replaced,
            "rows_skipped": len(self.skipped),
            "skipped": [row.as_dict() for row in self.skipped],
        }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def detect_format(path: Path) -> str:
    """The format of a read file from its name and first line."""
    with path.open("rb") as stream:
        head = stream.read(4096)
    if path.suffix.lower() == ".xml" or head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<"):
        return ImportFormat.ESPI
    first_line = head.split(b"\n", 1)[0].decode("utf-8", "replace").lower()
    names = {name.strip() for name in first_line.split(",")}
    if "register_kwh" in names:
        return ImportFormat.CSV_REGISTER
    if "kwh" in names and "start" in names:
        return ImportFormat.CSV_INTERVAL
    raise ImportFormatError(
        f"cannot tell the format of {path.name}: give --format csv-register, csv-interval or espi"
    )


def import_reads(
    *, path: Path, format: str | None = None, meter: str = "", progress: Progress | None = None
) -> ImportReport:
    """Import a read file once (see the module doc); the report lists every skipped row."""
    chosen = format or detect_format(path)
    if chosen not in _PARSERS:
        raise ImportFormatError(f"unknown format {chosen!r}")
    report = ImportReport(file_name=path.name, format=chosen)
    digest = file_sha256(path)
    earlier = ReadImportBatch.objects.filter(content_sha256=digest).first()
    if earlier is not None:
        return _already(report, earlier)
    with path.open("rb") as stream:
        parsed = _PARSERS[chosen](stream, meter=meter, progress=progress)
    try:
        with transaction.atomic():
            report = _store(report, parsed, digest, chosen)
            if not report.rows_stored and not report.estimates_replaced:
                # Nothing kept (unknown meters, say): not recorded as imported, so the
                # same file goes in once the meters are added and installed.
                transaction.set_rollback(True)
                report.batch_id = None
            return report
    except IntegrityError:
        earlier = ReadImportBatch.objects.filter(content_sha256=digest).first()
        if earlier is None:
            raise
        return _already(report, earlier)


def _already(report: ImportReport, earlier: ReadImportBatch) -> ImportReport:
    report.already_imported = True
    report.batch_id = earlier.pk
    return report


def _store(report: ImportReport, parsed: Parsed, digest: str, chosen: str) -> ImportReport:
    batch = ReadImportBatch.objects.create(
        content_sha256=digest,
        file_name=report.file_name[:255],
        format=chosen,
        imported_by=current_actor().label[:150],
    )
    skipped = list(parsed.skipped)
    serials = [row.meter_serial for row in parsed.register_rows] + [
        row.meter_serial for row in parsed.interval_rows
    ]
    windows = meter_windows(serials)
    registers = store_register_rows(
        parsed.register_rows, windows, batch, skipped, _SOURCES[ImportFormat(chosen)]
    )
    intervals = store_interval_rows(parsed.interval_rows, windows, skipped)
    skipped.sort(key=lambda row: (row.line is None, row.line or 0))
    report.batch_id = batch.pk
    report.rows_read = parsed.rows_read
    report.rows_stored = registers.rows_stored + intervals.rows_stored
    report.estimates_replaced = registers.estimates_replaced
    report.skipped = skipped
    batch.rows_read = report.rows_read
    batch.rows_stored = report.rows_stored
    batch.rows_skipped = len(skipped)
    batch.skipped = [row.as_dict() for row in skipped]
    batch.save()
    return report


def parse_only(stream: BinaryIO, format: str, meter: str = "") -> Parsed:
    """Parse without storing (for checks and tests)."""
    return _PARSERS[ImportFormat(format)](stream, meter=meter)
