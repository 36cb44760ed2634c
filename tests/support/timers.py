"""The worker's part, as the worker does it: a wait limit running out is the case's pending wait
timer fired at its due time by ``timer_fire`` (never the timeout event sent by hand), and messages
go out by being claimed and marked sent by the outbox's own calls."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

from django.db import connection

from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.models import Case, TimelineEntry, Timer, TimerStatus
from touchpoint.core.clock import at
from touchpoint.flows.advance import case_open
from touchpoint.flows.timers import TimerOutcome, timer_fire
from touchpoint.outbox.models import OutboxMessage
from touchpoint.outbox.services import claim_due, message_mark_sent


def time_runs_out(case: Case) -> Case:
    """The wait limit of ``case``'s state runs out: the worker fires its wait timer when it is due
    (the clock stands at the due time meanwhile). Returns the case as it is afterwards."""
    timer = Timer.objects.get(case=case, purpose="wait", status=TimerStatus.PENDING)
    with at(timer.due_at):
        outcome = timer_fire(timer_id=timer.pk, worker_id="test-worker")
    assert outcome == TimerOutcome.FIRED, f"{case.reference}: the {timer.event} timer {outcome}"
    return Case.objects.select_related("journey", "customer").get(pk=case.pk)


def messages_go_out(messages: Iterable[OutboxMessage], *, delay: timedelta = timedelta(0)) -> None:
    """The worker's sending pass for ``messages``, ``delay`` after each was written: each is claimed
    and marked sent by the outbox's own calls (the SMTP conversation, the internet's edge, is left
    out). Nothing else may be due meanwhile: a pass would send it too."""
    wanted = {message.pk: message for message in messages}
    for message in sorted(wanted.values(), key=lambda m: (m.next_attempt_at, m.pk)):
        if OutboxMessage.objects.get(pk=message.pk).status != "pending":
            continue  # went out in an earlier pass
        with at(message.next_attempt_at + delay):
            claimed = claim_due(
                OutboxMessage, due_field="next_attempt_at", worker_id="test", batch=1000, lease_seconds=60
            )
            assert message.pk in claimed and set(claimed) <= set(wanted), "other messages were due too"
            for sent in OutboxMessage.objects.filter(pk__in=claimed):
                assert message_mark_sent(message=sent, worker_id="test")


def in_turn(case: Case, steps: Iterable[Callable[[Case], Case]]) -> Case:
    """Take ``steps`` one after another, each a minute after the case's latest timeline entry, so a
    step after a wait limit ran out (a timer fired at its due time, in the case's future) happens
    after it, as it would in life. Open the case in the past so every due time has come by now."""
    for step in steps:
        last = TimelineEntry.objects.filter(case=case).order_by("-at").values_list("at", flat=True)[0]
        with at(last + timedelta(minutes=1)):
            case = step(case)
    return Case.objects.select_related("journey", "customer").get(pk=case.pk)


def opened_together(new_case: Case, count: int) -> list[Case]:
    """``count`` orders opened with ``new_case``: their payment waits run out in the same instant."""
    with at(new_case.opened_at):
        more = [
            case_open(journey="mini-repair", customer=new_case.customer, actor=SYSTEM, data={"model": "nano-4g"}).case
            for _ in range(count - 1)
        ]
    return [new_case, *more]


def refuse(name: str, table: str, condition: str) -> None:
    """The database refuses to change ``table`` so (a trigger): stands for any failure of one
    timer's move (a bug, a constraint), as the database reports it: a constraint's error on both
    databases, as SQLite's ``RAISE(ABORT)`` is."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"CREATE TRIGGER {name} BEFORE {'INSERT' if 'OLD.' not in condition else 'UPDATE'} ON {table} "
                f"FOR EACH ROW WHEN {condition} BEGIN SELECT RAISE(ABORT, 'refused by {name}'); END"
            )
        else:
            cursor.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN RAISE EXCEPTION 'refused by {name}' USING ERRCODE = 'integrity_constraint_violation'; END $$"
            )
            operation = "INSERT" if "OLD." not in condition else "UPDATE"
            cursor.execute(
                f"CREATE TRIGGER {name} BEFORE {operation} ON {table} FOR EACH ROW WHEN ({condition}) "
                f"EXECUTE FUNCTION {name}()"
            )
