"""``coopcis jobs reclaim``: an operator queues again, by hand, what every worker's sweep
queues each half lease: the batches of dead workers and the pending batches of stalled
jobs, each on its job's queue (RabbitMQ), with no follower."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from kombu import Connection

from coopcis.apps.jobs import services
from coopcis.apps.jobs.handlers import register
from coopcis.apps.jobs.models import Batch, BatchStatus
from tests.integration.workers.test_worker_kill import BROKER_URL, _broker_answers

pytestmark = pytest.mark.django_db


def _noop(params, payload):
    return {}


def _queued(queue: str) -> list[int]:
    """The batch ids waiting on ``queue`` (Celery's message body: [args, kwargs, embed])."""
    ids = []
    with Connection(BROKER_URL) as broker:
        channel = broker.channel()
        while (message := channel.basic_get(queue, no_ack=True)) is not None:
            ids.append(json.loads(message.body)[0][0])
    return ids


@pytest.fixture
def queue(settings):
    if connection.vendor != "postgresql":
        pytest.skip("workers run on PostgreSQL only (SQLite keeps everything in-process)")
    if not _broker_answers():
        pytest.skip(f"no RabbitMQ at {BROKER_URL}")
    settings.COOPCIS_BROKER_URL = BROKER_URL
    settings.COOPCIS_JOBS_LEASE_SECONDS = 60
    name = f"coopcis-test-{uuid.uuid4().hex[:12]}"
    with Connection(BROKER_URL) as broker:
        broker.channel().queue_declare(name, durable=True, auto_delete=False)
    yield name
    with Connection(BROKER_URL) as broker:
        broker.channel().queue_delete(name)


def test_jobs_reclaim_queues_again_dead_workers_batches_and_lost_messages(queue, capsys):
    register("test-noop", _noop)
    dead = services.create_job("test-noop", {}, [{"n": 1}, {"n": 2}], queue=queue)
    lost = services.create_job("test-noop", {}, [{"n": 3}, {"n": 4}], queue=queue)
    stranded, moving = dead.batches.order_by("number")
    assert services.claim(stranded.pk, "killed-worker")
    assert services.claim(moving.pk, "live-worker")
    Batch.objects.filter(pk=stranded.pk).update(lease_expires_at=timezone.now() - timedelta(1))
    Batch.objects.filter(job=lost).update(changed_at=timezone.now() - timedelta(minutes=5))
    lost_ids = sorted(lost.batches.values_list("pk", flat=True))

    call_command("jobs", "reclaim", "--json")
    found = json.loads(capsys.readouterr().out)

    assert found == {"reclaimed": {queue: [stranded.pk]}, "requeued": {queue: lost_ids}}
    assert sorted(_queued(queue)) == sorted([stranded.pk, *lost_ids])
    stranded.refresh_from_db()
    assert (stranded.status, stranded.lease_expires_at) == (BatchStatus.PENDING, None)
    assert services.run_batch(stranded.pk, "w") == "done"

    call_command("jobs", "reclaim")  # nothing left to queue again: none sent twice
    assert capsys.readouterr().out.startswith(
        "Queued again: 0 batch(es) whose lease expired, 0 pending batch(es) of stalled jobs."
    )
    assert _queued(queue) == []


def test_jobs_reclaim_now_does_not_wait_a_lease(queue, capsys):
    register("test-noop", _noop)
    job = services.create_job("test-noop", {}, [{"n": 1}], queue=queue)

    call_command("jobs", "reclaim")
    assert "0 pending batch(es)" in capsys.readouterr().out
    call_command("jobs", "reclaim", "--now")

    out = capsys.readouterr().out
    assert "0 batch(es) whose lease expired, 1 pending batch(es) of stalled jobs" in out
    assert f"stalled on {queue}: {job.batches.get().pk}" in out
    assert _queued(queue) == [job.batches.get().pk]


def test_jobs_reclaim_is_refused_without_postgresql_or_a_broker(settings):
    settings.COOPCIS_BROKER_URL = ""
    expected = "PostgreSQL" if connection.vendor != "postgresql" else "COOPCIS_BROKER_URL"
    with pytest.raises(CommandError, match=expected):
        call_command("jobs", "reclaim")
