"""Messages go out over a real SMTP server on loopback; failures retry with backoff, then reach a person."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import timedelta

import pytest
from django.test import override_settings

from tests.support.smtp import SinkHandler, free_port, smtp_mailers, smtp_sink
from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.models import Case, Task, TaskKind, TimelineEntry
from touchpoint.core.clock import at, now
from touchpoint.flows.advance import case_advance
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.outbox.services import backoff_seconds, claim_due
from touchpoint.worker.loop import Worker


@pytest.fixture
def sink() -> Iterator[SinkHandler]:
    with smtp_sink() as (handler, port), override_settings(MAILERS=smtp_mailers(port)):
        yield handler


def paid(case: Case) -> OutboxMessage:
    case_advance(case=case, event="payment_received", actor=SYSTEM)
    return OutboxMessage.objects.get(case=case)


def when_due_again(message: OutboxMessage) -> AbstractContextManager[None]:
    """The clock at the moment ``message`` is due for its next attempt (its backoff has passed)."""
    message.refresh_from_db()
    return at(message.next_attempt_at)


def test_a_touchpoint_reaches_a_real_smtp_server_as_multipart_text_and_html(new_case: Case, sink: SinkHandler) -> None:
    message = paid(new_case)
    totals = Worker(worker_id="w1").run(until_idle=True)
    assert totals.sent == 1
    [got] = sink.received
    assert got.rcpt_tos == ["ian@example.com"]
    assert got.message["Subject"] == f"{new_case.reference}: Paid; how to send the device."
    assert got.message["Message-ID"] == message.headers["Message-ID"]
    assert got.message.get_content_type() == "multipart/alternative"
    text = got.message.get_body(("plain",))
    html = got.message.get_body(("html",))
    assert text is not None and "Post the device to us." in text.get_content()
    assert html is not None and "<strong>What happens next:</strong> Post the device to us." in html.get_content()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.lease_owner) == (MessageStatus.SENT, 1, "")


@pytest.mark.parametrize(
    ("behaviour", "error_fragment"),
    [({"fail_with": "451 4.3.0 mailbox busy, try later"}, "SMTP 451"), ({"hang_up": True}, "SMTP")],
)
def test_a_temporary_failure_is_retried_with_backoff_then_sent(
    new_case: Case, behaviour: dict[str, object], error_fragment: str
) -> None:
    with smtp_sink(fail_times=1, **behaviour) as (handler, port), override_settings(MAILERS=smtp_mailers(port)):
        message = paid(new_case)
        before = now()
        Worker(worker_id="w1").run(max_passes=1)
        message.refresh_from_db()
        assert (message.status, message.attempts) == (MessageStatus.PENDING, 1)
        assert error_fragment in message.last_error
        assert timedelta(seconds=29) < message.next_attempt_at - before < timedelta(seconds=32)
        handler.hang_up = False
        with when_due_again(message):
            Worker(worker_id="w1").run(until_idle=True)
        message.refresh_from_db()
        assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
        assert len(handler.received) == 1


def test_a_refused_connection_is_retried_until_the_last_attempt_then_a_person_gets_a_task(new_case: Case) -> None:
    closed_port = free_port()  # nothing listens here
    with override_settings(MAILERS=smtp_mailers(closed_port), TOUCHPOINT_OUTBOX_MAX_ATTEMPTS=3):
        message = paid(new_case)
        assert message.max_attempts == 3  # the setting in force when it was written
        for _ in range(3):
            with when_due_again(message):
                Worker(worker_id="w1").run(max_passes=1)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.DEAD, 3)
    assert "can't connect to the mail server: ConnectionRefusedError" in message.last_error
    task = Task.objects.get(kind=TaskKind.DELIVERY_FAILED)
    assert (task.case_id, task.owner, task.priority) == (new_case.pk, "team:care", 1)
    assert task.title == f"{new_case.reference}: message to ian@example.com failed 3 times"
    entry = TimelineEntry.objects.filter(case=new_case).order_by("seq").last()
    assert entry is not None and entry.event == "message_failed"


def test_a_permanent_refusal_is_not_retried_and_goes_to_a_person_at_once(new_case: Case) -> None:
    with (
        smtp_sink(fail_with="550 5.1.1 no such user") as (_, port),
        override_settings(MAILERS=smtp_mailers(port)),
    ):
        message = paid(new_case)
        Worker(worker_id="w1").run(until_idle=True)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.DEAD, 1)
    assert "SMTP 550" in message.last_error
    assert Task.objects.get(kind=TaskKind.DELIVERY_FAILED).title == (
        f"{new_case.reference}: message to ian@example.com was refused"
    )


def test_backoff_doubles_and_is_capped() -> None:
    with override_settings(TOUCHPOINT_OUTBOX_BACKOFF_BASE=30, TOUCHPOINT_OUTBOX_BACKOFF_CAP=3600):
        assert [backoff_seconds(n) for n in range(1, 10)] == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_lease_held_by_a_dead_worker_is_reclaimed_when_it_runs_out(new_case: Case, sink: SinkHandler) -> None:
    message = paid(new_case)
    # given a worker claimed the message and died (its lease is still running)
    claimed = claim_due(OutboxMessage, due_field="next_attempt_at", worker_id="dead", batch=10, lease_seconds=60)
    assert claimed == [message.pk]
    assert Worker(worker_id="w2").run(until_idle=True).sent == 0
    # when the lease runs out, another worker takes it
    message.refresh_from_db()
    assert message.lease_owner == "dead" and message.lease_until is not None
    with at(message.lease_until + timedelta(seconds=1)):
        assert Worker(worker_id="w2").run(until_idle=True).sent == 1
    assert len(sink.received) == 1
