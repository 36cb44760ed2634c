"""A worker whose PostgreSQL connection is cut while it sends carries on: it reconnects with
backoff, records what the mail server already accepted, and sends nothing twice (issue 13, item 7)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import Client

from tests.demopay.conftest import demo_card, pay, place_order, to_checkout  # noqa: F401 - demo_card: a fixture
from tests.payments.walks import died_on_the_table
from tests.support.orders import place_repair_order
from tests.support.output import Output
from tests.support.processes import django_env, touchpoint, wait_for
from tests.support.smtp import smtp_sink
from touchpoint.cases.models import Task, TaskKind, TimelineEntry, Timer, TimerStatus
from touchpoint.core.clock import at, now
from touchpoint.demopay.models import DemoRefund
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.payments.models import Refund, RefundStatus
from touchpoint.worker.loop import RECONNECT_CAP, RECONNECT_FIRST, Worker

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ORDERS = 24
CUTS = (3, 8, 13)  # cut the worker's connection when the mail server has accepted this many …
OUTAGE_AT = 18  # … and here keep the database closed until the worker has tried three times


def cut_worker_connections() -> int:
    """What an administrator's ``pg_terminate_backend`` (or a failover) does to every connection to
    this test database but the test's own; how many were cut."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@contextmanager
def database_closed() -> Iterator[None]:
    """New connections to the test database are refused (as while a server restarts). Said from the
    server's maintenance database: a database can't close itself to the connection asking."""
    settings = connection.settings_dict
    name = connection.ops.quote_name(settings["NAME"])
    admin = psycopg.connect(
        dbname="postgres",
        user=settings.get("USER") or "postgres",
        password=settings.get("PASSWORD") or None,
        host=settings.get("HOST") or "127.0.0.1",
        port=settings.get("PORT") or 5432,
        autocommit=True,
    )
    with admin:
        admin.execute(f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false")
        try:
            yield
        finally:
            admin.execute(f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true")


def test_a_worker_whose_connection_is_cut_while_sending_carries_on_and_sends_each_message_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL to cut connections (the PostgreSQL leg of make test runs it: DATABASE_URL)")
    # Given orders placed, each with its order email waiting in the outbox
    for _ in range(ORDERS):
        place_repair_order()
    expected = sorted(str(h["Message-ID"]) for h in OutboxMessage.objects.values_list("headers", flat=True))
    assert len(expected) == ORDERS
    with smtp_sink(delay=0.05) as (sink, port):
        env = django_env(
            TOUCHPOINT_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", TOUCHPOINT_SMTP_PORT=str(port)
        )
        # and a worker sending them, with a lease far longer than the test may run: a row that had
        # to wait its lease out would never be sent
        worker = touchpoint("worker", "--batch", "10", "--lease", "3600", "--id", "cut", env=env)
        log = Output(worker.stderr)

        def accepted(count: int) -> None:
            wait_for(
                lambda: len(sink.received) >= count or worker.poll() is not None,
                timeout=60,
                what=f"{count} messages accepted",
            )
            assert worker.poll() is None, log.close()[-3000:]

        try:
            # When the database cuts the worker's connection while it sends, again and again
            for count in CUTS:
                accepted(count)
                wait_for(lambda: cut_worker_connections() > 0, timeout=30, what="a worker connection to cut")
            # and once stays closed for a while
            accepted(OUTAGE_AT)
            with database_closed():
                wait_for(lambda: cut_worker_connections() > 0, timeout=30, what="a worker connection to cut")
                wait_for(
                    lambda: any(e["attempt"] >= 3 for e in log.events("worker.connection_lost")),
                    timeout=60,
                    what="the worker to try three times while the database is closed",
                )
            # Then every message ends sent
            wait_for(
                lambda: OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == ORDERS,
                timeout=60,
                what="every message to be sent",
            )
            # by the worker, which is still running
            assert worker.poll() is None, log.close()[-3000:]
        finally:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
            log.close()
        # and the mail server accepted each message exactly once
        assert sorted(sink.message_ids()) == expected
    assert worker.returncode == 0, log.close()[-3000:]
    assert not OutboxMessage.objects.exclude(lease_owner="").exists()
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
    # and the worker said what happened: each cut, its tries, each time it came back
    lost, back = log.events("worker.connection_lost"), log.events("worker.reconnected")
    assert len(back) == len(CUTS) + 1, log.close()[-3000:]
    assert all(e["error"].startswith("OperationalError: ") for e in lost)
    for event in lost:  # each wait doubles from RECONNECT_FIRST up to RECONNECT_CAP, drawn from its upper half
        ceiling = min(RECONNECT_CAP, RECONNECT_FIRST * 2 ** (event["attempt"] - 1))
        assert ceiling / 2 - 0.01 <= event["retry_in"] <= ceiling + 0.01, event
    late = [e for e in log.events("worker.sent") if e.get("late")]
    assert sum(e["sent_recorded"] for e in back) == len(late)


# Where the worker touches the database, each cut as the statement runs (by the server itself, so
# at exactly that point): (name, table, when the row changes so, times).
CUT_POINTS = [
    ("claiming timers", "cases_timer", "OLD.lease_owner = '' AND NEW.lease_owner <> ''", 1),
    ("firing a timer", "cases_timer", "NEW.status = 'fired'", 1),
    ("claiming messages", "outbox_outboxmessage", "OLD.lease_owner = '' AND NEW.lease_owner <> ''", 1),
    # the mail server has the message; the second cut hits the worker recording it after reconnecting
    ("marking a message sent", "outbox_outboxmessage", "NEW.status = 'sent'", 2),
    ("beating its heartbeat", "ops_workerheartbeat", "NEW.stopped_at IS NULL", 1),
]


def cut_when(index: int, table: str, condition: str, times: int) -> str:
    """A trigger that ends the session changing ``table`` so, the first ``times`` times; the
    sequence counting them is outside any transaction, so a cut can't undo its count."""
    return f"""
        CREATE SEQUENCE cut_{index};
        CREATE FUNCTION cut_{index}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF nextval('cut_{index}') <= {times} THEN
                PERFORM pg_terminate_backend(pg_backend_pid());
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER cut_{index} BEFORE UPDATE ON {table} FOR EACH ROW WHEN ({condition})
            EXECUTE FUNCTION cut_{index}();
    """


def test_a_connection_cut_at_each_point_the_worker_uses_the_database_costs_nothing() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL to cut connections (the PostgreSQL leg of make test runs it: DATABASE_URL)")
    # Given orders placed three days ago and never paid: their payment wait (two days) has run out
    with at(now() - timedelta(days=3)):
        cases = [place_repair_order() for _ in range(4)]
    overdue = Timer.objects.filter(case__in=cases, purpose="wait", event="payment_overdue")
    # and a database that cuts the worker's connection once at each point it uses it
    with connection.cursor() as cursor:
        for index, (_, table, condition, times) in enumerate(CUT_POINTS):
            cursor.execute(cut_when(index, table, condition, times))
    with smtp_sink() as (sink, port):
        env = django_env(
            TOUCHPOINT_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", TOUCHPOINT_SMTP_PORT=str(port)
        )
        worker = touchpoint("worker", "--lease", "3600", "--id", "cut", env=env)
        log = Output(worker.stderr)
        try:
            # When the worker fires the timers and sends the messages
            wait_for(
                lambda: (
                    worker.poll() is not None
                    or (
                        not overdue.filter(status=TimerStatus.PENDING).exists()
                        and not OutboxMessage.objects.exclude(status=MessageStatus.SENT).exists()
                        and len(log.events("worker.connection_lost")) == sum(c[3] for c in CUT_POINTS)
                    )
                ),
                timeout=90,
                what="every timer fired and every message sent",
            )
            assert worker.poll() is None, log.close()[-3000:]
        finally:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
            log.close()
        # Then each message was accepted once (the order email and the payment reminder of each case)
        sent = sorted(str(h["Message-ID"]) for h in OutboxMessage.objects.values_list("headers", flat=True))
        assert len(sent) == 2 * len(cases) and sorted(sink.message_ids()) == sent
    assert worker.returncode == 0, log.text()[-3000:]
    # and each wait ran out once: one move, no attempt lost to the cut, no task for a person about it
    for case in cases:
        moves = TimelineEntry.objects.filter(case=case, event="payment_overdue")
        assert moves.count() == 1
    assert [(t.status, t.attempts, t.last_error) for t in overdue] == [(TimerStatus.FIRED, 0, "")] * len(cases)
    assert not Task.objects.filter(kind=TaskKind.TIMER_FAILED).exists()
    assert not OutboxMessage.objects.exclude(lease_owner="").exists()
    # and every cut was met, said and recovered from
    with connection.cursor() as cursor:
        for index, (point, _, _, times) in enumerate(CUT_POINTS):
            cursor.execute(f"SELECT last_value FROM cut_{index}")
            assert cursor.fetchone()[0] >= times, f"the worker was never cut while {point}"
    assert len(log.events("worker.connection_lost")) == sum(c[3] for c in CUT_POINTS)
    assert [e["sent_recorded"] for e in log.events("worker.reconnected")].count(1) == 1


@pytest.mark.usefixtures("demo_card")
def test_a_refund_whose_connection_is_cut_at_the_card_provider_goes_out_on_the_next_pass_as_the_same_attempt(
    live_server: Any, settings: Any, client: Client
) -> None:
    """The demo card provider keeps its refunds in our database: a cut there is our database's
    failure, not the provider's, and must not count as a failed attempt (which waits its backoff)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL to cut connections (the PostgreSQL leg of make test runs it: DATABASE_URL)")
    settings.TOUCHPOINT_PUBLIC_URL = live_server.url  # where the demo delivers its signed events
    # Given a repair paid on the demo card page that couldn't be saved: its £39.00 is to go back to the card
    order = place_order()
    pay(client, to_checkout(client, order))
    Worker(worker_id="w1").run(until_idle=True)
    died_on_the_table(order.fresh())
    refund = Refund.objects.get()
    assert (refund.status, DemoRefund.objects.count()) == (RefundStatus.TO_SEND, 0)
    # and a database that cuts the worker's connection as the card provider records the refund
    with connection.cursor() as cursor:
        cursor.execute(cut_when(9, "demopay_demorefund", "TRUE", 1).replace("BEFORE UPDATE", "BEFORE INSERT"))
    # When the worker sends it
    Worker(worker_id="w1").run(until_idle=True)
    # Then the refund went through on its first attempt, once
    refund.refresh_from_db()
    assert (refund.status, refund.attempts, refund.problem) == (RefundStatus.SUCCEEDED, 1, "")
    assert DemoRefund.objects.count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM cut_9")
        assert cursor.fetchone()[0] == 2  # the cut came, and the second try was let through
