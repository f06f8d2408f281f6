"""``bills print --workers`` on a real worker over RabbitMQ prints what the in-process run
prints, byte for byte, and a batch done a second time leaves the same files."""

from __future__ import annotations

import subprocess
import time

import psycopg
import pytest

from tests.integration.billing.test_kill_restart import (
    COOPCIS,
    PERIOD,
    _coopcis,
    created,  # noqa: F401 - the fixture
)
from tests.integration.billing_pdf.conftest import pdf_pages, pdf_text
from tests.integration.workers.test_worker_kill import _clone, _kill, _queue, _worker, broker  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.postgres_only, pytest.mark.django_db]


def _files(folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _batch(env: dict[str, str], number: int) -> tuple[int, str, list[str]]:
    with psycopg.connect(env["COOPCIS_DATABASE_URL"], autocommit=True) as db:
        row = db.execute(
            "SELECT id, status, result FROM jobs_batch WHERE number = %s", [number]
        ).fetchone()
    assert row is not None
    return int(row[0]), str(row[1]), [bill["file"] for bill in row[2].get("printed", [])]


def test_bills_print_on_a_worker_prints_the_in_process_files(
    tmp_path,
    created,  # noqa: F811
    broker,  # noqa: F811
    migrated,
):
    env = _clone(migrated, "print", created, tmp_path) | {
        "COOPCIS_BROKER_URL": broker,
        "COOPCIS_JOBS_QUEUE": _queue(),
    }
    _coopcis(env, "demo", "--members", "60", "--months", "2", "--seed", "7", "--through", PERIOD)
    _coopcis(env, "bill-run", "--period", PERIOD)
    here, there = tmp_path / "here", tmp_path / "there"
    _coopcis(env, "bills", "print", "--period", PERIOD, "--out", str(here), "--processes", "1")

    log = (tmp_path / "worker.log").open("w")
    worker = _worker(env, log)
    try:
        done = subprocess.run(
            [COOPCIS, "bills", "print", "--period", PERIOD, "--out", str(there), "--workers",
             "--batch-size", "10"],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr + (tmp_path / "worker.log").read_text()[-3000:]
        printed = _files(there)
        assert printed == _files(here)  # each PDF byte for byte, and the manifest
        pdfs = {name: data for name, data in printed.items() if name.endswith(".pdf")}
        assert len(pdfs) > 40
        pages = sum(pdf_pages(data) for data in pdfs.values())
        statements = [name for name in pdfs if name.startswith("S")]  # S<YYYYMM>-<account>
        assert statements  # the demo has accounts billed at several locations
        # the summary line's counts come from the batches' results
        assert (
            f"{len(pdfs) - len(statements):,} PDFs and {len(statements)} account summary "
            f"statements ({pages:,} pages"
        ) in done.stderr

        # batch 2 done again, as after a worker died with its files half written
        batch_id, status, names = _batch(env, 2)
        assert status == "DONE" and names
        whole = (there / names[0]).read_bytes()
        (there / f"{names[0]}.partial").write_bytes(whole[: len(whole) // 2])
        (there / names[0]).unlink()
        (there / names[1]).write_bytes(b"%PDF-1.4 half")
        with psycopg.connect(env["COOPCIS_DATABASE_URL"], autocommit=True) as db:
            db.execute("UPDATE jobs_batch SET status = 'FAILED' WHERE id = %s", [batch_id])
        _coopcis(env, "jobs", "retry", str(batch_id))
        deadline = time.monotonic() + 120
        while _batch(env, 2)[1] != "DONE":
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()[-3000:]
            time.sleep(0.1)
    finally:
        _kill(worker)
        log.close()
    assert _files(there) == _files(here)
    redone = pdf_text((there / names[0]).read_bytes())
    assert names[0].removesuffix(".pdf") in redone.replace(" ", "")
