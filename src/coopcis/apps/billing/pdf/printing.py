"""A month's bill print run: every posted bill to a PDF file, and one print manifest.

Which bills: the period's POSTED bills. HELD bills wait for review and CANCELLED ones
were replaced, so neither is printed. Paperless accounts' bills are rendered too (the
member portal serves the same file), but they are left out of the print manifest, the
list the mail house prints and mails, unless ``include_paperless`` is set.

The manifest is in mailing order, by ZIP code then account number, so the mail house
can presort without re-sorting. Rendering is split into chunks of bill ids; each local
process (``--processes``) loads a chunk in three queries and writes its files, and the
parent collects the manifest rows in order.

On workers (``bills print --workers``, :func:`print_bills_on_workers`) the bills are cut
into batches of whole accounts, queued as a job (:mod:`coopcis.apps.jobs`); each batch
writes its bills and its accounts' summary statements into the output folder, which the
workers must share with the follower, and returns the manifest rows as its result. The
worker that does the job's last batch writes the manifest from the batches' results, in
batch order (:func:`settle_print`, the job kind's settler, in the transaction that records
the job finished), so the manifest is written even when the follower died; the follower,
when alive, writes the same bytes again. Printing again into the same folder picks up the
period's job, finished or still running, when it holds the same bills (the manifest is
written from its results; nothing is rendered again). Every file is written to a
``.partial`` name and renamed, so a killed worker never leaves half a PDF or half a
manifest, and a batch done twice writes the same bytes (the renderer is invariant).

An account with two or more posted bills in the month (one per metered location, SEC
policy 408) also gets its account summary statement (``S<YYYYMM>-<account>.pdf``, see
:mod:`.summary`), rendered by the parent after the bills. Each manifest row names its
``document`` (BILL or STATEMENT) and its ``envelope``: one envelope per account, numbered
in mailing order, with the statement first and then the account's bills.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import connections

from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.billing.pdf.document import load_bill_documents
from coopcis.apps.billing.pdf.render import render_bill
from coopcis.apps.billing.pdf.summary import load_summary_statement
from coopcis.apps.billing.pdf.summary_render import render_summary_statement
from coopcis.catalog.profiles import active_profile
from coopcis.core.billing.scan_line import ScanLineError
from coopcis.core.errors import RuleViolation

if TYPE_CHECKING:
    from coopcis.apps.jobs.models import Job

#: The job kind of ``bills print --workers``.
KIND = "bills-print"

#: Bills a worker loads and renders per round trip (three queries per chunk).
CHUNK_SIZE = 250
MANIFEST_COLUMNS = (
    "file",
    "bill_number",
    "account_number",
    "name",
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "language",
    "pages",
    "amount_due",
    "document",
    "envelope",
)


@dataclass(frozen=True, slots=True)
class PrintedBill:
    """One rendered bill: its file and what the manifest says about it."""

    file: str
    bill_number: str
    account_number: str
    name: str
    address_lines: tuple[str, ...]
    language: str
    pages: int
    amount_due: str
    paperless: bool
    size_bytes: int
    #: BILL, or STATEMENT for an account summary statement (``bill_number`` is then its
    #: reference, ``S<YYYYMM>-<account>``).
    document: str = "BILL"

    def manifest_row(self, envelope: int) -> list[str]:
        lines = [*self.address_lines, "", "", ""][:3]
        return [self.file, self.bill_number, self.account_number, self.name, *lines,
                self.language, str(self.pages), self.amount_due, self.document,
                str(envelope)]  # fmt: skip


@dataclass(frozen=True, slots=True)
class RenderFailure:
    bill_number: str
    reason: str


@dataclass(frozen=True, slots=True)
class PrintResult:
    printed: list[PrintedBill]
    failures: list[RenderFailure]
    manifest: Path
    #: bills in the manifest (paperless ones are left out unless asked for)
    in_manifest: int
    statements: list[PrintedBill] = field(default_factory=list)
    #: envelopes in the manifest: one per account mailed
    envelopes: int = 0

    @property
    def pages(self) -> int:
        return sum(document.pages for document in (*self.printed, *self.statements))

    @property
    def size_bytes(self) -> int:
        return sum(document.size_bytes for document in (*self.printed, *self.statements))


def bills_to_print(period: str) -> list[int]:
    """The ids of the period's posted bills, in mailing order (ZIP, account, bill)."""
    return list(
        Bill.objects.filter(period=period, status=BillStatus.POSTED)
        .order_by("account__mailing_zip", "account__number", "id")
        .values_list("id", flat=True)
    )


def status_counts(period: str) -> dict[str, int]:
    counts = dict.fromkeys(BillStatus.values, 0)
    for status in Bill.objects.filter(period=period).values_list("status", flat=True):
        counts[status] += 1
    return counts


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``path`` under a ``.partial`` name, then rename it: a reader (or the mail
    house) never sees half a file, and a process killed midway leaves at most the
    ``.partial`` file, which the next write of the same document replaces."""
    partial = path.with_name(f"{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def render_chunk(bill_ids: Sequence[int], out_dir: str) -> list[PrintedBill | RenderFailure]:
    """Load, render and write these bills (in a worker process or in this one)."""
    profile = active_profile()
    results: list[PrintedBill | RenderFailure] = []
    for document in load_bill_documents(bill_ids):
        try:
            rendered = render_bill(document, profile)
        except ScanLineError as error:
            results.append(RenderFailure(document.number, str(error)))
            continue
        name = f"{document.number}.pdf"
        write_atomically(Path(out_dir, name), rendered.pdf)
        results.append(
            PrintedBill(
                file=name,
                bill_number=document.number,
                account_number=document.account_number,
                name=document.name,
                address_lines=document.mailing_lines[1:],
                language=document.language,
                pages=rendered.pages,
                amount_due=f"{document.amount_due_amount:.2f}",
                paperless=document.paperless,
                size_bytes=len(rendered.pdf),
            )
        )
    return results


def render_statements(
    printed: Sequence[PrintedBill], period: str, out_dir: str
) -> list[PrintedBill | RenderFailure]:
    """The summary statement of each account with two or more of ``printed`` (in the order
    the accounts first appear)."""
    by_account: dict[str, list[PrintedBill]] = {}
    for bill in printed:
        by_account.setdefault(bill.account_number, []).append(bill)
    profile = active_profile()
    results: list[PrintedBill | RenderFailure] = []
    for account_number, bills in by_account.items():
        if len(bills) < 2:
            continue
        statement = load_summary_statement(account_number=account_number, period=period)
        try:
            rendered = render_summary_statement(statement, profile)
        except ScanLineError as error:
            results.append(RenderFailure(statement.reference, str(error)))
            continue
        name = f"{statement.reference}.pdf"
        write_atomically(Path(out_dir, name), rendered.pdf)
        first = bills[0]
        results.append(
            PrintedBill(
                file=name,
                bill_number=statement.reference,
                account_number=account_number,
                name=first.name,
                address_lines=first.address_lines,
                language=statement.language,
                pages=rendered.pages,
                amount_due=f"{statement.amount_due_amount:.2f}",
                paperless=first.paperless,
                size_bytes=len(rendered.pdf),
                document="STATEMENT",
            )
        )
    return results


def _in_envelopes(
    bills: Sequence[PrintedBill], statements: Sequence[PrintedBill]
) -> list[tuple[int, PrintedBill]]:
    """Manifest rows in mailing order, each with its envelope: one per account, its
    statement (if any) first."""
    by_account = {statement.account_number: statement for statement in statements}
    rows: list[tuple[int, PrintedBill]] = []
    envelope, current = 0, None
    for bill in bills:
        if bill.account_number != current:
            envelope, current = envelope + 1, bill.account_number
            if current in by_account:
                rows.append((envelope, by_account[current]))
        rows.append((envelope, bill))
    return rows


def _render_chunk_job(job: tuple[list[int], str]) -> list[PrintedBill | RenderFailure]:
    return render_chunk(*job)


def _chunks(ids: list[int], size: int) -> list[list[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _results(
    jobs: list[tuple[list[int], str]], processes: int
) -> Iterator[list[PrintedBill | RenderFailure]]:
    if processes == 1 or len(jobs) == 1:
        for job in jobs:
            yield _render_chunk_job(job)
        return
    # Processes are forked with Django set up; they must not share the parent's database
    # connections, so close them first and let each process open its own.
    connections.close_all()
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with multiprocessing.get_context(method).Pool(min(processes, len(jobs))) as pool:
        yield from pool.imap(_render_chunk_job, jobs)


def print_bills(
    *,
    period: str,
    bill_ids: list[int],
    out_dir: Path,
    manifest_name: str,
    processes: int,
    include_paperless: bool,
    progress: Callable[[int], object] = lambda done: None,
) -> PrintResult:
    """Render ``bill_ids`` (bills of ``period``, in mailing order) and the summary
    statements of accounts with several of them into ``out_dir`` (``processes`` local
    processes), and write the manifest there."""
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = [(chunk, str(out_dir)) for chunk in _chunks(bill_ids, CHUNK_SIZE)]
    printed: list[PrintedBill] = []
    failures: list[RenderFailure] = []
    for results in _results(jobs, processes):
        for result in results:
            if isinstance(result, PrintedBill):
                printed.append(result)
            else:
                failures.append(result)
        progress(len(results))
    statements: list[PrintedBill] = []
    for result in render_statements(printed, period, str(out_dir)):
        if isinstance(result, PrintedBill):
            statements.append(result)
        else:
            failures.append(result)
    return _with_manifest(printed, statements, failures, out_dir / manifest_name, include_paperless)


def _with_manifest(
    printed: list[PrintedBill],
    statements: list[PrintedBill],
    failures: list[RenderFailure],
    manifest: Path,
    include_paperless: bool,
) -> PrintResult:
    """Write the manifest of ``printed`` and ``statements`` (in mailing order)."""
    rows = [
        (envelope, document)
        for envelope, document in _in_envelopes(printed, statements)
        if include_paperless or not document.paperless
    ]
    # a name of its own: the follower and the worker settling the job may write at once
    partial = manifest.with_name(f"{manifest.name}.{uuid.uuid4().hex}.partial")
    with partial.open("x", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(MANIFEST_COLUMNS)
        envelopes: dict[int, int] = {}  # renumbered 1, 2, ... over the envelopes mailed
        for envelope, document in rows:
            number = envelopes.setdefault(envelope, len(envelopes) + 1)
            writer.writerow(document.manifest_row(number))
    os.replace(partial, manifest)
    mailed_bills = sum(1 for _envelope, document in rows if document.document == "BILL")
    return PrintResult(printed, failures, manifest, mailed_bills, statements, len(envelopes))


# --- on workers ------------------------------------------------------------------------


def account_batches(period: str, size: int) -> list[list[int]]:
    """The period's posted bills in mailing order (as :func:`bills_to_print`), cut into
    batches of about ``size`` bills that never split an account: a batch renders its
    accounts' summary statements, which need all of an account's bills."""
    rows = (
        Bill.objects.filter(period=period, status=BillStatus.POSTED)
        .order_by("account__mailing_zip", "account__number", "id")
        .values_list("id", "account_id")
    )
    batches: list[list[int]] = []
    current: list[int] = []
    last_account = None
    for bill_id, account_id in rows:
        if len(current) >= size and account_id != last_account:
            batches.append(current)
            current = []
        current.append(bill_id)
        last_account = account_id
    if current:
        batches.append(current)
    return batches


def _printed(data: dict[str, Any]) -> PrintedBill:
    return PrintedBill(**{**data, "address_lines": tuple(data["address_lines"])})


def print_batch(params: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """One batch of ``bills print --workers``, on a worker (the jobs app's handler for
    ``bills-print``): its bills and its accounts' summary statements into the shared
    output folder; the manifest rows and failures are the batch's result."""
    out_dir = params["out"]
    if not Path(out_dir).is_dir():
        # the follower made it: a worker that cannot see it does not share its disk
        raise FileNotFoundError(
            f"the output folder {out_dir} is not on this worker's filesystem: workers "
            "printing bills must share the folder with the command that queued them"
        )
    printed: list[PrintedBill] = []
    failures: list[RenderFailure] = []
    for result in render_chunk(payload["ids"], out_dir):
        if isinstance(result, PrintedBill):
            printed.append(result)
        else:
            failures.append(result)
    statements: list[PrintedBill] = []
    statement_failures: list[RenderFailure] = []
    for result in render_statements(printed, params["period"], out_dir):
        if isinstance(result, PrintedBill):
            statements.append(result)
        else:
            statement_failures.append(result)
    return {
        "printed": [asdict(bill) for bill in printed],
        "failures": [asdict(failure) for failure in failures],
        "statements": [asdict(statement) for statement in statements],
        "statement_failures": [asdict(failure) for failure in statement_failures],
    }


def queue_print(
    *,
    period: str,
    out_dir: Path,
    batch_size: int,
    queue: str,
    operator: str = "",
    manifest_name: str | None = None,
    include_paperless: bool = False,
) -> Job:
    """The print run as a job of batches of whole accounts, none queued yet (the
    follower dispatches them). Its params say where the manifest goes, for the worker
    that settles the job (:func:`settle_print`)."""
    from coopcis.apps.jobs import services as jobs

    out_dir.mkdir(parents=True, exist_ok=True)
    return jobs.create_job(
        KIND,
        {
            "period": period,
            "out": str(out_dir.resolve()),
            "manifest": manifest_name or f"manifest-{period}.csv",
            "include_paperless": include_paperless,
        },
        [{"ids": ids} for ids in account_batches(period, batch_size)],
        queue=queue,
        operator=operator,
    )


def _from_results(job: Job, manifest: Path, include_paperless: bool) -> PrintResult:
    """The manifest and the counts from the job's done batches, in batch order (so in
    mailing order, as in-process)."""
    from coopcis.apps.jobs import services as jobs

    printed: list[PrintedBill] = []
    statements: list[PrintedBill] = []
    failures: list[RenderFailure] = []
    statement_failures: list[RenderFailure] = []
    for result in jobs.results(job):
        printed += [_printed(bill) for bill in result["printed"]]
        statements += [_printed(statement) for statement in result["statements"]]
        failures += [RenderFailure(**failure) for failure in result["failures"]]
        statement_failures += [RenderFailure(**failure) for failure in result["statement_failures"]]
    return _with_manifest(
        printed,
        statements,
        failures + statement_failures,  # bills' first, as in-process
        manifest,
        include_paperless,
    )


def settle_print(job: Job) -> None:
    """The settler of ``bills-print``: the worker that does the job's last batch writes the
    manifest (every batch done, none failed), so it is written even when the follower died."""
    params = job.params
    _from_results(
        job,
        Path(params["out"], params.get("manifest") or f"manifest-{params['period']}.csv"),
        bool(params.get("include_paperless", False)),
    )


def finish_print(
    job: Job, *, failed: int, out_dir: Path, manifest_name: str, include_paperless: bool
) -> PrintResult:
    """The manifest and the counts, from the done batches' results in batch order (so in
    mailing order, as in-process); refused while a batch is failed."""
    if failed:
        raise RuleViolation(
            f"{failed} of {job.batches.count()} batches of job {job.pk} failed: see "  # type: ignore[attr-defined]
            f"`coopcis jobs show {job.pk}`, then `coopcis jobs retry BATCH` and print again",
            field="workers",
        )
    return _from_results(job, out_dir / manifest_name, include_paperless)


def _same_print(period: str, out_dir: Path) -> Job | None:
    """The latest print job of ``period`` into ``out_dir``, running or finished, whose
    batches hold the bills that would be printed now (in mailing order): printing again
    (after the follower died, or after ``jobs retry``) picks it up instead of rendering
    every bill again. A job of other bills (some posted or cancelled since), or a finished
    one whose files are no longer all in the folder, is not reused."""
    from coopcis.apps.jobs import services as jobs
    from coopcis.apps.jobs.models import Job, JobStatus

    job = (
        Job.objects.filter(
            kind=KIND,
            params__period=period,
            params__out=str(out_dir.resolve()),
            status__in=[JobStatus.RUNNING, JobStatus.FINISHED],
        )
        .order_by("-pk")
        .first()
    )
    if job is None:
        return None
    queued = [
        bill_id
        for payload in job.batches.order_by("number").values_list("payload", flat=True)  # type: ignore[attr-defined]
        for bill_id in payload["ids"]
    ]
    if queued != bills_to_print(period):
        return None
    if job.status == JobStatus.FINISHED and not all(
        Path(out_dir, document["file"]).is_file()
        for result in jobs.results(job)
        for document in (*result["printed"], *result["statements"])
    ):
        return None  # files moved or deleted since: render them again
    return job


def print_bills_on_workers(
    *,
    period: str,
    out_dir: Path,
    manifest_name: str,
    include_paperless: bool,
    batch_size: int,
    queue: str | None = None,
    operator: str = "",
    progress: Callable[[int], object] | None = None,
    timeout: float | None = None,
) -> PrintResult:
    """:func:`print_bills` on ``coopcis worker`` processes sharing ``out_dir``; the
    period's job into the same folder is picked up when there is one (:func:`_same_print`)."""
    from coopcis.apps.jobs.broker import broker_url, default_queue, run_on_workers
    from coopcis.apps.jobs.models import JobStatus
    from coopcis.apps.jobs.services import progress as job_progress

    broker_url()
    job = _same_print(period, out_dir)
    if job is not None and job.status == JobStatus.FINISHED:
        state = job_progress(job)
        if progress:
            progress(state.done_size)
    else:
        if job is None:
            job = queue_print(
                period=period,
                out_dir=out_dir,
                batch_size=batch_size,
                queue=queue or default_queue(),
                operator=operator,
                manifest_name=manifest_name,
                include_paperless=include_paperless,
            )
        state = run_on_workers(
            job, progress=(lambda done: progress(done)) if progress else None, timeout=timeout
        )
    return finish_print(
        job,
        failed=state.failed,
        out_dir=out_dir,
        manifest_name=manifest_name,
        include_paperless=include_paperless,
    )
