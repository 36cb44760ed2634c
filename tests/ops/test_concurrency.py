"""Several processes against one database: optimistic locking, leases, SKIP LOCKED, SIGKILL, SIGTERM."""

from __future__ import annotations

import signal
import time
from datetime import timedelta
from typing import Any

import pytest

from tests.support.processes import django_env, python, touchpoint, wait_for
from tests.support.smtp import smtp_sink
from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.models import TimelineEntry
from touchpoint.core.clock import now
from touchpoint.flows.advance import case_open
from touchpoint.ops.models import WorkerHeartbeat
from touchpoint.outbox.models import MessageStatus, OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)


def enqueue(count: int) -> list[str]:
    at = now() - timedelta(seconds=1)
    rows = [
        OutboxMessage(
            channel="email",
            recipient=f"c{i}@example.com",
            subject=f"message {i}",
            body_text="hello",
            headers={"Message-ID": f"<m{i}@touchpoint.test>"},
            next_attempt_at=at,
            idempotency_key=f"bulk-{i}",
            created_at=at,
        )
        for i in range(count)
    ]
    OutboxMessage.objects.bulk_create(rows)
    return [f"<m{i}@touchpoint.test>" for i in range(count)]


def smtp_env(port: int, **extra: str) -> dict[str, str]:
    return django_env(
        TOUCHPOINT_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", TOUCHPOINT_SMTP_PORT=str(port), **extra
    )


def test_two_processes_advancing_one_case_at_once_one_wins_and_the_other_gets_the_conflict(
    mini_journey: Any, customer: Any
) -> None:
    case = case_open(journey="mini-repair", customer=customer, actor=SYSTEM, data={"model": "nano-4g"}).case
    children = [
        python("tests.support.race_advance", str(case.pk), event, env=django_env())
        for event in ("payment_received", "payment_timeout")
    ]
    for child in children:  # both have read the case at version 1 …
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    for child in children:  # … before either acts
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    results = [child.communicate(timeout=60) for child in children]
    outputs = sorted(out.strip() for out, _ in results)
    assert [child.returncode for child in children] == [0, 0], results
    assert outputs[0].startswith("conflict ") and "(you had version 1, it is now 2)" in outputs[0]
    assert outputs[1].startswith("won ") and outputs[1].endswith(" v2")
    case.refresh_from_db()
    transitions = list(TimelineEntry.objects.filter(case=case, kind="transition").values_list("event", flat=True))
    assert len(transitions) == 1 and case.version == 2  # no lost update, no double write
    assert case.state == {"payment_received": "awaiting_device", "payment_timeout": "cancelled"}[transitions[0]]


def test_a_worker_killed_mid_batch_loses_nothing() -> None:
    ids = enqueue(60)
    with smtp_sink(delay=0.03) as (sink, port):
        env = smtp_env(port)
        victim = touchpoint("worker", "--batch", "20", "--lease", "3", "--id", "victim", env=env)
        wait_for(lambda: len(sink.received) >= 5, timeout=60, what="the first worker to start sending")
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        # the dead worker still holds leases on messages it claimed and never finished
        orphaned = OutboxMessage.objects.filter(status=MessageStatus.PENDING, lease_owner="victim").count()
        assert orphaned > 0
        time.sleep(3.2)  # let its leases run out
        rescuer = touchpoint("worker", "--until-idle", "--id", "rescuer", env=env)
        _, err = rescuer.communicate(timeout=120)
        assert rescuer.returncode == 0, err
    assert set(ids) <= set(sink.message_ids())  # every message sent at least once
    assert OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == 60
    assert OutboxMessage.objects.filter(lease_owner="rescuer", status=MessageStatus.SENT).count() == 0  # released


def test_two_workers_drain_one_outbox_without_working_any_row_twice_and_stop_on_sigterm() -> None:
    ids = enqueue(300)
    with smtp_sink(delay=0.01) as (sink, port):
        env = smtp_env(port)
        workers = [touchpoint("worker", "--batch", "10", "--id", name, env=env) for name in ("left", "right")]
        wait_for(
            lambda: OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == 300,
            timeout=180,
            what="two workers to send 300 messages",
        )
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        results = [worker.communicate(timeout=30) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], results
    assert all("stopped:" in out for out, _ in results)
    received = sink.message_ids()
    assert sorted(received) == sorted(ids)  # each exactly once: no row worked twice
    sent_by = dict(WorkerHeartbeat.objects.values_list("worker_id", "messages_sent"))
    assert sent_by["left"] + sent_by["right"] == 300
    assert sent_by["left"] > 0 and sent_by["right"] > 0
    assert WorkerHeartbeat.objects.filter(stopped_at__isnull=True).count() == 0
