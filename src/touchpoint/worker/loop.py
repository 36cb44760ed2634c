"""One worker process. Many may run against one PostgreSQL; on SQLite run one.

Each pass claims a batch of due timers and a batch of due messages under leases, works them, and
beats its heartbeat. ``stop()`` (SIGTERM) lets the current item (a message; for timers, the
transaction of up to ``TIMERS_PER_TRANSACTION``) finish, then the loop ends and gives
back the leases on what it claimed but didn't work, so another worker takes them at once.

A lost database connection (cut by the server or an administrator, a failover, a restart) ends
only the pass: the worker drops the connection, waits (exponential backoff with jitter, capped),
reconnects and carries on. Before it claims anything else it records what it did but couldn't
record (the messages the mail server accepted) and gives back the rest, so nothing is sent twice
and nothing waits out a lease. Any other error still stops the worker (``touchpoint run`` starts it
again). If the process itself dies, its leases run out and its claims are worked again: at least
once, never lost.
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field

import structlog
from django.conf import settings
from django.db import Error, InterfaceError, OperationalError, close_old_connections, connection

from touchpoint.cases.models import Timer
from touchpoint.core.clock import now
from touchpoint.core.leases import leases_release
from touchpoint.core.ratelimit import ratelimit_prune
from touchpoint.core.sessions import sessions_prune
from touchpoint.flows.timers import TimerOutcome, timer_record_error, timers_fire
from touchpoint.ops.models import WorkerHeartbeat
from touchpoint.outbox.channels import PermanentFailure, TemporaryFailure, channel_for
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.outbox.services import claim_due, message_mark_failed, message_mark_sent
from touchpoint.themes.services import themes_refresh
from touchpoint.worker.jobs import jobs

log = structlog.get_logger("touchpoint.worker")
HOUSEKEEPING_EVERY = 600.0  # seconds between clean-ups (rate-limit windows) and the daily regrouping of themes
RECONNECT_FIRST = 0.5  # seconds before the first reconnection attempt after a lost connection …
RECONNECT_CAP = 30.0  # … doubling each time up to this, so a database that is down for long isn't hammered
# Timers fired per transaction: one commit, and one statement per kind of row, for several moves
# (flows/together.py), while the write lock (SQLite's whole database; PostgreSQL's case rows) is held
# for tens of milliseconds (~1 ms a move), not the whole batch's time.
TIMERS_PER_TRANSACTION = 50


# SQLSTATE classes that mean the session is gone: 08 connection exception; 57P01-57P05 the server
# shutting down or crashed, not yet taking connections, the database dropped, the session timed out.
SESSION_GONE = ("08", "57P")


def connection_lost(exc: BaseException) -> bool:
    """Whether ``exc`` means the database connection is gone (cut, the server restarting or out of
    reach), not that a statement failed on a good connection (a bug, a constraint, a deadlock).

    Judged by the error, not by the connection afterwards: when an atomic block's connection dies,
    Django's clean-up has already opened a new one by the time the error arrives here."""
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    if connection.vendor != "postgresql":  # SQLite: a file, nothing to lose but the file itself
        return connection.connection is None or not connection.is_usable()
    # The server's errors carry a SQLSTATE; the driver's own (refused, reset, closed) carry none.
    state = getattr(exc.__cause__, "sqlstate", None)
    return state is None or str(state).startswith(SESSION_GONE)


def reconnect_delay(attempt: int) -> float:
    """Seconds to wait before reconnection attempt ``attempt`` (1, 2, …): doubling from
    RECONNECT_FIRST up to RECONNECT_CAP, each drawn from its upper half so workers that lost the
    database together don't all come back in the same instant."""
    ceiling = min(RECONNECT_CAP, RECONNECT_FIRST * 2 ** (attempt - 1))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not a secret


@dataclass
class PassResult:
    timers: dict[str, int] = field(default_factory=dict)
    sent: int = 0
    retried: int = 0
    dead: int = 0
    jobs: dict[str, int] = field(default_factory=dict)  # items each job of worker.jobs worked

    @property
    def worked(self) -> int:
        return sum(self.timers.values()) + self.sent + self.retried + self.dead + sum(self.jobs.values())


class Worker:
    def __init__(
        self,
        *,
        batch: int | None = None,
        lease_seconds: float | None = None,
        idle_sleep: float | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.batch = batch or settings.TOUCHPOINT_WORKER_BATCH
        self.lease_seconds = lease_seconds or settings.TOUCHPOINT_WORKER_LEASE_SECONDS
        self.idle_sleep = idle_sleep if idle_sleep is not None else settings.TOUCHPOINT_WORKER_IDLE_SLEEP
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._stopping = threading.Event()
        self.totals = PassResult()
        self._housekeeping_due = 0.0  # monotonic time; the first pass tidies up
        # Messages the mail server accepted whose "sent" the database didn't take (the connection
        # dropped): recorded before anything else is claimed, so they are never sent again.
        self._unrecorded: list[OutboxMessage] = []
        self._cut = False  # a pass was cut short by a lost connection: give back what it held
        self._outage: tuple[int, float] | None = None  # failed attempts so far, and when the first failed

    def stop(self) -> None:
        """Ask the loop to end after the item in hand (safe to call from a signal handler)."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def run(self, *, until_idle: bool = False, max_passes: int | None = None) -> PassResult:
        """Loop until stopped (or, with ``until_idle``, until a pass finds nothing due)."""
        self._beat(started=True)
        log.info("worker.started", worker=self.worker_id, batch=self.batch, lease_seconds=self.lease_seconds)
        passes = 0
        completed = False
        try:
            while not self.stopping:
                try:
                    if not connection.in_atomic_block:  # (never true in production; tests run inside one)
                        close_old_connections()  # drop a connection the database closed, as Django does per request
                    self._recover()
                    result = self.run_once()
                    self._beat()
                except (OperationalError, InterfaceError) as exc:
                    if not connection_lost(exc):
                        raise
                    self._connection_lost(exc)
                    continue
                passes += 1
                if (until_idle and result.worked == 0) or (max_passes is not None and passes >= max_passes):
                    break
                if result.worked == 0:
                    self._stopping.wait(self.idle_sleep)
            completed = True
        finally:
            # After an error, keep the leases: a row that broke this worker waits its lease out
            # rather than breaking the next worker at once.
            self._finish(release=completed)
        return self.totals

    def _connection_lost(self, exc: BaseException) -> None:
        """The pass was cut: drop the broken connection and wait before the next try (the next
        query reconnects). Stopping (SIGTERM) ends the wait at once."""
        attempt, since = self._outage or (0, time.monotonic())
        attempt += 1
        self._outage = (attempt, since)
        self._cut = True
        delay = reconnect_delay(attempt)
        log.warning(
            "worker.connection_lost",
            worker=self.worker_id,
            error=f"{type(exc).__name__}: {str(exc).strip()}",
            attempt=attempt,
            retry_in=round(delay, 2),
            unrecorded=len(self._unrecorded),
        )
        if not connection.in_atomic_block:
            with contextlib.suppress(Error):  # it is broken; closing can only tidy up
                connection.close()
        self._stopping.wait(delay)

    def _recover(self) -> None:
        """After a lost connection, before anything else is claimed: record the messages the mail
        server accepted, then give back every other lease of the cut pass so its rows are due at once."""
        recorded = self._record_sent()
        if not self._cut:
            return
        released = leases_release(worker_id=self.worker_id)
        self._cut = False
        attempts, since = self._outage or (0, time.monotonic())
        self._outage = None
        log.info(
            "worker.reconnected",
            worker=self.worker_id,
            attempts=attempts,
            down_seconds=round(time.monotonic() - since, 2),
            sent_recorded=recorded,
            leases_released=released,
        )

    def _record_sent(self) -> int:
        """Record as sent the messages the mail server accepted while the database was out of reach."""
        recorded = 0
        while self._unrecorded:
            message = self._unrecorded[0]
            message_mark_sent(  # (a second time changes nothing)
                message=message, worker_id=self.worker_id, provider_ref=message.provider_ref, delivery=message.delivery
            )
            self._unrecorded.pop(0)
            self.totals.sent += 1
            recorded += 1
            log.info("worker.sent", message=message.pk, case=message.case_id, to=message.recipient, late=True)
        return recorded

    def _finish(self, *, release: bool) -> None:
        """On the way out: record what was sent, give back (``release``) what wasn't worked, beat a
        last time. With the database gone none of it can be done; the leases then run out as if
        the process had died."""
        try:
            if not connection.in_atomic_block:
                close_old_connections()
            self._recover()
            if release:
                leases_release(worker_id=self.worker_id)
            self._beat(stopped=True)
        except (OperationalError, InterfaceError) as exc:
            if not connection_lost(exc):
                raise
            log.error(
                "worker.stopped_unrecorded",
                worker=self.worker_id,
                error=f"{type(exc).__name__}: {str(exc).strip()}",
                sent_not_recorded=[m.pk for m in self._unrecorded],  # these will be sent again
            )
        log.info("worker.stopped", worker=self.worker_id, sent=self.totals.sent, timers=self.totals.timers)

    def run_once(self) -> PassResult:
        result = PassResult()
        try:
            self._housekeeping()
            self._fire_timers(result)
            if not self.stopping:
                self._send_messages(result)
            for name, job in jobs():
                if self.stopping:
                    break
                try:
                    worked = job(worker_id=self.worker_id, batch=self.batch, lease_seconds=self.lease_seconds)
                except Exception as exc:  # one area's failure must not stop the timers and messages of the next pass
                    if connection_lost(exc):
                        raise  # not the area's failure: run() reconnects
                    log.exception("worker.job_error", job=name)
                    continue
                if worked:
                    result.jobs[name] = worked
        finally:  # what a cut pass did still counts
            self.totals.sent += result.sent
            self.totals.retried += result.retried
            self.totals.dead += result.dead
            for key, count in result.timers.items():
                self.totals.timers[key] = self.totals.timers.get(key, 0) + count
            for key, count in result.jobs.items():
                self.totals.jobs[key] = self.totals.jobs.get(key, 0) + count
        return result

    def _housekeeping(self) -> None:
        """Now and then, delete what has served its purpose (ended rate-limit windows and sessions)."""
        if time.monotonic() < self._housekeeping_due:
            return
        self._housekeeping_due = time.monotonic() + HOUSEKEEPING_EVERY
        try:
            pruned = ratelimit_prune()
            sessions_prune()  # ended sessions: the drafts anonymous forms keep (portal.drafts)
            run = themes_refresh()
        except Exception as exc:  # tidying up must never stop the sending
            if connection_lost(exc):
                raise
            log.exception("worker.housekeeping_error")
        else:
            if pruned or run is not None:
                log.info("worker.housekeeping", rate_windows_pruned=pruned, themes=run.themes.count() if run else None)

    def _fire_timers(self, result: PassResult) -> None:
        """Fire the claimed timers a few per transaction (one commit for several moves, written
        together in one savepoint, or each in its own when that fails). A timer that raises is
        recorded as an attempt (:func:`timer_record_error`); a batch that fails as a whole (e.g. a
        deadlock taking its locks) is fired again one by one, so one bad timer can't cost the
        others an attempt."""
        ids = claim_due(
            Timer, due_field="due_at", worker_id=self.worker_id, batch=self.batch, lease_seconds=self.lease_seconds
        )
        for start in range(0, len(ids), TIMERS_PER_TRANSACTION):
            if self.stopping:
                return  # the rest go back when the loop ends (or their lease runs out)
            batch = ids[start : start + TIMERS_PER_TRANSACTION]
            try:
                outcomes = timers_fire(timer_ids=batch, worker_id=self.worker_id, fatal=connection_lost)
            except Exception as exc:
                if connection_lost(exc):
                    raise  # not the timers' fault, so not an attempt: released and fired after reconnecting
                log.exception("worker.timer_batch_error", timers=batch)
                outcomes = {timer_id: self._fire_one(timer_id) for timer_id in batch}
            for timer_id, fired in outcomes.items():
                if isinstance(fired, Exception):
                    log.error("worker.timer_error", timer=timer_id, exc_info=fired)
                    fired = timer_record_error(timer_id=timer_id, worker_id=self.worker_id, error=repr(fired))
                result.timers[fired.value] = result.timers.get(fired.value, 0) + 1
                log.info("worker.timer", timer=timer_id, outcome=fired.value)

    def _fire_one(self, timer_id: int) -> TimerOutcome | Exception:
        try:
            return timers_fire(timer_ids=[timer_id], worker_id=self.worker_id, fatal=connection_lost)[timer_id]
        except Exception as exc:  # one bad timer must not stop the others
            if connection_lost(exc):
                raise
            return exc

    def _send_messages(self, result: PassResult) -> None:
        ids = claim_due(
            OutboxMessage,
            due_field="next_attempt_at",
            worker_id=self.worker_id,
            batch=self.batch,
            lease_seconds=self.lease_seconds,
        )
        if not ids:
            return
        messages = list(OutboxMessage.objects.filter(id__in=ids).order_by("next_attempt_at", "id"))
        by_channel: dict[str, list[OutboxMessage]] = {}
        for message in messages:
            by_channel.setdefault(message.channel, []).append(message)
        for name, group in by_channel.items():
            try:
                channel = channel_for(name)
            except PermanentFailure as exc:
                for message in group:
                    self._failed(message, str(exc), permanent=True, result=result)
                continue
            with channel:
                for message in group:
                    if self.stopping:
                        return
                    try:
                        sent = channel.send(message)
                    except TemporaryFailure as exc:
                        self._failed(message, str(exc), permanent=False, result=result)
                    except PermanentFailure as exc:
                        self._failed(message, str(exc), permanent=True, result=result)
                    else:
                        if sent is not None:  # kept on the object too, for _record_sent after a lost connection
                            message.provider_ref, message.delivery = sent.provider_ref, sent.delivery
                        try:
                            message_mark_sent(
                                message=message,
                                worker_id=self.worker_id,
                                provider_ref=message.provider_ref,
                                delivery=message.delivery,
                            )
                        except (OperationalError, InterfaceError):
                            self._unrecorded.append(message)  # the server has it: record it, never resend
                            raise
                        result.sent += 1
                        log.info("worker.sent", message=message.pk, case=message.case_id, to=message.recipient)

    def _failed(self, message: OutboxMessage, error: str, *, permanent: bool, result: PassResult) -> None:
        status = message_mark_failed(message=message, worker_id=self.worker_id, error=error, permanent=permanent)
        if status == MessageStatus.DEAD:
            result.dead += 1
            log.error("worker.message_dead", message=message.pk, error=error)
        else:
            result.retried += 1
            log.warning("worker.message_retry", message=message.pk, error=error)

    def _beat(self, *, started: bool = False, stopped: bool = False) -> None:
        at = now()
        defaults = {
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            "beat_at": at,
            "messages_sent": self.totals.sent,
            "timers_fired": self.totals.timers.get(TimerOutcome.FIRED, 0),
        }
        if started:
            defaults |= {"started_at": at, "stopped_at": None}
        if stopped:
            defaults["stopped_at"] = at
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id, defaults=defaults, create_defaults={**defaults, "started_at": at}
        )
